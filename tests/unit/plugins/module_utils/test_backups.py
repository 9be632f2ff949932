# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Database and filestore backups (module_utils/backups.py, postgres.py) against a real PostgreSQL cluster of their
own (the stand-in's PgCluster: initdb, peer on its socket, scram over TCP)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import tempfile

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import backups
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import Postgres, PostgresError
from ansible_collections.systempay.odoo.tests.unit import standin_host

PASSWORD = 'pw-Lq3vR8zT1kN6xJ2'


@pytest.fixture(scope='module')
def cluster():
    root = tempfile.mkdtemp(prefix='systempay-backups-pg-')
    found = standin_host.standin_helpers.PgCluster(root)
    found.sql("ALTER ROLE \"%s\" PASSWORD '%s'" % (found.user, PASSWORD))
    yield found
    found.stop()
    shutil.rmtree(root, ignore_errors=True)


class FakeHost(object):
    """What Postgres takes from an OdooHost: the service user, the options of odoo.conf, the secrets."""

    def __init__(self, options, secrets=()):
        self.install = {'user': None}
        self.options = options
        self.secrets = list(secrets)

    def option(self, name):
        return self.options.get(name)


class Runner(object):
    """``run_command`` as AnsibleModule's, recording every argv."""

    def __init__(self):
        self.argvs = []

    def __call__(self, argv, cwd=None, data=None, environ_update=None):
        self.argvs.append(list(argv))
        env = dict(os.environ, **(environ_update or {}))
        done = subprocess.run(argv, cwd=cwd, input=data, capture_output=True, env=env,
                              text=not isinstance(data, bytes), check=False)
        out, err = done.stdout, done.stderr
        if isinstance(out, bytes):
            out, err = out.decode(), err.decode()
        return done.returncode, out, err


def postgres(cluster, tcp=False):
    runner = Runner()
    if tcp:
        host = FakeHost({'db_host': '127.0.0.1', 'db_port': str(cluster.port), 'db_password': PASSWORD}, [PASSWORD])
    else:
        host = FakeHost({'db_host': cluster.socket_dir, 'db_port': str(cluster.port)})
    return Postgres(host, runner, shutil.which), runner


@pytest.fixture
def shop(cluster, tmp_path):
    """Database shop1 (owned by the test user, as Odoo's role owns its databases) with a provider row, and its
    filestore with one file."""
    cluster.sql('CREATE DATABASE shop1 OWNER "%s"' % cluster.user)
    pg, dummy = postgres(cluster)
    pg.execute('shop1', "CREATE TABLE payment_provider (id serial PRIMARY KEY, code varchar, state varchar)",
               "INSERT INTO payment_provider (code, state) VALUES ('systempay', 'test')")
    data_dir = str(tmp_path / 'data')
    store = os.path.join(data_dir, 'filestore', 'shop1', 'ab')
    os.makedirs(store)
    with open(os.path.join(store, 'abcdef'), 'w') as out:
        out.write('logo\n')
    yield pg, data_dir, str(tmp_path / 'backups')
    cluster.drop_databases()


def state(pg):
    return pg.query('shop1', 'SELECT code, state FROM payment_provider ORDER BY id')


def files(data_dir):
    store = os.path.join(data_dir, 'filestore', 'shop1')
    found = {}
    for root, dummy, names in os.walk(store):
        for name in names:
            with open(os.path.join(root, name)) as handle:
                found[os.path.relpath(os.path.join(root, name), store)] = handle.read()
    return found


def test_a_backup_puts_back_the_rows_and_the_filestore_a_failed_migration_changed(shop):
    pg, data_dir, folder = shop
    taken = backups.dump(pg, folder, data_dir, 'shop1', 'before-upgrade-16.0.3.1.1', keep=3)
    assert taken['dump'].startswith(os.path.join(folder, 'shop1', 'shop1-'))
    assert taken['dump'].endswith('-before-upgrade-16.0.3.1.1.dump') and taken['filestore'].endswith('.filestore.tar')
    assert oct(os.stat(taken['dump']).st_mode & 0o777) == oct(0o600)
    assert oct(os.stat(os.path.join(folder, 'shop1')).st_mode & 0o777) == oct(0o700)
    assert taken['bytes'] > 0 and taken['removed'] == []
    # what a migration that commits then fails leaves behind
    pg.execute('shop1', "UPDATE payment_provider SET state = 'disabled'")
    with open(os.path.join(data_dir, 'filestore', 'shop1', 'ab', 'abcdef'), 'w') as out:
        out.write('rewritten\n')
    os.makedirs(os.path.join(data_dir, 'filestore', 'shop1', 'cd'))
    with open(os.path.join(data_dir, 'filestore', 'shop1', 'cd', 'cdef01'), 'w') as out:
        out.write('new file\n')
    done = backups.restore(pg, data_dir, taken)
    assert done['database'] == 'shop1'
    assert state(pg) == [['systempay', 'test']]
    assert files(data_dir) == {'ab/abcdef': 'logo\n'}
    # no copy or old folder left over
    assert sorted(os.listdir(os.path.join(data_dir, 'filestore'))) == ['shop1']
    assert pg.query('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE 'shop1%'") == [['1']]


def test_a_database_without_filestore_gets_none_back(shop):
    pg, data_dir, folder = shop
    shutil.rmtree(os.path.join(data_dir, 'filestore', 'shop1'))
    taken = backups.dump(pg, folder, data_dir, 'shop1', 'before-install-16.0.3.1.1', keep=3)
    assert taken['filestore'] is None
    os.makedirs(os.path.join(data_dir, 'filestore', 'shop1', 'ef'))
    backups.restore(pg, data_dir, taken)
    assert not os.path.exists(os.path.join(data_dir, 'filestore', 'shop1'))


def test_only_the_newest_backups_are_kept(shop):
    pg, data_dir, folder = shop
    made = [backups.dump(pg, folder, data_dir, 'shop1', 'before-upgrade', keep=2, now=1700000000 + i)
            for i in range(3)]
    assert made[2]['removed'] == [made[0]['dump'], made[0]['filestore']]
    assert [entry['dump'] for entry in backups.listing(folder, 'shop1')] == [made[2]['dump'], made[1]['dump']]


def test_a_damaged_dump_leaves_the_database_as_it_was(shop):
    pg, data_dir, folder = shop
    taken = backups.dump(pg, folder, data_dir, 'shop1', 'x', keep=3)
    with open(taken['dump'], 'r+b') as handle:
        handle.truncate(200)
    pg.execute('shop1', "UPDATE payment_provider SET state = 'enabled'")
    with pytest.raises(backups.BackupError) as failure:
        backups.restore(pg, data_dir, taken)
    assert 'Cannot restore database shop1 from %s (the database is as it was)' % taken['dump'] in str(failure.value)
    assert state(pg) == [['systempay', 'enabled']]
    assert files(data_dir) == {'ab/abcdef': 'logo\n'}
    assert pg.query('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'shop1-restoring'") == [['0']]


def test_short_space_is_refused_naming_the_folder_and_the_space(shop, monkeypatch):
    pg, data_dir, folder = shop
    monkeypatch.setattr(backups, 'free_bytes', lambda path: 1000)
    with pytest.raises(backups.BackupError) as failure:
        backups.check_space(pg, folder, data_dir, ['shop1'])
    text = str(failure.value)
    assert text.startswith('Not enough free space to back up the databases in %s: ' % folder)
    assert 'shop1 ' in text and '1000 bytes free' in text and 'systempay_odoo_db_backup' in text
    assert not os.path.exists(folder)


def test_over_tcp_the_password_is_on_no_command_line_and_in_no_message(cluster, shop):
    dummy, data_dir, folder = shop
    pg, runner = postgres(cluster, tcp=True)
    assert pg.where == 'PostgreSQL at 127.0.0.1:%d' % cluster.port
    taken = backups.dump(pg, folder, data_dir, 'shop1', 'tcp', keep=1)
    assert os.path.getsize(taken['dump']) > 0
    assert runner.argvs and not any(PASSWORD in arg for argv in runner.argvs for arg in argv)
    wrong = Postgres(FakeHost({'db_host': '127.0.0.1', 'db_port': str(cluster.port), 'db_password': 'wrong-' + PASSWORD},
                              ['wrong-' + PASSWORD]), Runner(), shutil.which)
    with pytest.raises(PostgresError) as failure:
        wrong.query('shop1', 'SELECT 1')
    assert 'password authentication failed' in str(failure.value) and PASSWORD not in str(failure.value)


def test_all_means_the_databases_odoo_lists_for_its_role(cluster, shop):
    """Odoo's list_dbs: owned by the role it logs in as, no template, not postgres."""
    pg = shop[0]
    cluster.sql('CREATE ROLE other_odoo LOGIN')
    cluster.sql('CREATE DATABASE other_shop OWNER other_odoo')
    try:
        assert backups.odoo_databases(pg) == ['shop1']
    finally:
        cluster.sql('DROP DATABASE other_shop')
        cluster.sql('DROP ROLE other_odoo')


def test_an_existing_folder_is_left_as_it_is(shop, tmp_path):
    """A folder that exists (shared with other backups, say) keeps its owner and mode; only the database's own
    folder inside is made 0700."""
    pg, data_dir, dummy = shop
    shared = tmp_path / 'shared'
    shared.mkdir()
    os.chmod(str(shared), 0o755)
    backups.dump(pg, str(shared), data_dir, 'shop1', 'x', keep=1)
    assert oct(os.stat(str(shared)).st_mode & 0o777) == oct(0o755)
    assert oct(os.stat(str(shared / 'shop1')).st_mode & 0o777) == oct(0o700)


def test_a_folder_the_service_user_cannot_enter_is_refused(cluster, shop, tmp_path):
    """pg_dump runs as Odoo's service user: a folder it cannot enter is refused, naming both, nothing left behind."""
    dummy, data_dir, dummy = shop
    closed = tmp_path / 'closed'
    closed.mkdir()
    os.chmod(str(closed), 0o700)
    host = FakeHost({'db_host': cluster.socket_dir, 'db_port': str(cluster.port)})
    host.install['user'] = 'nobody'
    pg = Postgres(host, Runner(), shutil.which)
    with pytest.raises(backups.BackupError) as failure:
        backups.dump(pg, str(closed), data_dir, 'shop1', 'x', keep=1)
    assert 'nobody, which Odoo runs as and which writes the dumps, cannot enter %s' % closed in str(failure.value)
    assert os.listdir(str(closed)) == []


def test_the_plan_refuses_a_file_or_a_closed_folder_and_accepts_one_to_make(tmp_path):
    closed = tmp_path / 'closed'
    closed.mkdir()
    os.chmod(str(closed), 0o700)
    with pytest.raises(backups.BackupError) as failure:
        backups.check_folder(str(closed), 'nobody')
    assert 'nobody, which Odoo runs as and which writes the dumps, cannot enter %s' % closed in str(failure.value)
    (tmp_path / 'file').write_text('x')
    with pytest.raises(backups.BackupError) as failure:
        backups.check_folder(str(tmp_path / 'file'), 'nobody')
    assert str(failure.value).startswith('%s is not a folder' % (tmp_path / 'file'))
    backups.check_folder(str(tmp_path / 'to-make'), 'nobody')
    assert not (tmp_path / 'to-make').exists()
