from odoo import fields, models

from . import MAJOR

PROVIDER_MODEL = 'payment.provider' if MAJOR >= 16 else 'payment.acquirer'


class PaymentIcon(models.Model):
    _name = 'payment.icon'
    _description = 'Payment Icon'
    _order = 'sequence, name'

    name = fields.Char(string="Name")
    sequence = fields.Integer(default=1)
    image = fields.Image(string="Image")
    if MAJOR >= 16:
        provider_ids = fields.Many2many(string="Providers", comodel_name='payment.provider')
    else:
        acquirer_ids = fields.Many2many('payment.acquirer', string="Acquirers")
