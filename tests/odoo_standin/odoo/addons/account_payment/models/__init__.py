"""From 16 the provider's ``journal_id`` comes with account_payment (payment no longer depends on account)."""
from odoo import fields, models, release

if release.version_info[0] >= 16:
    class PaymentProvider(models.Model):
        _inherit = 'payment.provider'

        journal_id = fields.Many2one(string="Payment Journal", comodel_name='account.journal',
                                     domain='[("type", "=", "bank")]')
