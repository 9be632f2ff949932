"""``odoo shell``, persistence, concurrent CLI + server, SIGTERM (Odoo 16 odoo/cli/shell.py)."""
import os
import signal
import threading
import time
import types

import pytest

from standin_helpers import STANDIN_DIR, make_module


def test_shell_runs_stdin_script_with_env(host):
    host.create_db('shop1')
    result = host.shell('shop1', '''
        admin = env.ref('base.user_admin')
        print(admin.id, admin.login, self.id, odoo.release.version)
        print(env['res.country'].search([('code', '=', 'FR')]).read(['name'])[0]['name'])
        print(env.company.id, env.ref('base.main_company').name)
        env['ir.config_parameter'].set_param('standin.kept', 'yes')
        env.cr.commit()
        env['ir.config_parameter'].set_param('standin.lost', 'yes')
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ['2 admin 1 16.0', 'France', '1 My Company']
    check = host.shell('shop1', '''
        print(env['ir.config_parameter'].get_param('standin.kept'), env['ir.config_parameter'].get_param('standin.lost'))
        print(env.ref('base.nope', raise_if_not_found=False))
    ''')
    assert check.stdout.splitlines() == ['yes False', 'None']   # no commit -> rolled back, as Odoo's shell


def test_shell_script_error_exits_nonzero(host):
    host.create_db('shop1')
    result = host.shell('shop1', "env['res.partner'].create({'foo': 1})\n")
    assert result.returncode == 1
    assert "ValueError: Invalid field 'foo' on model 'res.partner'" in result.stderr


def test_state_persists_across_restarts_and_databases_are_separate(host):
    make_module(host.addons, 'only_in_one')
    host.create_db('shop1', 'only_in_one')
    host.create_db('shop2')
    with host.server():
        host.execute('shop1', 'res.partner', 'create', {'name': 'Persisted'})
    with host.server():
        assert host.execute('shop1', 'res.partner', 'search_count', [('name', '=', 'Persisted')]) == 1
        assert host.execute('shop2', 'res.partner', 'search_count', [('name', '=', 'Persisted')]) == 0
        states = {db: host.execute(db, 'ir.module.module', 'search_read', [('name', '=', 'only_in_one')],
                                   fields=['state'])[0]['state'] for db in ('shop1', 'shop2')}
    assert states == {'shop1': 'installed', 'shop2': 'uninstalled'}


def test_cli_install_while_server_runs_is_seen_by_server(host):
    make_module(host.addons, 'late', files={
        '__init__.py': 'from . import models\n',
        'models.py': '''
            from odoo import fields, models

            class Late(models.Model):
                _name = 'late.thing'
                _description = 'Late'
                name = fields.Char()
        '''})
    host.create_db('shop1')
    with host.server():
        errors = []

        def hammer():
            try:
                for _ in range(20):
                    host.execute('shop1', 'res.partner', 'create', {'name': 'concurrent'})
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
        thread = threading.Thread(target=hammer)
        thread.start()
        result = host.odoo('-d', 'shop1', '-i', 'late', '--stop-after-init')
        thread.join()
        assert result.returncode == 0 and not errors
        # the running server notices the change (registry signaling) and knows the new model
        assert host.execute('shop1', 'late.thing', 'create', {'name': 'x'}) == 1


def test_sigterm_stops_cleanly(host):
    host.create_db('shop1')
    with host.server() as proc:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert 'Initiating shutdown' in host.read_log()


def test_the_database_manager_check_finds_databases_of_another_series(host):
    """odoo/service/db.py list_db_incompatible: base's latest_version of another series, no base version, or no
    Odoo table at all make a database incompatible (what Odoo's database manager marks)."""
    host.create_db('shop1')
    host.create_db('shop15')
    # a database made by an Odoo 15 server records base 15.0.x: the one value Odoo's check reads
    changed = host.shell('shop15', '''
        env['ir.module.module'].search([('name', '=', 'base')]).write({'latest_version': '15.0.1.3'})
        env.cr.commit()
        odoo.sql_db.create_empty_database('blank')
    ''')
    assert changed.returncode == 0, changed.stderr
    host.create_foreign_database('notodoo')
    result = host.shell('shop1', '''
        from odoo.service import db
        print(db.list_db_incompatible(['shop1', 'shop15', 'blank', 'notodoo']))
        with db.closing(odoo.sql_db.db_connect('shop15').cursor()) as cr:
            cr.execute("SELECT latest_version FROM ir_module_module WHERE name=%s", ('base',))
            print(cr.fetchone())
            try:
                cr.execute("SELECT id FROM no_such_table WHERE name=%s", ('x',))
            except Exception as exc:
                print(type(exc).__module__, type(exc).__name__, str(exc).splitlines()[0])
    ''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['shop15', 'blank', 'notodoo']",
        "('15.0.1.3',)",
        'psycopg2 ProgrammingError relation "no_such_table" does not exist',
    ]


def _loads(host):
    """The stand-in's registry-load counter (make bench): (db, kind, outcome) per line."""
    path = os.path.join(host.root, 'registry-loads.log')
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [tuple(part.split('=', 1)[-1] for part in line.split()[2:]) for line in f]


def test_each_registry_load_is_counted_once_with_its_process_kind(host):
    host.create_db('shop1')
    assert _loads(host) == [('shop1', 'cli', 'ok')]
    assert 'odoo.modules.registry: Registry loaded in' in host.read_log()
    host.shell('shop1', 'print(env.uid)\n')
    assert _loads(host)[1:] == [('shop1', 'shell', 'ok')]
    with host.server():
        host.execute('shop1', 'res.partner', 'search_count', [])
        host.execute('shop1', 'res.partner', 'search_count', [])
        # the running server's registry is cached: two calls, one load
        assert _loads(host)[2:] == [('shop1', 'server', 'ok')]
        assert host.odoo('-d', 'shop1', '-u', 'base', '--stop-after-init').returncode == 0
        # the upgrade signals the change: the server loads the registry again at its next call
        host.execute('shop1', 'res.partner', 'search_count', [])
    assert _loads(host)[3:] == [('shop1', 'cli', 'ok'), ('shop1', 'server', 'ok')]
    # a new server process loads its own registry at its first request, even db.list: with one database, Odoo 16
    # serves every request in it (http.py Application: one database listed -> request._serve_db)
    with host.server():
        host.rpc('db').list()
    assert _loads(host)[5:] == [('shop1', 'server', 'ok')]


def test_a_failed_registry_load_is_counted_as_failed(host):
    host.create_db('shop1')
    make_module(host.addons, 'broken', files={'__init__.py': 'raise ImportError("broken on purpose")\n'})
    result = host.odoo('-d', 'shop1', '-i', 'broken', '--stop-after-init')
    assert result.returncode != 0
    assert _loads(host)[-1] == ('shop1', 'cli', 'failed')


def test_the_timing_model_pads_each_registry_load_to_real_odoo_s_time(host, monkeypatch):
    """Test equipment for make bench (timing.py): with standin_timing = measured, a registry load by odoo shell takes
    at least the 2.3 s measured on real Odoo (ground truth 10), -u at least 6.1 s (ground truth 3); the step a load
    counts as follows the command line. Without it (make test) nothing waits."""
    monkeypatch.syspath_prepend(STANDIN_DIR)
    from odoo import timing  # pylint: disable=import-outside-toplevel
    slept = []
    with monkeypatch.context() as patched:
        patched.setattr(timing, 'time', types.SimpleNamespace(sleep=slept.append, time=lambda: 100.0))
        patched.delenv(timing.ENV_KEY, raising=False)
        timing.spend('update', 99.0)
        assert slept == []
        patched.setenv(timing.ENV_KEY, 'measured')
        timing.spend('update', 99.0)
        timing.spend('shell', 95.0)          # took longer than the model: no wait
        assert slept == [pytest.approx(5.1)]
    host.create_db('shop1')
    host.write_conf(standin_timing='measured')
    started = time.time()
    assert host.shell('shop1', "print(env['res.users'].search_count([]))\n").returncode == 0
    assert time.time() - started >= timing.COSTS['shell']


def test_each_database_keeps_its_attachments_in_its_own_filestore(host):
    """ir.attachment content goes to <data_dir>/filestore/<db>/<sha1[:2]>/<sha1>, the record holds its path, checksum
    and size; the content reads back from the file; each database has its own filestore."""
    import hashlib
    host.create_db('shop1')
    host.create_db('shop2')
    content = b'logo of shop1\n'
    sha = hashlib.sha1(content).hexdigest()
    out = host.shell('shop1', '''
        import base64
        a = env['ir.attachment'].create({'name': 'logo.txt', 'datas': base64.b64encode(%r)})
        env.cr.commit()
        print('STORED', a.store_fname, a.checksum, a.file_size, a.mimetype, base64.b64decode(a.datas) == %r)
    ''' % (content, content)).stdout
    assert 'STORED %s/%s %s %d text/plain True' % (sha[:2], sha, sha, len(content)) in out, out
    path = os.path.join(host.data_dir, 'filestore', 'shop1', sha[:2], sha)
    with open(path, 'rb') as stored:
        assert stored.read() == content
    assert not os.path.exists(os.path.join(host.data_dir, 'filestore', 'shop2', sha[:2], sha))
    # another process reads it from the file; shop2 has no attachment
    out = host.shell('shop1', '''
        a = env['ir.attachment'].search([('name', '=', 'logo.txt')])
        print('READ', a.read(['datas', 'store_fname'])[0]['store_fname'], len(env['ir.attachment'].search([])))
    ''').stdout
    assert 'READ %s/%s 1' % (sha[:2], sha) in out, out
    assert 'COUNT 0' in host.shell('shop2', "print('COUNT', len(env['ir.attachment'].search([])))").stdout
    # a file changed behind Odoo's back is what Odoo reads: the content is in the file, not in the database
    with open(path, 'wb') as stored:
        stored.write(b'changed')
    assert 'NOW changed' in host.shell('shop1', '''
        import base64
        print('NOW', base64.b64decode(env['ir.attachment'].search([]).datas).decode())
    ''').stdout
