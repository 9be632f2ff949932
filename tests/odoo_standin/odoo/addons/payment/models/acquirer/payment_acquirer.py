"""``payment.acquirer`` (Odoo up to 15), with the fields of each generation:
<= 12 ``environment`` (test/prod) + ``website_published``; 13-14 ``state`` and no publish flag
(read from Odoo 13's payment_acquirer.py); 15 the fields of ground truth section 7."""
from odoo import api, fields, models, release
from odoo.addons.base.models.ir_module import STATES

MAJOR = release.version_info[0]


class PaymentAcquirer(models.Model):
    _name = 'payment.acquirer'
    _description = 'Payment Acquirer'
    _order = 'module_state, state, sequence, name' if MAJOR >= 13 else 'website_published desc, sequence, name'

    name = fields.Char('Name', required=True, translate=True)
    sequence = fields.Integer('Sequence', default=10)
    company_id = fields.Many2one('res.company', 'Company', default=lambda self: self.env.company.id,
                                 required=True)
    journal_id = fields.Many2one('account.journal', 'Payment Journal')
    capture_manually = fields.Boolean(string="Capture Amount Manually")
    pre_msg = fields.Html('Help Message', translate=True)
    pending_msg = fields.Html('Pending Message', translate=True)
    done_msg = fields.Html('Done Message', translate=True)
    cancel_msg = fields.Html('Cancel Message', translate=True)
    fees_active = fields.Boolean('Add Extra Fees')
    fees_dom_fixed = fields.Float('Fixed domestic fees')
    fees_dom_var = fields.Float('Variable domestic fees (in percents)')
    fees_int_fixed = fields.Float('Fixed international fees')
    fees_int_var = fields.Float('Variable international fees (in percents)')
    module_id = fields.Many2one('ir.module.module', string='Corresponding Module')
    module_state = fields.Selection(selection=STATES, string='Installation State', readonly=True)
    payment_icon_ids = fields.Many2many('payment.icon', string='Supported Payment Icons')
    country_ids = fields.Many2many('res.country', string='Countries')

    if MAJOR <= 12:
        provider = fields.Selection([('manual', 'Manual Configuration')], string='Provider',
                                    default='manual', required=True)
        environment = fields.Selection([('test', 'Test'), ('prod', 'Production')], string='Environment',
                                       default='test', required=True)
        website_published = fields.Boolean('Visible in Portal / Website', copy=False)
        specific_countries = fields.Boolean(string="Specific Countries")
        view_template_id = fields.Many2one('ir.ui.view', 'Form Button Template')
        registration_view_template_id = fields.Many2one('ir.ui.view', 'S2S Form Template')
        post_msg = fields.Html('Thanks Message', translate=True)
        error_msg = fields.Html('Error Message', translate=True)
        payment_flow = fields.Selection([('form', 'Redirection to the acquirer website'),
                                         ('s2s', 'Payment from Odoo')], default='form', required=True)
        save_token = fields.Selection([('none', 'Never'), ('ask', 'Let the customer decide'),
                                       ('always', 'Always')], string='Save Cards', default='none')
    elif MAJOR <= 14:
        provider = fields.Selection([('manual', 'Custom Payment Form')], string='Provider',
                                    default='manual', required=True)
        state = fields.Selection([('disabled', 'Disabled'), ('enabled', 'Enabled'), ('test', 'Test Mode')],
                                 required=True, default='disabled')
        display_as = fields.Char('Displayed as', translate=True)
        view_template_id = fields.Many2one('ir.ui.view', 'Form Button Template')
        registration_view_template_id = fields.Many2one('ir.ui.view', 'S2S Form Template')
        auth_msg = fields.Html('Authorize Message', translate=True)
        payment_flow = fields.Selection([('form', 'Redirection to the acquirer website'),
                                         ('s2s', 'Payment from Odoo')], default='form', required=True)
        save_token = fields.Selection([('none', 'Never'), ('ask', 'Let the customer decide'),
                                       ('always', 'Always')], string='Save Cards', default='none')
        image_128 = fields.Image("Image")
    else:
        provider = fields.Selection([('none', 'No Provider Set')], string='Provider', default='none',
                                    required=True)
        state = fields.Selection([('disabled', 'Disabled'), ('enabled', 'Enabled'), ('test', 'Test Mode')],
                                 required=True, default='disabled', copy=False)
        display_as = fields.Char('Displayed as', translate=True)
        redirect_form_view_id = fields.Many2one('ir.ui.view', 'Redirect Form Template')
        inline_form_view_id = fields.Many2one('ir.ui.view', 'Inline Form Template')
        allow_tokenization = fields.Boolean('Allow Saving Payment Methods')
        auth_msg = fields.Html('Authorize Message', translate=True)
        image_128 = fields.Image("Image")

    @api.model
    def _get_base_url(self):
        return self.env['ir.config_parameter'].sudo().get_param('web.base.url')

    def get_base_url(self):
        return self._get_base_url()
