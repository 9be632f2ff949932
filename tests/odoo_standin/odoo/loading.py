"""Registries (one per database) and module loading (Odoo's ``modules/registry.py`` + ``loading.py``).

A registry holds the model classes of the modules installed in its database.  Loading imports the
installed modules' Python (``odoo.addons.<name>``), builds their models in dependency order and,
when asked to update (``-i``/``-u``, ``button_immediate_*``), refreshes the module list, marks the
requested modules and loads their data files, committing after each module as Odoo does.  Every
change of installed modules bumps a sequence stored in the database; a running server compares it
on each request and reloads the registry (Odoo's "registry signaling").
"""
import datetime
import logging
import os
import sys
import threading
import time

from . import modules, release, sql_db, timing
from .fields import _UNSET
from .api import SUPERUSER_ID, Environment
from .convert import load_data
from .models import MetaModel, build_model, model_name_of
from .tools import config

_logger = logging.getLogger('odoo.modules.loading')
# Odoo's graph.Graph.add_modules logs under this name each module it leaves out of the registry.
_graph_logger = logging.getLogger('odoo.modules.graph')
_migration_logger = logging.getLogger('odoo.modules.migration')
MIGRATION_STAGES = {'pre': '[>%s]', 'post': '[%s>]', 'end': '[$%s]'}
# Odoo's modules/registry.py logs "Registry loaded in %.3fs" under this name at the end of Registry.new.
_registry_logger = logging.getLogger('odoo.modules.registry')

SIGNALING_KEY = 'registry_sequence'


class Registry:
    _registries = {}
    _lock = threading.RLock()

    def __init__(self, dbname):
        self.db_name = dbname
        self.models = {}
        self.loaded = []           # module names whose Python and models are loaded, in order
        self.sequence = None
        self.reflected = set()     # models reflected in ir.model.fields during this load (-i/-u)

    # ---- access ---------------------------------------------------------------------
    @classmethod
    def get(cls, dbname):
        """The cached registry of ``dbname``, (re)built when missing or signaled as stale."""
        with cls._lock:
            registry = cls._registries.get(dbname)
            if registry is None:
                return cls.new(dbname)
            return registry.check_signaling()

    @classmethod
    def new(cls, dbname, update_module=False):
        with cls._lock:
            started = time.time()
            # test equipment: the step real Odoo spends this load on (timing.py, off unless asked for)
            # (an update without -i/-u on the command line: modules marked by button_immediate_*, as -u costs)
            step = ('init' if config['init'] else 'update') if update_module else process_kind()
            cls._registries.pop(dbname, None)
            registry = cls(dbname)
            try:
                load_modules(registry, update_module)
            except Exception:
                reset_modules_state(dbname)
                count_load(dbname, 'failed')
                timing.spend(step, started)
                raise
            timing.spend(step, started)
            registry.sequence = sql_db.read_meta(dbname, SIGNALING_KEY, '0')
            cls._registries[dbname] = registry
            _registry_logger.info("Registry loaded in %.3fs", time.time() - started)
            count_load(dbname, 'ok')
            return registry

    def check_signaling(self):
        if sql_db.read_meta(self.db_name, SIGNALING_KEY, '0') != self.sequence:
            _logger.info("Reloading the model registry after database signaling.")
            return Registry.new(self.db_name)
        return self

    def cursor(self):
        cr = sql_db.Cursor(self.db_name)
        cr.registry = self
        return cr

    def __getitem__(self, model_name):
        return self.models[model_name]

    def __contains__(self, model_name):
        return model_name in self.models

    def __iter__(self):
        return iter(self.models)

    @property
    def routes(self):
        """HTTP endpoints of the controllers of the modules loaded in this registry."""
        if getattr(self, '_routes', None) is None:
            from .http import build_routes
            self._routes = build_routes(self.loaded)
        return self._routes

    def load(self, module):
        """Import ``module``'s Python and add its model definitions."""
        if module in self.loaded:
            return
        modules.load_openerp_module(module)
        for cls in MetaModel.module_to_models.get(module, []):
            build_model(self, cls)
        self.loaded.append(module)


# ---- test equipment: the registry-load counter (not Odoo) ------------------------------
def load_log_path():
    """The stand-in's own log of registry loads: ``$ODOO_STANDIN_LOAD_LOG``, else ``registry-loads.log`` next to
    the database folder (``/var/lib/odoo-standin/registry-loads.log`` on the test hosts)."""
    return os.environ.get('ODOO_STANDIN_LOAD_LOG') or \
        os.path.join(os.path.dirname(os.path.abspath(sql_db.db_dir())), 'registry-loads.log')


def process_kind():
    """``shell``, ``cli`` (a run with --stop-after-init: -i/-u, database creation) or ``server``."""
    if len(sys.argv) > 1 and sys.argv[1] == 'shell':
        return 'shell'
    return 'cli' if config.get('stop_after_init') else 'server'


def count_load(dbname, outcome):
    """Append one line per registry load (what a real Odoo spends seconds on) to :func:`load_log_path`, whatever
    the log level: ``<UTC time> pid=<pid> db=<db> kind=<shell|cli|server> <ok|failed>``. Test equipment for
    ``make bench``; a host where the file cannot be written keeps no count (Odoo's behaviour is unchanged)."""
    line = '%s pid=%d db=%s kind=%s %s\n' % (
        datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%S.%fZ'), os.getpid(), dbname, process_kind(), outcome)
    try:
        fd = os.open(load_log_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError:
        return
    try:
        # shared by the service user and root (tests run either): writable by both, whoever created it
        if os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, 0o666)
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _ordered(names):
    """``names`` sorted so that dependencies come first (missing manifests are left out)."""
    names = set(names)
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        for dep in modules.get_manifest(name).get('depends', []):
            if dep in names:
                visit(dep)
        order.append(name)
    for name in sorted(names):
        visit(name)
    return order


def _call_hook(registry, env, module, hook_name):
    manifest = modules.get_manifest(module)
    if manifest.get(hook_name):
        package = __import__('odoo.addons.' + module, fromlist=[manifest[hook_name]])
        hook = getattr(package, manifest[hook_name])
        if release.version_info[0] >= 17 and hook_name != 'pre_init_hook':
            hook(env)
        else:
            hook(env.cr, registry) if hook_name == 'post_init_hook' else hook(env.cr)


def _process_marked(registry, env, update_module):
    """Load every module installed or marked in the database; install/upgrade the marked ones."""
    Module = env['ir.module.module']
    states = ('installed', 'to upgrade', 'to remove', 'to install') if update_module else \
        ('installed', 'to upgrade', 'to remove')
    while True:
        mods = {m.name: m.state for m in Module.search([('state', 'in', list(states))])}
        missing = sorted(name for name in mods if not modules.get_manifest(name)
                         or not modules.get_manifest(name).get('installable', True))
        # As Odoo's graph.add_modules: a module without a readable, installable manifest (folder missing, or not
        # readable by the user Odoo runs as) is skipped with this warning, then load_modules lists them all.
        for name in missing:
            _graph_logger.warning('module %s: not installable, skipped', name)
        if missing:
            _logger.error("Some modules are not loaded, some dependencies or manifest may be missing: %s", missing)
        todo = [n for n in _ordered(n for n in mods if n not in missing)]
        pending = [n for n in todo if mods[n] in ('to install', 'to upgrade') and update_module]
        upgraded = {}
        for name in todo:
            if name in pending and mods[name] == 'to upgrade':
                upgraded[name] = Module.search([('name', '=', name)]).latest_version
                _migrate(env, name, 'pre', upgraded[name])
            registry.load(name)
            if name in pending:
                _install_or_upgrade(registry, env, name, mods[name], upgraded.get(name))
        for name, installed in upgraded.items():
            _migrate(env, name, 'end', installed)
        if upgraded:
            env.cr.commit()
        if not pending:
            return


def _parse_version(version):
    return tuple(int(part) if part.isdigit() else 0 for part in version.split('.'))


def _migrate(env, name, stage, installed):
    """Run the migration scripts of module ``name`` for ``stage`` on an upgrade from version ``installed``, as Odoo's
    ``MigrationManager.migrate_module``: each folder of ``<module>/migrations/`` whose version (with the series in
    front when it has fewer than two dots) is above ``installed`` and at most the module's new version (``0.0.0``: at
    every version change), in version order; in it, the files named ``<stage>-*.py`` in name order; each one's
    ``migrate(cr, installed_version)`` is called in the module's transaction."""
    path = modules.get_module_path(name, display_warning=False)
    folder = os.path.join(path, 'migrations') if path else None
    if not installed or not folder or not os.path.isdir(folder):
        return

    def full(version):
        return version if version.count('.') >= 2 else '%s.%s' % (release.major_version, version)

    current = _parse_version(modules.get_manifest(name)['version'])
    done = _parse_version(installed)
    versions = sorted((v for v in os.listdir(folder) if os.path.isdir(os.path.join(folder, v))),
                      key=lambda v: _parse_version(full(v)))
    for version in versions:
        if not ((version == '0.0.0' and done < current) or done < _parse_version(full(version)) <= current):
            continue
        scripts = sorted(f for f in os.listdir(os.path.join(folder, version))
                         if f.startswith(stage + '-') and f.endswith('.py'))
        for script in scripts:
            pyfile = os.path.join(folder, version, script)
            scope = {'__name__': 'odoo.addons.%s.migrations.%s' % (name, script[:-3]), '__file__': pyfile}
            with open(pyfile, 'rb') as source:
                exec(compile(source.read(), pyfile, 'exec'), scope)
            _migration_logger.info('module %s: Running migration %s %s', name,
                                   MIGRATION_STAGES[stage] % version, scope['__name__'])
            scope['migrate'](env.cr, installed)


def _install_or_upgrade(registry, env, name, state, installed=None):
    manifest = modules.get_manifest(name)
    mode = 'init' if state == 'to install' else 'update'
    _logger.info("Loading module %s (%s)", name, 'install' if mode == 'init' else 'upgrade')
    _init_new_columns(registry, env, name)
    _reflect(registry, env, name)
    if mode == 'init':
        _call_hook(registry, env, name, 'pre_init_hook')
    load_data(env, name, manifest, mode)
    if mode == 'update':
        _migrate(env, name, 'post', installed)
    module = env['ir.module.module'].search([('name', '=', name)])
    module.write({'state': 'installed', 'latest_version': manifest['version']})
    if mode == 'init':
        _call_hook(registry, env, name, 'post_init_hook')
    seq = int(env.cr.get_meta(SIGNALING_KEY, '0')) + 1
    env.cr.set_meta(SIGNALING_KEY, seq)
    env.cr.commit()


def _module_models(registry, module):
    """The models ``module`` defines or extends, sorted."""
    names = set(model_name_of(cls) for cls in MetaModel.module_to_models.get(module, []))
    return sorted(name for name in names if name in registry)


def _reflect(registry, env, module):
    """Record the fields of the models ``module`` defines or extends in ``ir.model.fields`` and their list
    selections in ``ir.model.fields.selection`` (13+), as Odoo's ``init_models`` does for a module being installed
    or upgraded (``_reflect_fields``, ``_reflect_selections``). The registry is still partial here (modules later
    in the graph are not loaded yet, with the fields they add): rows are only added or updated; the rows of fields
    and values the code no longer has go at the end of the load (:func:`_drop_unreflected`), as Odoo removes them
    in ``_process_end`` once every module is loaded."""
    if 'ir.model.fields' not in registry:
        return
    Fields = env['ir.model.fields'].sudo()
    Selection = env['ir.model.fields.selection'].sudo() if 'ir.model.fields.selection' in registry else None
    for model_name in _module_models(registry, module):
        registry.reflected.add(model_name)
        existing = {rec.name: rec for rec in Fields.search([('model', '=', model_name)])}
        for name, field in registry[model_name]._fields.items():
            vals = {'name': name, 'model': model_name, 'field_description': field.string, 'ttype': field.type,
                    'relation': field.args.get('comodel_name') or False,
                    'relation_field': field.args.get('inverse_name') or False,
                    'relation_table': field.relation_table if field.type == 'many2many' else False,
                    'column1': field.relation_columns[0] if field.type == 'many2many' else False,
                    'column2': field.relation_columns[1] if field.type == 'many2many' else False,
                    'required': bool(field.required), 'readonly': bool(field.readonly),
                    'store': bool(field.store), 'translate': bool(field.translate)}
            record = existing.pop(name, None)
            if record is None:
                record = Fields.create(vals)
            elif any(record[key] != value for key, value in vals.items()):
                record.write(vals)
            if Selection is not None and field.type == 'selection':
                _reflect_selection(Selection, record, field)


def _drop_unreflected(registry, env):
    """Once every module is loaded: remove the ``ir.model.fields`` rows (with their selection values) of fields the
    models reflected during this load no longer have, and the selection values their list selections dropped."""
    if 'ir.model.fields' not in registry or not registry.reflected:
        return
    Fields = env['ir.model.fields'].sudo()
    Selection = env['ir.model.fields.selection'].sudo() if 'ir.model.fields.selection' in registry else None
    for model_name in sorted(registry.reflected):
        fields = registry[model_name]._fields if model_name in registry else {}
        for record in Fields.search([('model', '=', model_name)]):
            field = fields.get(record.name)
            if field is None:
                if Selection is not None:
                    Selection.search([('field_id', '=', record.id)]).unlink()
                record.unlink()
            elif Selection is not None and field.type == 'selection' and isinstance(field.args.get('selection'),
                                                                                      list):
                values = [item[0] for item in field.args['selection']]
                Selection.search([('field_id', '=', record.id), ('value', 'not in', values)]).unlink()
    registry.reflected.clear()


def _reflect_selection(Selection, record, field):
    selection = field.args.get('selection')
    if not isinstance(selection, list):
        return
    rows = {rec.value: rec for rec in Selection.search([('field_id', '=', record.id)])}
    for index, (value, label) in enumerate(selection):
        row = rows.pop(value, None)
        vals = {'field_id': record.id, 'value': value, 'name': str(label), 'sequence': index}
        if row is None:
            Selection.create(vals)
        elif row.name != vals['name'] or row.sequence != index:
            row.write({'name': vals['name'], 'sequence': index})


def _init_new_columns(registry, env, module):
    """Fill the rows that exist with the default of each stored field ``module`` adds to their model.

    As Odoo's ``_auto_init`` for the models of a module being installed or upgraded: ``Field.update_db`` creates the
    missing column and, when the table has rows, ``BaseModel._init_column`` sets it to the field's default, computed
    then (while the module's state is still ``to install`` or ``to upgrade``). ``cr.new_columns`` creates the table
    and columns (PostgreSQL) and says which columns are new to a table that has rows (on SQLite, where rows are JSON
    objects, a column "exists" when the rows hold its key: ``create`` stores every field).
    """
    for model_name in _module_models(registry, module):
        model = env[model_name]
        added = env.cr.new_columns(model_name)
        rows = env.cr.fetch_all(model_name) if added else {}
        if not rows:
            continue
        for field_name in added:
            field = model._fields[field_name]
            value = field.default_value(model)
            if value is _UNSET or value is None:
                continue            # no default: the new column stays NULL (read as False)
            stored = field.to_store(value, model)
            for rid in rows:
                env.cr.update(model_name, rid, {field_name: stored})


def _check_module_names(env, names):
    names = set(names) - {'all'}
    if names:
        known = {m.name for m in env['ir.module.module'].search([])}
        incorrect = names - known
        if incorrect:
            _logger.warning('invalid module names, ignored: %s', ", ".join(sorted(incorrect)))


def load_modules(registry, update_module=False):
    """Load ``registry`` from its database; with ``update_module``, apply ``config['init'/'update']``."""
    threading.current_thread().dbname = registry.db_name
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {}, registry=registry)
        registry.load('base')
        if not cr.get_meta('initialized'):
            if not update_module:
                raise sql_db.OperationalError("Database %s not initialized, you can force it with `-i base`"
                                              % registry.db_name)
            _logger.info("init db")
            for model_name in registry.models:      # base's tables (odoo.modules.db.initialize)
                cr.new_columns(model_name)
            env['ir.module.module'].update_list()
            env['ir.module.module'].search([('name', '=', 'base')]).button_install()
            cr.set_meta('initialized', 1)
        base = env['ir.module.module'].search([('name', '=', 'base')])
        if update_module and base.state in ('to install', 'to upgrade'):
            _install_or_upgrade(registry, env, 'base', base.state)
        if update_module:
            _logger.info('updating modules list')
            Module = env['ir.module.module']
            Module.update_list()
            _check_module_names(env, list(config['init']) + list(config['update']))
            init_names = [k for k, v in config['init'].items() if v]
            if init_names:
                Module.search([('state', '=', 'uninstalled'), ('name', 'in', init_names)]).button_install()
            update_names = [k for k, v in config['update'].items() if v]
            if update_names:
                domain = [('state', 'in', ['installed', 'to upgrade'])]
                if 'all' not in update_names:
                    domain.append(('name', 'in', update_names))
                Module.search(domain).button_upgrade()
        _process_marked(registry, env, update_module)
        _drop_unreflected(registry, env)
        env.cr.commit()
        for kind in ('init', 'update', 'demo'):
            config[kind] = {}
        _logger.info("Modules loaded.")


def reset_modules_state(dbname):
    """After a failed load, put the modules marked ``to …`` back (Odoo's ``loading.reset_modules_state``).

    ``to install`` becomes ``uninstalled``; ``to upgrade`` and ``to remove`` become ``installed``, so a failed
    ``-i``/``-u`` does not leave the database blocked for the next one.
    """
    if not sql_db.exists(dbname):
        return
    back = {'to install': 'uninstalled', 'to upgrade': 'installed', 'to remove': 'installed'}
    with sql_db.Cursor(dbname) as cr:
        for rid, vals in cr.fetch_all('ir.module.module').items():
            if vals.get('state') in back:
                cr.update('ir.module.module', rid, {'state': back[vals['state']]})


def registry(dbname):
    """``odoo.registry(dbname)``."""
    return Registry.get(dbname)
