"""``ir.model.fields`` and, from 13.0, ``ir.model.fields.selection``: the fields of each model as the database
records them (Odoo ``base/models/ir_model.py``).

Rows are written when a module is installed or upgraded, for the models it defines or extends
(``loading._reflect``), never at a plain registry load: so they describe the code of the last ``-i``/``-u``, as in
Odoo. ``ir.model.fields.selection`` holds the values of selections given as a list only; a selection given as a
function or method name has no rows (Odoo's ``_reflect_selections`` keeps ``isinstance(field.selection, list)``).
Not modelled: ``ir.model`` and ``model_id``, the fields' xml ids (``field_<model>__<name>``), 12.0's ``selection``
text column.
"""
from odoo import fields, models, release


class IrModelFields(models.Model):
    _name = 'ir.model.fields'
    _description = 'Fields'
    _order = 'name'
    _rec_name = 'field_description'

    name = fields.Char('Field Name', required=True)
    model = fields.Char('Model Name', required=True)
    field_description = fields.Char('Field Label')
    ttype = fields.Char('Field Type', required=True)
    relation = fields.Char('Related Model')
    relation_field = fields.Char('Relation Field')
    relation_table = fields.Char('Relation Table')
    column1 = fields.Char('Column 1')
    column2 = fields.Char('Column 2')
    required = fields.Boolean()
    readonly = fields.Boolean()
    store = fields.Boolean('Stored', default=True)
    translate = fields.Boolean('Translatable')
    state = fields.Char('Type', default='base', required=True)


if release.version_info[0] >= 13:
    class IrModelFieldsWithSelection(models.Model):
        _inherit = 'ir.model.fields'

        selection_ids = fields.One2many('ir.model.fields.selection', 'field_id', string='Selection Options')

    class IrModelFieldsSelection(models.Model):
        _name = 'ir.model.fields.selection'
        _description = 'Fields Selection'
        _order = 'sequence, id'

        field_id = fields.Many2one('ir.model.fields', required=True, ondelete='cascade', index=True)
        value = fields.Char(required=True)
        name = fields.Char(translate=True, required=True)
        sequence = fields.Integer(default=1000)
