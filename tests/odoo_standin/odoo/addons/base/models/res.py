"""Companies, partners, users, countries, currencies, languages (the fields a deployer meets)."""
from odoo import api, fields, models
from odoo.exceptions import AccessDenied


class ResCurrency(models.Model):
    _name = 'res.currency'
    _description = 'Currency'
    _order = 'active desc, name'

    name = fields.Char('Currency', required=True)
    symbol = fields.Char()
    active = fields.Boolean(default=True)


class ResCountry(models.Model):
    _name = 'res.country'
    _description = 'Country'
    _order = 'name'

    name = fields.Char('Country Name', required=True)
    code = fields.Char('Country Code')
    currency_id = fields.Many2one('res.currency', 'Currency')


class ResLang(models.Model):
    _name = 'res.lang'
    _description = 'Languages'
    _order = 'active desc,name'

    name = fields.Char(required=True)
    code = fields.Char('Locale Code', required=True)
    iso_code = fields.Char('ISO code')
    active = fields.Boolean()


class ResPartner(models.Model):
    _name = 'res.partner'
    _description = 'Contact'
    _order = 'display_name, id'

    name = fields.Char(index=True)
    email = fields.Char()
    is_company = fields.Boolean()
    company_id = fields.Many2one('res.company', 'Company')
    country_id = fields.Many2one('res.country', 'Country')
    active = fields.Boolean(default=True)


class ResCompany(models.Model):
    _name = 'res.company'
    _description = 'Companies'
    _order = 'sequence, name'

    name = fields.Char(string='Company Name', required=True)
    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one('res.partner', string='Partner')
    currency_id = fields.Many2one('res.currency', string='Currency')
    country_id = fields.Many2one('res.country', string='Country')
    email = fields.Char()


class ResUsers(models.Model):
    _name = 'res.users'
    _description = 'User'
    _order = 'name, login'

    name = fields.Char(required=True)
    login = fields.Char(required=True)
    password = fields.Char(copy=False)
    partner_id = fields.Many2one('res.partner', 'Related Partner')
    company_id = fields.Many2one('res.company', 'Company', default=lambda self: 1)
    company_ids = fields.Many2many('res.company', string='Companies')
    active = fields.Boolean(default=True)
    share = fields.Boolean()
    lang = fields.Char(default='en_US')
    tz = fields.Char()

    @api.model
    def authenticate(self, db, login, password, user_agent_env=None):
        """uid of the active user ``login`` whose password is ``password``; ``AccessDenied`` otherwise."""
        user = self.sudo().search([('login', '=', login)], limit=1)
        if not user or not password or user._stored_values().get('password') != password:
            raise AccessDenied()
        return user.id

    @api.model
    def check(self, db, uid, passwd):
        user = self.sudo().browse(uid).exists()
        if not user or not user.active or not passwd or user._stored_values().get('password') != passwd:
            raise AccessDenied()

    @api.model
    def context_get(self):
        return {'lang': 'en_US', 'tz': False, 'uid': self.env.uid}

    def _is_admin(self):
        return self.id in (1, 2)

    def _is_system(self):
        return self.id in (1, 2)
