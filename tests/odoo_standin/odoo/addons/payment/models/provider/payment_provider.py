"""``payment.provider`` (Odoo 16+): the core fields of ground-truth-data/odoo16-provider-fields.json."""
from odoo import api, fields, models
from odoo.addons.base.models.ir_module import STATES

from . import MAJOR


class PaymentProvider(models.Model):
    _name = 'payment.provider'
    _description = 'Payment Provider'
    _order = 'module_state, state desc, sequence, name'

    name = fields.Char(string="Name", required=True, translate=True)
    sequence = fields.Integer(string="Sequence", help="Define the display order")
    code = fields.Selection(string="Code", selection=[('none', "No Provider Set")], default='none',
                            required=True)
    state = fields.Selection(string="State", selection=[('disabled', "Disabled"), ('enabled', "Enabled"),
                                                        ('test', "Test Mode")],
                             default='disabled', required=True, copy=False)
    is_published = fields.Boolean(string="Published", copy=False)
    company_id = fields.Many2one(string="Company", comodel_name='res.company',
                                 default=lambda self: self.env.company.id, required=True)
    main_currency_id = fields.Many2one(related='company_id.currency_id', comodel_name='res.currency',
                                       readonly=True)
    if MAJOR <= 16:     # from 17: payment_method_ids (payment_method.py)
        payment_icon_ids = fields.Many2many(string="Supported Payment Icons", comodel_name='payment.icon')
    allow_tokenization = fields.Boolean(string="Allow Saving Payment Methods")
    capture_manually = fields.Boolean(string="Capture Amount Manually")
    allow_express_checkout = fields.Boolean(string="Allow Express Checkout")
    redirect_form_view_id = fields.Many2one(string="Redirect Form Template", comodel_name='ir.ui.view')
    inline_form_view_id = fields.Many2one(string="Inline Form Template", comodel_name='ir.ui.view')
    token_inline_form_view_id = fields.Many2one(string="Token Inline Form Template",
                                                comodel_name='ir.ui.view')
    express_checkout_form_view_id = fields.Many2one(string="Express Checkout Form Template",
                                                    comodel_name='ir.ui.view')
    available_country_ids = fields.Many2many(string="Countries", comodel_name='res.country')
    maximum_amount = fields.Monetary(string="Maximum Amount", currency_field='main_currency_id')
    fees_active = fields.Boolean(string="Add Extra Fees")
    fees_dom_fixed = fields.Float(string="Fixed domestic fees")
    fees_dom_var = fields.Float(string="Variable domestic fees (in percents)")
    fees_int_fixed = fields.Float(string="Fixed international fees")
    fees_int_var = fields.Float(string="Variable international fees (in percents)")
    display_as = fields.Char(string="Displayed as", translate=True)
    pre_msg = fields.Html(string="Help Message", translate=True)
    pending_msg = fields.Html(string="Pending Message", translate=True,
                              default=lambda self: "Your payment has been successfully processed but is waiting for approval.")
    auth_msg = fields.Html(string="Authorize Message", translate=True,
                           default=lambda self: "Your payment has been authorized.")
    done_msg = fields.Html(string="Done Message", translate=True,
                           default=lambda self: "Your payment has been successfully processed. Thank you!")
    cancel_msg = fields.Html(string="Canceled Message", translate=True,
                             default=lambda self: "Your payment has been cancelled.")
    image_128 = fields.Image(string="Image", max_width=128, max_height=128)
    color = fields.Integer(string="Color", store=True)
    module_id = fields.Many2one(string="Corresponding Module", comodel_name='ir.module.module')
    module_state = fields.Selection(string="Installation State", selection=STATES, readonly=True)
    module_to_buy = fields.Boolean(string="Odoo Enterprise Module", readonly=True)

    @api.model
    def _get_compatible_providers(self, company_id, partner_id, amount, currency_id=None, **kwargs):
        return self.search([('state', 'in', ['enabled', 'test']), ('company_id', '=', company_id)])

    def _get_base_url(self):
        return self.env['ir.config_parameter'].sudo().get_param('web.base.url')
