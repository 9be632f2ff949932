from odoo import fields, models


class IrUiView(models.Model):
    """Views (stored, never rendered by the stand-in)."""
    _name = 'ir.ui.view'
    _description = 'View'
    _order = 'priority,name,id'

    name = fields.Char('View Name', required=True)
    model = fields.Char()
    key = fields.Char()
    priority = fields.Integer(default=16)
    type = fields.Selection([('tree', 'Tree'), ('form', 'Form'), ('graph', 'Graph'), ('pivot', 'Pivot'),
                             ('calendar', 'Calendar'), ('gantt', 'Gantt'), ('kanban', 'Kanban'),
                             ('search', 'Search'), ('qweb', 'QWeb')], 'View Type')
    arch = fields.Text('View Architecture')
    arch_db = fields.Text()
    inherit_id = fields.Many2one('ir.ui.view', 'Inherited View')
    mode = fields.Selection([('primary', 'Base view'), ('extension', 'Extension View')], default='primary')
    active = fields.Boolean(default=True)
