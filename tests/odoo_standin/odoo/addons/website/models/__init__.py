from odoo import fields, models


class Website(models.Model):
    _name = 'website'
    _description = 'Website'
    _order = 'sequence, id'

    name = fields.Char('Website Name', required=True)
    sequence = fields.Integer(default=10)
    domain = fields.Char('Website Domain')
    company_id = fields.Many2one('res.company', string="Company", default=lambda self: self.env.company.id,
                                 required=True)
