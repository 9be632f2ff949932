"""``payment.method`` (Odoo 17+, ``addons/payment/models/payment_method.py``), which replaced ``payment.icon``.

A primary method (``card``, or a provider module's own) is linked to providers (``provider_ids``, the other side of
``payment.provider.payment_method_ids``: one relation table, ``payment_method_payment_provider_rel``); a brand (Visa,
Mastercard…) points to its primary (``primary_payment_method_id``) and is shown on the payment form under it when it
is active (``brand_ids`` of the primary, which like every one2many leaves inactive records out).
Not modelled: ``is_primary`` (computed, with its search) and ``image_payment_form`` (related), the onchange warnings,
token archiving, the manual-capture constraint.
"""
from odoo import fields, models
from odoo.exceptions import UserError

from . import MAJOR


class PaymentMethod(models.Model):
    _name = 'payment.method'
    _description = 'Payment Method'
    _order = 'active desc, sequence, name'

    name = fields.Char(string="Name", required=True, translate=MAJOR >= 18)
    code = fields.Char(string="Code", help="The technical code of this payment method.", required=True)
    sequence = fields.Integer(string="Sequence", default=1)
    primary_payment_method_id = fields.Many2one(string="Primary Payment Method", comodel_name='payment.method')
    brand_ids = fields.One2many(string="Brands", comodel_name='payment.method',
                                inverse_name='primary_payment_method_id')
    provider_ids = fields.Many2many(string="Providers", comodel_name='payment.provider')
    active = fields.Boolean(string="Active", default=True)
    image = fields.Image(string="Image", required=True)
    support_tokenization = fields.Boolean(string="Tokenization")
    support_express_checkout = fields.Boolean(string="Express Checkout")
    support_refund = fields.Selection(string="Refund", selection=[('none', "Unsupported"), ('full_only', "Full Only"),
                                                                  ('partial', "Full & Partial")],
                                      required=True, default='none')
    supported_country_ids = fields.Many2many(string="Countries", comodel_name='res.country')
    supported_currency_ids = fields.Many2many(string="Currencies", comodel_name='res.currency')

    def write(self, values):
        # As Odoo: a method cannot be enabled while its primary method is inactive and every provider of that
        # primary is disabled.
        if values.get('active'):
            for method in self:
                primary = method.primary_payment_method_id or method
                if not primary.active and all(provider.state == 'disabled' for provider in primary.provider_ids):
                    raise UserError("This payment method needs a partner in crime; you should enable a payment "
                                    "provider supporting this method first.")
        return super().write(values)


class PaymentProviderMethods(models.Model):
    _inherit = 'payment.provider'

    payment_method_ids = fields.Many2many(string="Supported Payment Methods", comodel_name='payment.method')
