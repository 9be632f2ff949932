from odoo import fields, models


class AccountPaymentMethod(models.Model):
    _name = 'account.payment.method'
    _description = 'Payment Methods'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    payment_type = fields.Selection([('inbound', 'Inbound'), ('outbound', 'Outbound')], required=True)


class AccountJournal(models.Model):
    _name = 'account.journal'
    _description = 'Journal'
    _order = 'sequence, type, code'

    name = fields.Char(string='Journal Name', required=True)
    code = fields.Char(string='Short Code', size=5, required=True)
    active = fields.Boolean(default=True)
    type = fields.Selection([('sale', 'Sales'), ('purchase', 'Purchase'), ('cash', 'Cash'), ('bank', 'Bank'),
                             ('general', 'Miscellaneous')], required=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one('res.company', string='Company', required=True,
                                 default=lambda self: self.env.company.id)
    currency_id = fields.Many2one('res.currency', string='Currency')
    inbound_payment_method_ids = fields.Many2many('account.payment.method', string='Inbound Payment Methods')
