# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gather stage's read with SQL (module_utils/db_sql.py) gives what the ``odoo shell`` read (db_state) gives, on
the stand-in's databases in PostgreSQL, for each addon line on its series (one cluster of their own)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import db_sql, db_state, provider, transport
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import Postgres
from ansible_collections.systempay.odoo.tests.unit import standin_host

Host = standin_host.standin_helpers.Host


@pytest.fixture(scope='module')
def cluster():
    root = tempfile.mkdtemp(prefix='systempay-dbsql-pg-')
    found = standin_host.standin_helpers.PgCluster(root)
    yield found
    found.stop()
    shutil.rmtree(root, ignore_errors=True)


class FakeHost(object):
    def __init__(self, options):
        self.install = {'user': None}
        self.options = options
        self.secrets = []

    def option(self, name):
        return self.options.get(name)


def run_command(env):
    def run(argv, cwd=None, data=None, environ_update=None):
        done = subprocess.run(argv, cwd=cwd, input=data, capture_output=True, text=True, check=False,
                              env=dict(env, **(environ_update or {})))
        return done.returncode, done.stdout, done.stderr
    return run


def normalized(state, described):
    """A state with many2one values as ids (the shell read gives ``[id, name]``, SQL the id)."""
    provider_state = state.get('provider') or {}
    for key in ('record',):
        record = provider_state.get(key)
        if record:
            for field, value in record.items():
                if (described.get(field) or {}).get('type') == 'many2one':
                    record[field] = provider.normalize(value, 'many2one')
    for record in [(state.get('installments') or {}).get('record')]:
        if record:
            for field, value in record.items():
                if (described.get(field) or {}).get('type') == 'many2one':
                    record[field] = provider.normalize(value, 'many2one')
    for row in provider_state.get('payment_methods') or []:
        row['primary_payment_method_id'] = provider.normalize(row['primary_payment_method_id'], 'many2one')
    if provider_state.get('payment_methods'):
        provider_state['payment_methods'].sort(key=lambda row: row['id'])
    for rows in (provider_state.get('relations') or {}).values():
        rows.sort(key=lambda row: row['id'])
    return state


def differences(got, want, path=''):
    """Where two states differ (for the failure message)."""
    if isinstance(got, dict) and isinstance(want, dict):
        found = []
        for key in sorted(set(got) | set(want), key=str):
            found += differences(got.get(key, '<missing>'), want.get(key, '<missing>'), '%s/%s' % (path, key))
        return found
    return [] if got == want else ['%s: %r != %r' % (path, got, want)]


CASES = [
    # (series, fixture build, modules of the database)
    ('12.0', '1.2.6', 'website_sale,payment_systempay'),
    ('15.0', '2.0.5', 'website_sale,account,payment_systempay'),
    ('16.0', '3.1.1', 'website_sale,account,payment_systempay'),
    ('17.0', '4.3.0', 'website_sale,account,payment_systempay'),
    ('18.0', '4.3.0', 'website_sale,account,payment_systempay'),
]


@pytest.mark.parametrize('series, build, modules', CASES, ids=[case[0] for case in CASES])
def test_the_sql_read_gives_what_the_shell_read_gives(cluster, fixtures, tmp_path, series, build, modules):
    host = Host(tmp_path / 'host', series=series)
    host.use_cluster(cluster)
    shutil.copytree(os.path.join(fixtures.unpacked(build), 'payment_systempay'),
                    os.path.join(host.addons, 'payment_systempay'))
    try:
        host.create_db('shop1', modules)
        host.create_db('shop2', 'website')      # no addon, no provider model of the addon
        major = int(series.split('.')[0])
        salt = db_state.new_salt()
        env = host.env()
        odoo = transport.CliTransport(run_command(env), host.bin, host.conf, interpreter=sys.executable, major=major)
        pg = Postgres(FakeHost({'db_host': cluster.socket_dir, 'db_port': str(cluster.port)}), run_command(env),
                      shutil.which)
        by_sql = db_sql.read(pg, ['shop1', 'shop2', 'nosuchdb'], series, 'systempay', salt, major)
        for db in ('shop1', 'shop2'):
            by_shell = db_state.read(odoo, db, series, 'systempay', salt)
            described = ((by_shell.get('provider') or {}).get('described') or {})
            sql_described = ((by_sql[db].get('provider') or {}).get('described') or {})
            # the values of list selections are in the database from 13.0; the shell also has method-given ones
            for field, entry in described.items():
                if 'selection' in entry and 'selection' not in (sql_described.get(field) or {}):
                    entry.pop('selection')
            got, want = normalized(by_sql[db], described), normalized(by_shell, described)
            assert got == want, (db, differences(got, want))
        assert by_sql['shop1']['provider']['record'] and not by_sql['shop1']['errors']
        assert by_sql['nosuchdb']['errors'] == ['modules and parameters: not read with SQL']
        assert not db_state.usable(by_sql['nosuchdb'])

        # without a salt (odoo_info digests: false), both reads say which keys are set and nothing of them, and
        # no step that compares keys takes such a read
        plain_sql = db_sql.read(pg, ['shop1'], series, 'systempay', None, major)['shop1']
        plain_shell = db_state.read(odoo, 'shop1', series, 'systempay', None)
        described = plain_shell['provider']['described']
        for field, entry in described.items():
            if 'selection' in entry and 'selection' not in plain_sql['provider']['described'].get(field, {}):
                entry.pop('selection')
        got, want = normalized(plain_sql, described), normalized(plain_shell, described)
        assert got == want, differences(got, want)
        assert plain_sql[db_state.SALT_KEY] is None
        assert db_state.usable(plain_sql, ['payment_systempay'])
        assert not db_state.usable(plain_sql, ['payment_systempay'], secrets=True)
        assert db_state.usable(by_sql['shop1'], ['payment_systempay'], secrets=True)
        for kind in ('provider', 'installments'):
            digested = (by_sql['shop1'].get(kind) or {}).get('record') or {}
            plain = (plain_sql.get(kind) or {}).get('record') or {}
            assert sorted(plain) == sorted(digested)
            for field, value in digested.items():
                if str(value).startswith(db_state.DIGEST_PREFIX):
                    assert plain[field] == db_state.UNDIGESTED, (kind, field)
                else:
                    assert plain[field] == value, (kind, field)
        # (the addon's data sets a key: the comparison above had a digest to compare)
        assert db_state.UNDIGESTED in plain_sql['provider']['record'].values()
    finally:
        cluster.drop_databases()


def test_the_sql_read_finds_the_databases_odoo_cannot_load_as_odoo_does(cluster, tmp_path):
    """Gather's one psql also does what Odoo's own check (``list_db_incompatible``, run by the host's interpreter)
    does: a database whose base records another series, one whose base records no version, and one without Odoo's
    tables are incompatible, with the version they record; such a database is not read."""
    host = Host(tmp_path / 'host', series='16.0')
    host.use_cluster(cluster)
    try:
        for db in ('shop1', 'shop15', 'noversion'):
            host.create_db(db, 'website')
        cluster.sql("UPDATE ir_module_module SET latest_version = '15.0.1.3' WHERE name = 'base'", db='shop15')
        cluster.sql("UPDATE ir_module_module SET latest_version = NULL WHERE name = 'base'", db='noversion')
        cluster.sql('CREATE DATABASE bare')
        env = host.env()
        odoo = transport.CliTransport(run_command(env), host.bin, host.conf, interpreter=sys.executable, major=16)
        pg = Postgres(FakeHost({'db_host': cluster.socket_dir, 'db_port': str(cluster.port)}), run_command(env),
                      shutil.which)
        listed = ['bare', 'noversion', 'shop1', 'shop15']
        by_odoo = odoo.incompatible_databases(listed, sys.executable, os.path.dirname(host.bin))
        assert by_odoo == {'bare': None, 'noversion': None, 'shop15': '15.0.1.3'}
        incompatible, unchecked, states = db_sql.read_host(pg, listed, listed, '16.0', 'systempay',
                                                           db_state.new_salt(), 16)
        assert incompatible == by_odoo and unchecked == []
        assert sorted(states) == ['shop1'] and not states['shop1']['errors']
        # a database psql never reached is not called compatible: it is named for the check to run otherwise
        incompatible, unchecked, states = db_sql.read_host(pg, ['shop1', 'gone'], [], '16.0', 'systempay',
                                                           db_state.new_salt(), 16)
        assert incompatible == {} and unchecked == ['gone'] and states == {}
    finally:
        cluster.drop_databases()


def module_host(cluster, fixtures, tmp_path, monkeypatch, build):
    """A 16.0 stand-in host on ``cluster`` with the ``build`` fixture addon on its addons path, found by the
    collection's modules as on a real host (no unit: the program and config are given), their environment set."""
    from ansible_collections.systempay.odoo.plugins.module_utils import discovery
    units = tmp_path / 'no-units'
    units.mkdir()
    monkeypatch.setattr(discovery, 'UNIT_DIRS', (str(units),))
    monkeypatch.delenv('ODOO_RC', raising=False)
    host = Host(tmp_path / 'host', series='16.0')
    host.use_cluster(cluster)
    # the modules run the program with the interpreter of its #! line: the venv's, which has psycopg2 (a test host's
    # python3 has Debian's python3-psycopg2; this machine's python3 may not)
    with open(host.bin) as handle:
        program = handle.read().split('\n', 1)[1]
    with open(host.bin, 'w') as handle:
        handle.write('#!%s\n%s' % (sys.executable, program))
    for key, value in host.env().items():
        monkeypatch.setenv(key, value)
    put_addon(host, fixtures, build)
    return host


def put_addon(host, fixtures, build):
    target = os.path.join(host.addons, 'payment_systempay')
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(os.path.join(fixtures.unpacked(build), 'payment_systempay'), target)


def load_kinds(host):
    """The registry loads the stand-in counted so far, by kind (one line per load: its kind says which process)."""
    path = os.path.join(host.root, 'registry-loads.log')
    text = open(path).read() if os.path.exists(path) else ''
    return dict((kind, text.count('kind=%s ' % kind)) for kind in ('shell', 'cli', 'server'))


def test_odoo_info_reads_with_sql_and_starts_no_odoo(cluster, fixtures, tmp_path, monkeypatch):
    """odoo_info's read_databases over SQL (the gather stage of site.yml): the same states as over odoo shell, and no
    registry load (the stand-in's counter: one line per load, whose kind says which process made it)."""
    from ansible_collections.systempay.odoo.plugins.modules import odoo_info
    from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import run_module
    host = module_host(cluster, fixtures, tmp_path, monkeypatch, '3.1.1')
    loads = os.path.join(host.root, 'registry-loads.log')
    try:
        host.create_db('shop1', 'website_sale,account,payment_systempay')
        host.create_db('shop2', 'website_sale,account,payment_systempay')
        with host.server():
            def gather(how):
                return run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'],
                                                  read_with=how))
            before = open(loads).read().count('kind=shell') if os.path.exists(loads) else 0
            by_sql = gather('sql')
            assert (open(loads).read().count('kind=shell') if os.path.exists(loads) else 0) == before
            by_shell = gather('shell')
            assert open(loads).read().count('kind=shell') == before + 2
        assert sorted(by_sql['database_states']) == ['shop1', 'shop2']
        # the same psql found which databases this server can load, as Odoo's own check does
        assert by_sql['incompatible_databases'] == by_shell['incompatible_databases'] == {}
        # and the same call asked Odoo's interpreter (this one: the program's #! line) what it can import
        assert by_sql['python'] == sys.executable
        assert by_sql['python_imports'] == dict((name, importlib.util.find_spec(name) is not None)
                                                for name in ('pkg_resources', 'requests'))
        for db in ('shop1', 'shop2'):
            sql_state, shell_state = by_sql['database_states'][db], by_shell['database_states'][db]
            described = shell_state['provider']['described']
            for field, entry in described.items():
                if 'selection' in entry and 'selection' not in sql_state['provider']['described'].get(field, {}):
                    entry.pop('selection')
            # each run has its own salt: the secret digests differ, nothing else
            for state in (sql_state, shell_state):
                state.pop(db_state.SALT_KEY)
                for kind in ('provider', 'installments'):
                    record = (state.get(kind) or {}).get('record') or {}
                    for field in list(record):
                        if str(record[field]).startswith(db_state.DIGEST_PREFIX):
                            record[field] = 'digest'
            got, want = normalized(sql_state, described), normalized(shell_state, described)
            assert got == want, (db, differences(got, want))
    finally:
        cluster.drop_databases()


def test_odoo_module_verifies_an_upgrade_with_sql_and_starts_only_the_upgrade(cluster, fixtures, tmp_path, monkeypatch):
    """Given gather's facts, odoo_module reads the database back after its -u with SQL (the host has psql): no
    registry load but the -u's own (and the server's), and the read it hands to the later steps is the SQL read of
    what -u committed, usable and at the new version."""
    from ansible_collections.systempay.odoo.plugins.modules import odoo_info, odoo_module
    from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import run_module
    host = module_host(cluster, fixtures, tmp_path, monkeypatch, '3.1.0')
    try:
        host.create_db('shop1', 'website_sale,account,payment_systempay')
        put_addon(host, fixtures, '3.1.1')
        before = load_kinds(host)
        with host.server():
            # as site.yml runs them: gather's read (SQL), then the module step given those facts
            # (without provider settings: the keys undigested, and the step's read after the change the same)
            facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'],
                                               digests=False))
            result = run_module(odoo_module, dict(name='payment_systempay', state='latest', databases=['shop1'],
                                                  binary=host.bin, config=host.conf, odoo_facts=facts))
        after = load_kinds(host)
        assert [(db['name'], db['action']) for db in result['databases']] == [('shop1', 'upgrade')]
        assert (after['cli'] - before['cli'], after['shell'] - before['shell']) == (1, 0)
        state = result['database_states']['shop1']
        assert db_state.usable(state, ['payment_systempay']) and not state['errors']
        assert state['salt'] is None and not db_state.usable(state, ['payment_systempay'], secrets=True)
        assert state['modules']['payment_systempay']['latest_version'] == '16.0.3.1.1'
        assert state['provider']['record']
    finally:
        cluster.drop_databases()
