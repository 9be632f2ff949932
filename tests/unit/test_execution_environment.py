# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution environment files say exactly what the collection needs on the controller.

``meta/execution-environment.yml`` (read by ansible-builder when it installs the collection) points at
``meta/ee-requirements.txt`` and ``meta/ee-bindep.txt``; ``execution-environment.yml`` at the repository root
builds an image with ansible-core, ansible-runner and this collection. These tests fail when a module or
module_util imports a third-party package the requirements do not list (or the list names one nothing imports),
when a playbook or role uses a collection the image would not have, when the two files disagree with each other
or with galaxy.yml and meta/runtime.yml, and when the built tarball leaves the metadata out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os
import re
import subprocess
import sys
import tarfile

import pytest
import yaml

from ansible.release import __version__ as ANSIBLE_CORE_VERSION
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OWN_PACKAGE = 'ansible_collections.systempay.odoo'
# Collections whose content ansible-core itself provides.
CORE_COLLECTIONS = {'ansible.builtin', 'ansible.legacy'}
FQCN_RE = re.compile(r'^([a-z0-9_]+)\.([a-z0-9_]+)\.[a-z0-9_]+$')
# In Jinja text: filters (`| ns.coll.name`), tests (`is ns.coll.name`), lookups (`lookup('ns.coll.name'`).
JINJA_FQCN_RE = re.compile(r"(?:\|\s*|\bis\s+(?:not\s+)?|(?:lookup|query|q)\(\s*['\"])([a-z0-9_]+)\.([a-z0-9_]+)\.[a-z0-9_]+\b")


def _load_yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def _requirement_lines(relative):
    with open(os.path.join(ROOT, relative)) as handle:
        return [line.strip() for line in handle if line.strip() and not line.strip().startswith('#')]


def _normalize(name):
    return re.sub(r'[-_.]+', '_', name).lower()


def _python_requirements(lines):
    """``{import name: requirement line}``; ``# import: NAME`` after a line gives an import name of its own."""
    found = {}
    for line in lines:
        spec, dummy, comment = line.partition('#')
        name = re.match(r'^\s*([A-Za-z0-9][A-Za-z0-9._-]*)', spec).group(1)
        match = re.search(r'import:\s*([A-Za-z_][A-Za-z0-9_]*)', comment)
        found[match.group(1) if match else _normalize(name)] = line
    return found


def _handles_import_error(handler):
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id in ('ImportError', 'ModuleNotFoundError') for name in names)


def imported_modules(source):
    """Absolute module names ``source`` imports.

    An import in an ``except ImportError`` handler is the fallback of the import tried above it (the Python 2
    names, ``httplib``, ``xmlrpclib``...): only the tried one counts. An import in the ``try`` body counts, even
    when its failure is handled: the execution environment must have what the module uses when it can.
    """
    tree = ast.parse(source)
    fallbacks = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None and _handles_import_error(node):
            for inner in ast.walk(node):
                fallbacks.add(id(inner))
    names = set()
    for node in ast.walk(tree):
        if id(node) in fallbacks:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def _plugin_files():
    for folder, dummy, files in os.walk(os.path.join(ROOT, 'plugins')):
        for name in sorted(files):
            if name.endswith('.py'):
                yield os.path.join(folder, name)


def collection_imports():
    """``{module name: [files importing it]}`` over every Python file of plugins/."""
    found = {}
    for path in _plugin_files():
        with open(path) as handle:
            for name in imported_modules(handle.read()):
                found.setdefault(name, []).append(os.path.relpath(path, ROOT))
    return found


def classify(module):
    """``('stdlib'|'core'|'own'|'collection'|'third-party', key)`` of an imported module name."""
    top = module.split('.')[0]
    if top == '__future__' or top in sys.stdlib_module_names:
        return 'stdlib', top
    if top == 'ansible':
        return 'core', top
    if module == OWN_PACKAGE or module.startswith(OWN_PACKAGE + '.'):
        return 'own', OWN_PACKAGE
    if top == 'ansible_collections':
        return 'collection', '.'.join(module.split('.')[1:3])
    return 'third-party', _normalize(top)


def _root_ee():
    return _load_yaml('execution-environment.yml')


def _meta_ee():
    return _load_yaml('meta', 'execution-environment.yml')


def _galaxy():
    return _load_yaml('galaxy.yml')


def _tarball_name():
    galaxy = _galaxy()
    return '%s-%s-%s.tar.gz' % (galaxy['namespace'], galaxy['name'], galaxy['version'])


def _ee_collections():
    """FQCNs the root execution environment installs (the local tarball counts as systempay.odoo)."""
    galaxy = _galaxy()
    names = set()
    for entry in _root_ee()['dependencies'].get('galaxy', {}).get('collections', []):
        name = entry['name']
        if entry.get('type') == 'file' and os.path.basename(name) == _tarball_name():
            names.add('%s.%s' % (galaxy['namespace'], galaxy['name']))
        else:
            names.add(name)
    return names


# -- the import scanner itself -------------------------------------------------------------------------------

def test_scanner_counts_tried_imports_and_skips_python2_fallbacks():
    source = '\n'.join([
        'import os',
        'try:',
        '    import requests',
        '    HAS_REQUESTS = True',
        'except ImportError:',
        '    HAS_REQUESTS = False',
        'try:',
        '    import http.client as http_client',
        'except ImportError:',
        '    import httplib as http_client',
        'def f():',
        '    from lxml import etree',
        'from . import sibling',
    ])
    assert imported_modules(source) == {'os', 'requests', 'http.client', 'lxml'}
    assert classify('requests') == ('third-party', 'requests')
    assert classify('http.client') == ('stdlib', 'http')
    assert classify('ansible.module_utils.basic') == ('core', 'ansible')
    assert classify(OWN_PACKAGE + '.plugins.module_utils.transport') == ('own', OWN_PACKAGE)
    assert classify('ansible_collections.community.general.plugins.module_utils.x') == ('collection', 'community.general')


def test_scanner_sees_every_plugin_file():
    files = [os.path.relpath(path, ROOT) for path in _plugin_files()]
    assert 'plugins/modules/odoo_module.py' in files
    assert 'plugins/module_utils/transport.py' in files
    imports = collection_imports()
    # what the modules really import, seen by the scanner (so an empty result below means something)
    assert 'zipfile' in imports and 'xmlrpc.client' in imports and 'ansible.module_utils.basic' in imports


# -- meta/execution-environment.yml and its files ------------------------------------------------------------

def test_collection_metadata_points_at_its_requirement_files():
    meta = _meta_ee()
    deps = meta['dependencies']
    assert set(deps) == {'python', 'system'}
    for key in ('python', 'system'):
        assert not os.path.isabs(deps[key]), 'ansible-builder only takes paths relative to the collection root'
        assert os.path.isfile(os.path.join(ROOT, deps[key])), '%s names %s, which does not exist' % (key, deps[key])


def test_every_third_party_import_is_listed_and_nothing_else():
    listed = _python_requirements(_requirement_lines(_meta_ee()['dependencies']['python']))
    imported = {}
    for module, files in collection_imports().items():
        kind, key = classify(module)
        if kind == 'third-party':
            imported.setdefault(key, []).extend(files)
    missing = dict((key, files) for key, files in imported.items() if key not in listed)
    assert not missing, 'imported but not in meta/ee-requirements.txt: %r' % missing
    unused = sorted(line for key, line in listed.items() if key not in imported)
    assert not unused, 'listed in meta/ee-requirements.txt but imported nowhere in plugins/: %r' % unused


def test_system_requirements_are_bindep_lines_for_rpm():
    for line in _requirement_lines(_meta_ee()['dependencies']['system']):
        assert re.match(r'^[A-Za-z0-9][A-Za-z0-9._+-]*( \[.*platform:rpm.*\])?$', line), line


def test_imported_collections_are_dependencies():
    dependencies = set((_galaxy().get('dependencies') or {}))
    for module, files in collection_imports().items():
        kind, key = classify(module)
        if kind == 'collection':
            assert key in dependencies, '%s imports %s, not a dependency in galaxy.yml' % (files, key)
            assert key in _ee_collections(), '%s imports %s, not in execution-environment.yml' % (files, key)


# -- the root execution-environment.yml ----------------------------------------------------------------------

def test_root_definition_is_version_3_with_a_base_image():
    ee = _root_ee()
    assert ee['version'] == 3
    assert ee['images']['base_image']['name']


def test_root_definition_installs_this_collection_built_from_the_checkout():
    ee = _root_ee()
    collections = ee['dependencies']['galaxy']['collections']
    assert len(collections) == 1, 'only this collection: %r' % collections
    entry = collections[0]
    assert entry['type'] == 'file'
    assert os.path.basename(entry['name']) == _tarball_name(), 'galaxy.yml version and the EE tarball differ'
    # the tarball reaches the build context through additional_build_files, at the path the requirement names
    copies = ['%s/%s' % (item['dest'].rstrip('/'), os.path.basename(item['src'])) for item in ee['additional_build_files']]
    assert entry['name'] in copies
    assert ['build/ee/' + _tarball_name()] == [item['src'] for item in ee['additional_build_files']]


def test_root_definition_runs_the_ansible_core_the_collection_requires_and_is_tested_with():
    spec = SpecifierSet(re.sub(r'^ansible-core', '', _root_ee()['dependencies']['ansible_core']['package_pip']))
    requires = _load_yaml('meta', 'runtime.yml')['requires_ansible']
    minimum = Version(re.match(r'^>=\s*([0-9.]+)', requires).group(1))
    assert spec.contains(minimum), 'the EE would not accept %s, the lowest ansible-core meta/runtime.yml allows' % minimum
    tested = Version(ANSIBLE_CORE_VERSION)
    assert spec.contains(tested), 'the EE would not run ansible-core %s, the one the tests use' % tested
    assert _root_ee()['dependencies']['ansible_runner']['package_pip'].startswith('ansible-runner')


def test_root_definition_adds_no_python_package_the_collection_does_not_declare():
    root = _root_ee()['dependencies'].get('python') or []
    listed = _python_requirements(_requirement_lines(_meta_ee()['dependencies']['python']))
    extra = [line for line in root if _normalize(re.match(r'^\s*([A-Za-z0-9._-]+)', line).group(1)) not in listed]
    assert not extra, 'execution-environment.yml lists Python packages meta/ee-requirements.txt does not: %r' % extra


def test_root_definition_has_an_ssh_client():
    system = _root_ee()['dependencies']['system']
    assert any(line.split()[0] == 'openssh-clients' for line in system)


def _fqcns_in(value, found):
    if isinstance(value, dict):
        for key, item in value.items():
            match = FQCN_RE.match(str(key))
            if match:
                found.add('%s.%s' % match.groups())
            if key in ('name', 'role') and isinstance(item, str) and FQCN_RE.match(item):
                found.add('.'.join(item.split('.')[:2]))
            if key == 'ansible_connection' and isinstance(item, str) and FQCN_RE.match(item):
                found.add('.'.join(item.split('.')[:2]))
            _fqcns_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _fqcns_in(item, found)
    elif isinstance(value, str):
        found.update('%s.%s' % match for match in JINJA_FQCN_RE.findall(value))


def collections_used(folders):
    """FQCNs of the collections the YAML files under ``folders`` use (modules, roles, filters, lookups...)."""
    found = set()
    for folder in folders:
        for path, dummy, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if name.endswith(('.yml', '.yaml')):
                    with open(os.path.join(path, name)) as handle:
                        text = handle.read()
                    if text.startswith('$ANSIBLE_VAULT'):
                        continue
                    _fqcns_in(yaml.safe_load(text), found)
    return found


def test_fqcn_finder_sees_modules_roles_filters_and_connections():
    found = set()
    _fqcns_in([{'community.general.ini_file': {'path': "{{ x | ansible.utils.ipaddr }}"}},
               {'ansible.builtin.import_role': {'name': 'systempay.odoo.addon'}},
               {'when': "x is community.crypto.openssh_key"},
               {'ansible_connection': 'containers.podman.podman', 'v': "{{ __addon_odoo.addon.copies }}"}], found)
    assert found == {'community.general', 'ansible.utils', 'ansible.builtin', 'systempay.odoo', 'community.crypto',
                     'containers.podman'}


def test_playbooks_and_roles_use_no_collection_the_image_lacks():
    used = collections_used(['playbooks', 'roles'])
    assert 'systempay.odoo' in used and 'ansible.builtin' in used
    missing = sorted(used - CORE_COLLECTIONS - _ee_collections())
    assert not missing, 'playbooks/ or roles/ use %s, which execution-environment.yml does not install' % missing


def test_example_inventory_needs_no_extra_collection():
    # The example fleet connects over SSH (ansible-core); the demo inventory's podman connection is test equipment.
    used = collections_used(['inventories/example'])
    assert not sorted(used - CORE_COLLECTIONS - _ee_collections())


# -- the built collection ------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def tarball_listing(tmp_path_factory):
    galaxy = os.path.join(os.path.dirname(sys.executable), 'ansible-galaxy')
    out = tmp_path_factory.mktemp('dist')
    subprocess.run([galaxy, 'collection', 'build', '--output-path', str(out), ROOT], check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with tarfile.open(os.path.join(str(out), _tarball_name())) as tar:
        return set(tar.getnames())


def test_built_collection_carries_the_execution_environment_metadata(tarball_listing):
    deps = _meta_ee()['dependencies']
    for needed in ['meta/execution-environment.yml', deps['python'], deps['system']]:
        assert needed in tarball_listing, '%s is left out of the tarball (galaxy.yml build_ignore?)' % needed
