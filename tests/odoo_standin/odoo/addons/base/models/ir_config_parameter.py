import uuid

from odoo import api, fields, models
from odoo.tools import config


class IrConfigParameter(models.Model):
    """System parameters; ``get_param``/``set_param`` behave like Odoo 16's."""
    _name = 'ir.config_parameter'
    _description = 'System Parameter'
    _rec_name = 'key'
    _order = 'key'

    key = fields.Char(required=True)
    value = fields.Text(required=True)

    @api.model
    def init(self, force=False):
        """Create the default parameters (``web.base.url`` = ``http://localhost:<http_port>``)."""
        defaults = {
            'database.secret': lambda: str(uuid.uuid4()),
            'database.uuid': lambda: str(uuid.uuid1()),
            'database.create_date': fields.Datetime.now,
            'web.base.url': lambda: 'http://localhost:%s' % config.get('http_port'),
        }
        for key, func in defaults.items():
            if force or not self.sudo().search([('key', '=', key)]):
                self.sudo().set_param(key, func())

    @api.model
    def get_param(self, key, default=False):
        param = self.sudo().search([('key', '=', key)], limit=1)
        return param.value if param else default

    @api.model
    def set_param(self, key, value):
        param = self.sudo().search([('key', '=', key)])
        if param:
            old = param.value
            if value is not False and value is not None:
                if str(value) != old:
                    param.write({'value': str(value)})
            else:
                param.unlink()
            return old
        if value is not False and value is not None:
            self.sudo().create({'key': key, 'value': str(value)})
        return False
