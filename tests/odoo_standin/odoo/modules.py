"""Module discovery on disk (Odoo's ``odoo/modules/module.py``).

* ``initialize_sys_path`` builds ``odoo.addons.__path__``: the package's own ``odoo/addons`` (it is
  there from the start, ``pkgutil.extend_path``), then ``<data_dir>/addons/<series>`` when readable,
  then each ``addons_path`` entry (made absolute).  Python imports and module lookups both follow
  this order, so an earlier copy of a module shadows later ones silently.
* Manifests are cached for the life of the process (Odoo 16 ``get_manifest`` is ``lru_cache``'d):
  a new version of a known module is invisible until restart; a new module folder is seen at once.
"""
import ast
import importlib
import logging
import os
import threading

import odoo.addons

from . import release
from .tools import config

_logger = logging.getLogger('odoo.modules.module')

MANIFEST_NAMES = ('__manifest__.py', '__openerp__.py')

_DEFAULT_MANIFEST = {
    'application': False, 'author': 'Odoo S.A.', 'auto_install': False, 'category': 'Uncategorized',
    'data': [], 'demo': [], 'depends': [], 'description': '', 'external_dependencies': {},
    'installable': True, 'license': 'LGPL-3', 'name': False, 'summary': '', 'version': '1.0',
    'website': '', 'post_init_hook': '', 'pre_init_hook': '',
}

_manifest_cache = {}
_manifest_lock = threading.Lock()


def initialize_sys_path():
    paths = odoo.addons.__path__
    data_addons = os.path.normcase(config.addons_data_dir)
    if os.access(data_addons, os.R_OK) and data_addons not in paths:
        paths.append(data_addons)
    for entry in config['addons_path'].split(','):
        entry = os.path.normcase(os.path.abspath(entry.strip()))
        if entry not in paths:
            paths.append(entry)
    base_path = os.path.normcase(os.path.abspath(os.path.dirname(odoo.addons.__file__)))
    if base_path not in paths and os.path.isdir(base_path):
        paths.append(base_path)


def adapt_version(version):
    serie = release.major_version
    if version == serie or not version.startswith(serie + '.'):
        version = '%s.%s' % (serie, version)
    return version


def parse_version(version):
    """Comparable key for dotted versions (enough of ``odoo.tools.parse_version`` for numbers)."""
    key = []
    for part in str(version).split('.'):
        key.append((0, int(part), '') if part.isdigit() else (1, 0, part))
    return tuple(key)


def _manifest_file(path):
    for name in MANIFEST_NAMES:
        candidate = os.path.join(path, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def get_module_path(module, display_warning=True):
    if '/' in module or '\\' in module:
        return False
    for adp in odoo.addons.__path__:
        if _manifest_file(os.path.join(adp, module)):
            return os.path.join(adp, module)
    if display_warning:
        _logger.warning('module %s: module not found', module)
    return False


def get_modules():
    """Names of every module found in the addons path (missing path entries are logged)."""
    names = set()
    for adp in odoo.addons.__path__:
        if not os.path.exists(adp):
            _logger.warning("addons path does not exist: %s", adp)
            continue
        for name in os.listdir(adp):
            if _manifest_file(os.path.join(adp, name)):
                names.add(name)
    return sorted(names)


def get_manifest(module):
    """Manifest of ``module`` (``{}`` if not found), read once per process."""
    with _manifest_lock:
        if module in _manifest_cache:
            return _manifest_cache[module]
        manifest = {}
        path = get_module_path(module, display_warning=False)
        if path:
            with open(_manifest_file(path), encoding='utf-8') as f:
                manifest = dict(_DEFAULT_MANIFEST)
                manifest.update(ast.literal_eval(f.read()))
            # Built-in modules whose dependencies change with the series say so with a stand-in key:
            # 'standin_depends': [(max_major, [deps]), ...], the first bound >= the series wins.
            for max_major, depends in manifest.pop('standin_depends', []):
                if release.version_info[0] <= max_major:
                    manifest['depends'] = list(depends)
                    break
            # ... and data files, the same way: 'standin_data': [(max_major, [files]), ...]
            for max_major, data in manifest.pop('standin_data', []):
                if release.version_info[0] <= max_major:
                    manifest['data'] = list(data)
                    break
            manifest['version'] = adapt_version(str(manifest['version']))
            manifest['addons_path'] = os.path.dirname(path)
            manifest['module_path'] = path
        _manifest_cache[module] = manifest
        return manifest


def load_openerp_module(module):
    """Import ``odoo.addons.<module>`` (its models and controllers register themselves)."""
    try:
        importlib.import_module('odoo.addons.' + module)
    except Exception:
        _logger.critical("Couldn't load module %s", module)
        raise
