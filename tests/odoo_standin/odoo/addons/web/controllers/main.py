"""The web client routes the collection meets (Odoo 16 ``web/controllers``)."""
from odoo import http, release
from odoo.api import Environment
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.service.rpc import version_info

_PAGE = '<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>%s</title></head><body>%s</body></html>'


class Home(http.Controller):

    @http.route('/', type='http', auth='none')
    def index(self, *args, **kw):
        return request.redirect('/web')

    @http.route('/web', type='http', auth='none')
    def web_client(self, **kw):
        if not request.db:
            return request.redirect('/web/database/selector')
        if not request.session.uid:
            return request.redirect('/web/login')
        return _PAGE % ('Odoo', '<div class="o_web_client"></div>')

    @http.route('/web/login', type='http', auth='none')
    def web_login(self, redirect=None, **kw):
        if not request.db:
            return request.redirect('/web/database/selector')
        return _PAGE % ('Login | Odoo', '<form class="oe_login_form" method="post" action="/web/login"></form>')

    @http.route('/web/database/selector', type='http', auth='none')
    def selector(self, **kw):
        return _PAGE % ('Odoo', '<div class="o_database_list"></div>')

    @http.route('/web/webclient/version_info', type='json', auth='none')
    def version_info(self):
        return version_info()


class Database(http.Controller):

    @http.route('/web/database/list', type='json', auth='none')
    def list(self):
        return http.db_list()


class Session(http.Controller):

    @http.route('/web/session/authenticate', type='json', auth='none')
    def authenticate(self, db, login, password, base_location=None):
        from odoo.loading import Registry
        if not http.db_filter([db]):
            raise AccessError("Database not found.")
        registry = Registry.get(db)
        with registry.cursor() as cr:
            env = Environment(cr, 1, {}, registry=registry)
            uid = env['res.users'].authenticate(db, login, password, {})
            user = env['res.users'].browse(uid)
            session = request.session
            session.update(db=db, uid=uid, login=login, _dirty=True,
                           context={'lang': 'en_US', 'tz': False, 'uid': uid})
            company = user.company_id
            return {
                'uid': uid,
                'is_system': user._is_system(),
                'is_admin': user._is_admin(),
                'user_context': {'lang': 'en_US', 'tz': False, 'uid': uid},
                'db': db,
                'server_version': release.version,
                'server_version_info': list(release.version_info),
                'support_url': 'https://www.odoo.com/buy',
                'name': user.name,
                'username': login,
                'partner_display_name': user.partner_id.display_name or user.name,
                'company_id': company.id,
                'partner_id': user.partner_id.id or False,
                'web.base.url': env['ir.config_parameter'].get_param('web.base.url', default=''),
            }
