"""``ir.module.module``: the module list and (un)install/upgrade buttons, as in Odoo 16."""
from odoo import api, fields, models, modules
from odoo.exceptions import UserError

STATES = [
    ('uninstallable', 'Uninstallable'),
    ('uninstalled', 'Not Installed'),
    ('installed', 'Installed'),
    ('to upgrade', 'To be upgraded'),
    ('to remove', 'To be removed'),
    ('to install', 'To be installed'),
]

ACTION_DICT = {
    'view_mode': 'form',
    'res_model': 'base.module.upgrade',
    'target': 'new',
    'type': 'ir.actions.act_window',
}


class Module(models.Model):
    _name = 'ir.module.module'
    _description = 'Module'
    _rec_name = 'shortdesc'
    _order = 'application desc,sequence,name'

    name = fields.Char('Technical Name', readonly=True, required=True)
    shortdesc = fields.Char('Module Name', readonly=True)
    summary = fields.Char('Summary', readonly=True)
    description = fields.Text('Description', readonly=True)
    author = fields.Char('Author', readonly=True)
    maintainer = fields.Char('Maintainer', readonly=True)
    contributors = fields.Text('Contributors', readonly=True)
    website = fields.Char('Website', readonly=True)
    latest_version = fields.Char('Installed Version', readonly=True)
    installed_version = fields.Char('Latest Version', readonly=True, store=False,
                                    compute='_get_latest_version')
    published_version = fields.Char('Published Version', readonly=True)
    url = fields.Char('URL', readonly=True)
    sequence = fields.Integer('Sequence', default=100)
    dependencies_id = fields.One2many('ir.module.module.dependency', 'module_id', string='Dependencies',
                                      readonly=True)
    auto_install = fields.Boolean('Automatic Installation')
    state = fields.Selection(STATES, string='Status', default='uninstallable', readonly=True)
    demo = fields.Boolean('Demo Data', default=False, readonly=True)
    license = fields.Char(string='License', default='LGPL-3', readonly=True)
    application = fields.Boolean('Application', readonly=True)
    icon = fields.Char('Icon URL')
    to_buy = fields.Boolean('Odoo Enterprise Module', default=False)

    def read(self, fields=None, load='_classic_read'):
        result = super().read(fields, load)
        for row in result:
            if 'installed_version' in row:
                name = self.browse(row['id']).name
                row['installed_version'] = self.get_module_info(name).get(
                    'version', modules.adapt_version('1.0'))
        return result

    @api.model
    def get_module_info(self, name):
        return modules.get_manifest(name)

    @staticmethod
    def get_values_from_terp(terp):
        return {
            'description': terp.get('description', ''),
            'shortdesc': terp.get('name', ''),
            'author': terp.get('author', 'Unknown'),
            'maintainer': terp.get('maintainer', False),
            'contributors': ', '.join(terp.get('contributors', [])) or False,
            'website': terp.get('website', ''),
            'license': terp.get('license', 'LGPL-3'),
            'sequence': terp.get('sequence', 100),
            'application': terp.get('application', False),
            'auto_install': terp.get('auto_install', False) is not False,
            'icon': terp.get('icon', False),
            'summary': terp.get('summary', ''),
            'url': terp.get('url') or terp.get('live_test_url', ''),
            'to_buy': False,
        }

    @api.model
    def update_list(self):
        """Refresh the module list from disk; ``[updated, added]`` (``updated`` counts every module
        whose manifest version is above the stored ``latest_version``)."""
        res = [0, 0]
        default_version = modules.adapt_version('1.0')
        known = {mod.name: mod for mod in self.with_context(lang=None).search([])}
        for mod_name in modules.get_modules():
            mod = known.get(mod_name)
            terp = self.get_module_info(mod_name)
            values = self.get_values_from_terp(terp)
            if mod:
                updated = {}
                for key, value in values.items():
                    old = getattr(mod, key)
                    if (old or value) and value != old:
                        updated[key] = value
                if terp.get('installable', True) and mod.state == 'uninstallable':
                    updated['state'] = 'uninstalled'
                if modules.parse_version(terp.get('version', default_version)) > \
                        modules.parse_version(mod.latest_version or default_version):
                    res[0] += 1
                if updated:
                    mod.write(updated)
            else:
                if not terp:
                    continue
                state = 'uninstalled' if terp.get('installable', True) else 'uninstallable'
                mod = self.create(dict(name=mod_name, state=state, **values))
                res[1] += 1
            mod._update_dependencies(terp.get('depends', []), terp.get('auto_install'))
        return res

    def _update_dependencies(self, depends, auto_install_requirements=()):
        existing = {dep.name: dep for dep in self.dependencies_id}
        needed = set(depends or [])
        auto = set(depends or []) if auto_install_requirements is True else set(auto_install_requirements or [])
        Dependency = self.env['ir.module.module.dependency']
        for name in needed - set(existing):
            Dependency.create({'module_id': self.id, 'name': name, 'auto_install_required': name in auto})
        for name in set(existing) - needed:
            existing[name].unlink()
        for name in needed & set(existing):
            if existing[name].auto_install_required != (name in auto):
                existing[name].auto_install_required = name in auto

    def _dep_modules(self):
        """(dependency name, module record or empty) for each dependency of this module."""
        self.ensure_one()
        return [(dep.name, self.search([('name', '=', dep.name)], limit=1)) for dep in self.dependencies_id]

    def _state_update(self, newstate, states_to_update, level=100):
        if level < 1:
            raise UserError('Recursion error in modules dependencies!')
        for module in self:
            update_mods = self.browse()
            for dep_name, dep_module in module._dep_modules():
                if not dep_module:
                    raise UserError("You try to install module %r that depends on module %r.\n"
                                    "But the latter module is not available in your system."
                                    % (module.name, dep_name))
                if dep_module.state != newstate:
                    update_mods |= dep_module
            update_mods._state_update(newstate, states_to_update, level=level - 1)
            if module.state in states_to_update:
                module.write({'state': newstate})

    def button_install(self):
        self._state_update('to install', ['uninstalled'])

        def must_install(module):
            states = {dep.state for _name, dep in module._dep_modules()
                      if dep and any(d.name == dep.name and d.auto_install_required
                                     for d in module.dependencies_id)}
            return states <= {'installed', 'to install', 'to upgrade'} and 'to install' in states

        while True:
            candidates = self.search([('state', '=', 'uninstalled'), ('auto_install', '=', True)])
            to_install = candidates.filtered(must_install)
            if not to_install:
                break
            to_install._state_update('to install', ['uninstalled'])
        return dict(ACTION_DICT, name='Install')

    def button_upgrade(self):
        if not self:
            return
        self.update_list()
        todo = list(self)
        i = 0
        while i < len(todo):
            module = todo[i]
            i += 1
            if module.state not in ('installed', 'to upgrade'):
                raise UserError("Can not upgrade module %r. It is not installed." % module.name)
            for dep in self.env['ir.module.module.dependency'].search([('name', '=', module.name)]):
                if dep.module_id.state == 'installed' and dep.module_id not in todo:
                    todo.append(dep.module_id)
        self.browse([m.id for m in todo]).write({'state': 'to upgrade'})
        to_install = []
        for module in todo:
            for dep_name, dep_module in module._dep_modules():
                if not dep_module:
                    raise UserError('You try to upgrade the module %s that depends on the module: %s.\n'
                                    'But this module is not available in your system.' % (module.name, dep_name))
                if dep_module.state == 'uninstalled':
                    to_install.append(dep_module.id)
        self.browse(to_install).button_install()
        return dict(ACTION_DICT, name='Apply Schedule Upgrade')

    def button_upgrade_cancel(self):
        self.write({'state': 'installed'})
        return True

    def button_install_cancel(self):
        self.write({'state': 'uninstalled', 'demo': False})
        return True

    def _button_immediate_function(self, function):
        from odoo.loading import Registry
        function(self)
        self.env.cr.commit()
        Registry.new(self.env.cr.dbname, update_module=True)
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def button_immediate_install(self):
        return self._button_immediate_function(type(self).button_install)

    def button_immediate_upgrade(self):
        return self._button_immediate_function(type(self).button_upgrade)


class ModuleDependency(models.Model):
    _name = 'ir.module.module.dependency'
    _description = 'Module dependency'

    name = fields.Char(string='Name')
    module_id = fields.Many2one('ir.module.module', 'Module', ondelete='cascade')
    auto_install_required = fields.Boolean(default=True)

    @property
    def state(self):
        module = self.env['ir.module.module'].search([('name', '=', self.name)], limit=1)
        return module.state if module else 'unknown'
