"""``website_id`` on the provider (15: payment.acquirer, 16+: payment.provider)."""
from odoo import fields, models, release

MAJOR = release.version_info[0]

if MAJOR >= 15:
    class PaymentProvider(models.Model):
        _inherit = 'payment.provider' if MAJOR >= 16 else 'payment.acquirer'

        website_id = fields.Many2one('website', ondelete='restrict')
