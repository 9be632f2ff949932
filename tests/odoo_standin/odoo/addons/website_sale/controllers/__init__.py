from odoo import http


class WebsiteSale(http.Controller):

    @http.route(['/shop', '/shop/page/<int:page>'], type='http', auth='public', website=True)
    def shop(self, page=0, **post):
        return '<!DOCTYPE html>\n<html lang="en-US" data-website-id="1"><body><div id="products_grid"></div></body></html>'
