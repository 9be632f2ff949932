from odoo import http

_PAGE = ('<!DOCTYPE html>\n<html lang="en-US" data-website-id="1">\n<head><meta charset="utf-8"/>'
         '<title>%s | My Website</title></head><body>%s</body></html>')


class Website(http.Controller):

    @http.route('/', type='http', auth='public', website=True)
    def index(self, **kw):
        return _PAGE % ('Home', '<main id="wrap"></main>')
