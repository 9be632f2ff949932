"""XML-RPC endpoints (Odoo 16 serves them as routes of ``base``, ``auth='none'``)."""
from odoo import http
from odoo.http import Response, request
from odoo.service.rpc import handle_xmlrpc


class RPC(http.Controller):

    @http.route(['/xmlrpc/<service>', '/xmlrpc/2/<service>'], auth='none', methods=['POST'], csrf=False)
    def xmlrpc_2(self, service):
        body = handle_xmlrpc(service, request.httprequest.get_data())
        return Response(body, content_type='text/xml; charset=utf-8')
