from odoo import fields, models

from . import MAJOR


class PaymentTransaction(models.Model):
    _name = 'payment.transaction'
    _description = 'Payment Transaction'
    _order = 'id desc'
    _rec_name = 'reference'

    reference = fields.Char(string="Reference", required=True, readonly=True, index=True)
    amount = fields.Monetary(string="Amount", currency_field='currency_id', required=True)
    currency_id = fields.Many2one(string="Currency", comodel_name='res.currency')
    state = fields.Selection(string="Status", selection=[
        ('draft', "Draft"), ('pending', "Pending"), ('authorized', "Authorized"), ('done', "Confirmed"),
        ('cancel', "Canceled"), ('error', "Error")], default='draft', readonly=True, required=True)
    state_message = fields.Text(string="Message", readonly=True)
    partner_id = fields.Many2one(string="Customer", comodel_name='res.partner')
    company_id = fields.Many2one('res.company', default=lambda self: self.env.company.id)
    if MAJOR >= 16:
        provider_id = fields.Many2one(string="Provider", comodel_name='payment.provider', readonly=True,
                                      required=True)
        provider_code = fields.Char(string="Provider Code")
        provider_reference = fields.Char(string="Provider Reference", readonly=True)
    else:
        acquirer_id = fields.Many2one('payment.acquirer', string='Acquirer', readonly=True, required=True)
        provider = fields.Char(string='Provider')
        acquirer_reference = fields.Char(string='Acquirer Reference', readonly=True)
