from odoo import api, fields, models


class IrModelData(models.Model):
    """External identifiers (``module.name`` -> model, res_id)."""
    _name = 'ir.model.data'
    _description = 'Model Data'
    _order = 'module, model, name'

    name = fields.Char('External Identifier', required=True)
    complete_name = fields.Char()
    module = fields.Char(default='', required=True)
    model = fields.Char('Model Name', required=True)
    res_id = fields.Integer('Record ID')
    noupdate = fields.Boolean('Non Updatable', default=False)

    @api.model
    def _xmlid_lookup(self, xmlid):
        if '.' not in xmlid:
            raise ValueError('External ID not found in the system: %s' % xmlid)
        module, name = xmlid.split('.', 1)
        rec = self.sudo().search([('module', '=', module), ('name', '=', name)], limit=1)
        if not rec:
            raise ValueError('External ID not found in the system: %s' % xmlid)
        return rec.id, rec.model, rec.res_id

    @api.model
    def _xmlid_to_res_model_res_id(self, xmlid, raise_if_not_found=False):
        try:
            return self._xmlid_lookup(xmlid)[1:3]
        except ValueError:
            if raise_if_not_found:
                raise
            return (False, False)

    @api.model
    def _xmlid_to_res_id(self, xmlid, raise_if_not_found=False):
        return self._xmlid_to_res_model_res_id(xmlid, raise_if_not_found)[1]

    @api.model
    def check_object_reference(self, module, xml_id, raise_on_access_error=False):
        return self._xmlid_lookup('%s.%s' % (module, xml_id))[1:3]

    @api.model
    def _update_xmlid(self, module, name, model, res_id, noupdate):
        rec = self.sudo().search([('module', '=', module), ('name', '=', name)], limit=1)
        vals = {'module': module, 'name': name, 'model': model, 'res_id': res_id, 'noupdate': bool(noupdate),
                'complete_name': '%s.%s' % (module, name)}
        if rec:
            rec.write(vals)
        else:
            self.sudo().create(vals)
