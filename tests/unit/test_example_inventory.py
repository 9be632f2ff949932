# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""inventories/example is a fleet inventory the playbooks can run against, with its keys only in vaults.

The inventory is loaded the way Ansible loads it, ``ansible-inventory --list``, with the vaults decrypted by
the example password that inventories/example/README.md gives (written to a temporary file, never printed).
No assertion message quotes a decrypted value.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from ansible_collections.systempay.odoo.plugins.module_utils import generations

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
INVENTORY = os.path.join(ROOT, 'inventories', 'example')
README = os.path.join(INVENTORY, 'README.md')
VAULT_ID = 'systempay'
VAULT_HEADER = '$ANSIBLE_VAULT;1.2;AES256;' + VAULT_ID
SERIES_GROUP_RE = re.compile(r'^odoo_(\d+)$')
VAULT_REF_RE = re.compile(r'^\{\{\s*vault_systempay_keys\.(\w+)\.(key_test|key_production)\s*\}\}$')
ROLE_PREFIXES = {'addon_': 'addon', 'provider_': 'provider', 'ipn_probe_': 'ipn_probe'}


def _readme():
    with open(README) as handle:
        return handle.read()


def example_password():
    match = re.search(r'\*\*Example password: `([^`]+)`\*\*', _readme())
    assert match, 'inventories/example/README.md must give the example password as **Example password: `...`**'
    return match.group(1)


def _ansible_inventory(args, tmp_path):
    program = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
    env = dict(os.environ, ANSIBLE_NOCOLOR='1')
    for name in ('ANSIBLE_VAULT_PASSWORD_FILE', 'ANSIBLE_VAULT_IDENTITY_LIST', 'ANSIBLE_CONFIG'):
        env.pop(name, None)
    # run from an empty folder: no ansible.cfg of the caller's working directory applies
    return subprocess.run([program, '-i', INVENTORY] + args, cwd=str(tmp_path), env=env, check=False,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)


@pytest.fixture(scope='module')
def inventory(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('inventory')
    password_file = tmp / 'vault-password'
    password_file.write_text(example_password() + '\n')
    password_file.chmod(0o600)
    done = _ansible_inventory(['--list', '--vault-id', '%s@%s' % (VAULT_ID, password_file)], tmp)
    # stdout holds the decrypted keys: only stderr goes in the message
    assert done.returncode == 0, 'ansible-inventory failed: %s' % done.stderr[-2000:]
    return json.loads(done.stdout)


def members(inventory, group):
    """Hosts of ``group`` and of its children, recursively."""
    entry = inventory.get(group, {})
    found = set(entry.get('hosts', []))
    for child in entry.get('children', []):
        found |= members(inventory, child)
    return found


def hostvars(inventory):
    return inventory['_meta']['hostvars']


def all_hosts(inventory):
    return set(hostvars(inventory)) | members(inventory, 'all')


def _text_files():
    """``(relative path, text)`` of every file of inventories/example that is not a vault."""
    for folder, dummy, files in os.walk(INVENTORY):
        for name in sorted(files):
            path = os.path.join(folder, name)
            with open(path) as handle:
                text = handle.read()
            if not text.startswith('$ANSIBLE_VAULT'):
                yield os.path.relpath(path, ROOT), text


def _vault_files():
    for folder, dummy, files in os.walk(INVENTORY):
        for name in sorted(files):
            path = os.path.join(folder, name)
            with open(path) as handle:
                if handle.read(14) == '$ANSIBLE_VAULT':
                    yield path


def _secret_values(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _secret_values(item)
    elif isinstance(value, str):
        yield value


def _role_options(role):
    with open(os.path.join(ROOT, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        specs = yaml.safe_load(handle)['argument_specs']
    options = {}
    for entry in specs.values():
        options.update(entry.get('options') or {})
    return options


# -- the vaults ----------------------------------------------------------------------------------------------

def test_readme_documents_the_vault_id_and_how_to_rekey():
    text = _readme()
    assert '--vault-id systempay@prompt' in text
    assert 'ansible-vault rekey' in text and '--new-vault-id systempay@prompt' in text
    assert example_password()


def test_every_host_has_a_vault_encrypted_with_the_systempay_vault_id(inventory):
    vaults = list(_vault_files())
    hosts_with_vault = set(os.path.basename(os.path.dirname(path)) for path in vaults)
    assert hosts_with_vault == all_hosts(inventory)
    for path in vaults:
        with open(path) as handle:
            assert handle.readline().strip() == VAULT_HEADER, os.path.relpath(path, ROOT)


def test_the_inventory_does_not_load_without_the_vault_password(tmp_path):
    done = _ansible_inventory(['--list'], tmp_path)
    assert done.returncode != 0
    assert 'vault' in done.stderr.lower()


def test_the_example_password_opens_every_vault(tmp_path):
    vault = os.path.join(os.path.dirname(sys.executable), 'ansible-vault')
    password_file = tmp_path / 'vault-password'
    password_file.write_text(example_password() + '\n')
    for path in _vault_files():
        done = subprocess.run([vault, 'view', '--vault-id', '%s@%s' % (VAULT_ID, password_file), path], check=False,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        assert done.returncode == 0, '%s: %s' % (os.path.relpath(path, ROOT), done.stderr[-500:])
        assert 'vault_systempay_keys' in yaml.safe_load(done.stdout)


# -- groups --------------------------------------------------------------------------------------------------

def test_every_host_is_in_the_group_the_playbooks_target(inventory):
    hosts = all_hosts(inventory)
    assert len(hosts) >= 3
    assert hosts == members(inventory, 'odoo')
    for playbook in ('site.yml', 'rollback.yml'):
        with open(os.path.join(ROOT, 'playbooks', playbook)) as handle:
            assert [play['hosts'] for play in yaml.safe_load(handle)] == ['odoo'], playbook


def test_each_host_is_in_one_series_group_matching_its_declared_series(inventory):
    series_groups = [name for name in inventory if SERIES_GROUP_RE.match(name)]
    assert len(series_groups) >= 2
    assert set(series_groups) <= set(inventory['odoo']['children'])
    for host in all_hosts(inventory):
        groups = [name for name in series_groups if host in members(inventory, name)]
        assert len(groups) == 1, '%s is in series groups %s' % (host, groups)
        declared = hostvars(inventory)[host].get('fleet_odoo_series')
        assert declared == '%s.0' % SERIES_GROUP_RE.match(groups[0]).group(1), \
            '%s is in %s but declares fleet_odoo_series %r' % (host, groups[0], declared)
        # an addon line exists for that series
        assert generations.line_for_series(declared)


def test_each_host_belongs_to_one_customer(inventory):
    customers = [name for name in inventory if name.startswith('customer_')]
    assert customers and set(customers) <= set(inventory['odoo']['children'])
    for host in all_hosts(inventory):
        groups = [name for name in customers if host in members(inventory, name)]
        assert len(groups) == 1, '%s is in customer groups %s' % (host, groups)
        assert hostvars(inventory)[host].get('fleet_customer')


def test_group_settings_reach_the_hosts_in_precedence_order(inventory):
    variables = hostvars(inventory)
    for host, values in variables.items():
        assert values['systempay_odoo_brand'] == 'systempay'
        assert values['ansible_become'] is True
        expected = 300 if host in members(inventory, 'odoo_12') else 180
        assert values['addon_restart_timeout'] == expected, host
    bistro = members(inventory, 'customer_bistro')
    for host in bistro:
        assert variables[host]['ipn_probe_policy'] == 'warn'
    for host in set(variables) - bistro:
        assert variables[host]['ipn_probe_policy'] == 'fail'


# -- shops and keys ------------------------------------------------------------------------------------------

def test_every_database_has_a_shop_id_a_mode_and_both_keys_from_the_hosts_vault(inventory):
    for host, values in hostvars(inventory).items():
        databases = values['systempay_odoo_databases']
        overrides = dict((item['database'], item['settings']) for item in values['provider_overrides'])
        assert sorted(overrides) == sorted(databases), host
        vault = values['vault_systempay_keys']
        for database, settings in overrides.items():
            where = '%s, database %s' % (host, database)
            assert re.match(r'^\d{8}$', settings['shop_id']), where
            assert settings['mode'] in ('test', 'production'), where
            keys = {}
            for name in ('key_test', 'key_production'):
                # booleans only in the assertions: pytest would print the values, and these are keys
                match = VAULT_REF_RE.match(settings[name])
                refers_to_vault = bool(match) and match.groups() == (database, name)
                assert refers_to_vault, '%s: %s must be {{ vault_systempay_keys.%s.%s }}' % (where, name, database, name)
                keys[name] = (vault.get(database) or {}).get(name)
                in_vault = bool(keys[name])
                assert in_vault, '%s: the vault of %s has no %s for it' % (where, host, name)
            different = keys['key_test'] != keys['key_production']
            assert different, '%s: the test and production keys are the same' % where


def test_hosts_with_several_databases_set_a_dbfilter(inventory):
    several = 0
    for host, values in hostvars(inventory).items():
        if len(values['systempay_odoo_databases']) > 1:
            several += 1
            assert values['addon_dbfilter'], '%s has several databases and no addon_dbfilter' % host
    assert several, 'the example should show a host with several databases'


def test_every_shop_url_is_probed(inventory):
    for host, values in hostvars(inventory).items():
        urls = values['ipn_probe_urls']
        assert len(urls) == len(values['systempay_odoo_databases']), host
        for url in urls:
            assert url.startswith('https://'), '%s: %s' % (host, url)
        if len(urls) == 1:
            assert values['provider_web_base_url'] == urls[0], host


def test_every_variable_is_an_input_the_collection_knows(inventory):
    options = dict((prefix, _role_options(role)) for prefix, role in ROLE_PREFIXES.items())
    # systempay_odoo_* are read by the playbooks and by the roles' defaults
    readers = [os.path.join(ROOT, 'playbooks', 'site.yml')] + [
        os.path.join(ROOT, 'roles', role, 'defaults', 'main.yml') for role in sorted(set(ROLE_PREFIXES.values()))]
    playbook_inputs = set()
    for path in readers:
        with open(path) as handle:
            playbook_inputs.update(re.findall(r'\bsystempay_odoo_\w+', handle.read()))
    settings = set(_role_options('provider')['provider_settings']['options'])
    for host, values in hostvars(inventory).items():
        for name in values:
            prefix = next((item for item in ROLE_PREFIXES if name.startswith(item)), None)
            if prefix:
                assert name in options[prefix], '%s: %s is not an input of role %s' % (host, name, ROLE_PREFIXES[prefix])
            elif name.startswith('systempay_odoo_'):
                assert name in playbook_inputs, '%s: neither playbooks/site.yml nor a role reads %s' % (host, name)
            else:
                assert name.startswith(('ansible_', 'fleet_', 'vault_')), '%s: %s belongs to nothing' % (host, name)
        assert set(values['provider_settings']) <= settings, host
        for item in values['provider_overrides']:
            assert set(item['settings']) <= settings, host


def test_no_key_is_in_clear_text_anywhere_in_the_inventory(inventory):
    secrets = set()
    for values in hostvars(inventory).values():
        secrets.update(value for value in _secret_values(values.get('vault_systempay_keys')) if len(value) >= 8)
    assert len(secrets) >= 2 * len(hostvars(inventory))
    for relative, text in _text_files():
        leaked = any(secret in text for secret in secrets)  # a boolean: pytest would print the key
        assert not leaked, 'a key from a vault is in clear text in %s' % relative
        # key settings anywhere else hold only references to the vault
        for match in re.finditer(r'^\s*-?\s*(\w*(?:key|password)\w*)\s*:\s*(.+)$', text, re.MULTILINE):
            value = match.group(2).strip().strip('"\'')
            reference = value.startswith('{{ vault_') or value in ('', '|', '>')
            assert reference, '%s: %s is not a reference to the vault' % (relative, match.group(1))
