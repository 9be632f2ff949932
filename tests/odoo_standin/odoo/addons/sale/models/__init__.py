from odoo import fields, models


class SaleOrder(models.Model):
    _name = 'sale.order'
    _description = 'Sales Order'
    _order = 'id desc'

    name = fields.Char(string='Order Reference', required=True, default='New')
    state = fields.Selection([('draft', 'Quotation'), ('sent', 'Quotation Sent'), ('sale', 'Sales Order'),
                              ('done', 'Locked'), ('cancel', 'Cancelled')], string='Status', default='draft')
    partner_id = fields.Many2one('res.partner', string='Customer')
    amount_total = fields.Monetary(string='Total')
    currency_id = fields.Many2one('res.currency')
    company_id = fields.Many2one('res.company', default=lambda self: self.env.company.id)
    transaction_ids = fields.Many2many('payment.transaction', string='Transactions')
