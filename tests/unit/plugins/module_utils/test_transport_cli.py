# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport layer's pieces that can be judged without Odoo: command lines, parsing, masking, Fault mapping.

Runs against the real stand-in are in tests/unit/plugins/modules/test_odoo_module.py; here a fake
``run_command`` records argv lists and answers what real Odoo prints (its log goes to stdout, ``odoo/netsvc.py``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd
from xmlrpc.client import Fault

import pytest
import yaml

from ansible_collections.systempay.odoo.plugins.doc_fragments.odoo import ModuleDocFragment
from ansible_collections.systempay.odoo.plugins.module_utils import transport


class FakeRun:
    """Records every call; answers ``(rc, out, err)`` from a list."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, argv, cwd=None, data=None, environ_update=None):
        self.calls.append(dict(argv=argv, cwd=cwd, data=data, environ=environ_update))
        return self.answers.pop(0)


def cli(run, **kwargs):
    options = dict(interpreter=None, prefix=['/usr/sbin/runuser', '-u', 'odoo', '--'], environ={'ODOO_RC': '/x'},
                   cwd='/srv', carried=['--addons-path=/a,/b'], major=16, timeout=60, timeout_program='/usr/bin/timeout')
    options.update(kwargs)
    return transport.CliTransport(run, '/usr/bin/odoo', '/etc/odoo/odoo.conf', **options)


def test_doc_fragment_documents_exactly_the_common_spec():
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    spec = transport.common_argument_spec()
    assert sorted(options) == sorted(spec)
    for name, option in spec.items():
        assert options[name]['type'] == option['type']
        assert options[name].get('default') == option.get('default')
        assert options[name].get('choices') == option.get('choices')
    assert spec['password']['no_log'] is True


def test_install_command_line_is_an_argv_list():
    run = FakeRun((0, '', ''))
    assert cli(run).install('shop1', 'payment_systempay') == (0, '')
    call = run.calls[0]
    assert call['argv'] == [
        '/usr/sbin/runuser', '-u', 'odoo', '--', '/usr/bin/timeout', '--kill-after=30', '60s', '/usr/bin/odoo',
        '-c', '/etc/odoo/odoo.conf', '--addons-path=/a,/b', '-d', 'shop1', '--no-http', '--log-level=warn',
        '--logfile=', '-i', 'payment_systempay', '--stop-after-init', '--without-demo=all']
    assert call['cwd'] == '/srv' and call['environ'] == {'ODOO_RC': '/x'}


def test_old_series_and_interpreter():
    run = FakeRun((0, '', ''))
    cli(run, prefix=[], interpreter='/usr/bin/python2', major=10, timeout_program=None).upgrade('db', 'm')
    argv = run.calls[0]['argv']
    assert argv[:2] == ['/usr/bin/python2', '/usr/bin/odoo']
    assert '--no-xmlrpc' in argv and '--no-http' not in argv
    assert argv[-4:] == ['-u', 'm', '--stop-after-init', '--without-demo=all']


def test_read_finds_the_marked_line_among_log_lines():
    out = ('2024-01-01 10:00:00,000 1 WARNING shop1 odoo.modules.loading: something\n'
           + transport.JSON_MARK + '{"modules": [{"id": 6, "name": "payment_systempay", "state": "installed", '
           '"latest_version": "16.0.3.1.1"}]}\n'
           '2024-01-01 10:00:01,000 1 INFO shop1 odoo: bye\n')
    run = FakeRun((0, out, "Running as user 'root' is a security risk.\n"))
    rows = cli(run).read_modules('shop1', ['payment_systempay'])
    assert rows['payment_systempay']['latest_version'] == '16.0.3.1.1'
    call = run.calls[0]
    assert call['argv'][7:9] == ['/usr/bin/odoo', 'shell']
    assert "'names': ['payment_systempay']" in call['data']
    compile(call['data'], 'script', 'exec')


def test_read_of_an_unknown_database():
    err = ('Traceback (most recent call last):\n  File "x", line 1\n'
           'psycopg2.OperationalError: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
           'FATAL:  database "nosuch" does not exist\n')
    with pytest.raises(transport.TransportError) as exc:
        cli(FakeRun((1, '', err))).read_modules('nosuch', ['m'])
    assert exc.value.kind == 'unknown_database'
    assert str(exc.value) == 'database nosuch does not exist'


def test_shell_without_answer_and_timeout():
    with pytest.raises(transport.TransportError) as exc:
        cli(FakeRun((1, '', 'Traceback...\nKeyError: ir.module.module\n'))).read_modules('db', ['m'])
    assert str(exc.value) == 'odoo shell exited 1 without an answer: KeyError: ir.module.module'
    with pytest.raises(transport.TransportError) as exc:
        cli(FakeRun((124, '', ''))).install('db', 'm')
    assert exc.value.kind == 'timeout'


def _user_other_than(uid):
    for entry in pwd.getpwall():
        if entry.pw_uid != uid:
            return entry
    pytest.skip('no second user on this host')


def test_run_as_prefix():
    me = pwd.getpwuid(os.geteuid())
    assert transport.run_as_prefix(None, lambda name: None) == ([], {})
    assert transport.run_as_prefix(me.pw_name, lambda name: None) == ([], {})
    other = _user_other_than(0)
    assert transport.run_as_prefix(other.pw_name, lambda name: '/usr/sbin/' + name, current_uid=0) == (
        ['/usr/sbin/runuser', '-u', other.pw_name, '--'], {})
    prefix, environ = transport.run_as_prefix(
        other.pw_name, lambda name: '/usr/bin/setpriv' if name == 'setpriv' else None, current_uid=0)
    assert prefix == ['/usr/bin/setpriv', '--reuid=%d' % other.pw_uid, '--regid=%d' % other.pw_gid,
                      '--init-groups', '--']
    assert environ['HOME'] == other.pw_dir
    with pytest.raises(transport.TransportError, match='only root can run Odoo as'):
        transport.run_as_prefix(other.pw_name, lambda name: None, current_uid=other.pw_uid + 1 or 1)
    with pytest.raises(transport.TransportError, match='is not a user of this host'):
        transport.run_as_prefix('no-such-user-here', lambda name: None)


def test_excerpt_is_short_and_masked():
    text = '\n'.join('line %d secret=Hunter2' % number for number in range(50))
    lines = transport.excerpt(text, ['Hunter2'])
    assert len(lines) == 20 and lines[-1] == 'line 49 secret=********'
    assert 'Hunter2' not in ''.join(lines)
    assert transport.excerpt('x' * 500)[0].endswith('...')


@pytest.mark.parametrize('code, text, kind, message', [
    (1, 'Traceback\npsycopg2.OperationalError: FATAL:  database "nosuch" does not exist\n', 'unknown_database',
     'database nosuch does not exist'),
    (3, 'Access Denied', 'access', 'access denied in database shop1 (Access Denied)'),
    (4, 'odoo.exceptions.AccessError: You are not allowed to modify Module', 'access',
     'access error in database shop1: odoo.exceptions.AccessError: You are not allowed to modify Module'),
    (2, "Can not upgrade module 'x'. It is not installed.", 'odoo',
     "Odoo refused in database shop1: Can not upgrade module 'x'. It is not installed."),
    (1, 'Traceback\nTypeError: Model \'account.payment.method\' does not exist in registry.\n', 'odoo',
     "Odoo failed in database shop1: TypeError: Model 'account.payment.method' does not exist in registry."),
])
def test_fault_error(code, text, kind, message):
    error = transport.fault_error(Fault(code, text), 'shop1')
    assert (error.kind, str(error)) == (kind, message)
    assert error.log == text


def test_rpc_refuses_wrong_credentials_and_unreachable_servers(monkeypatch):
    class Proxy:
        def __init__(self, endpoint):
            self.endpoint = endpoint

        def authenticate(self, db, login, password, env):
            return False
    monkeypatch.setattr(transport, 'server_proxy', lambda url, endpoint, timeout: Proxy(endpoint))
    rpc = transport.RpcTransport('http://127.0.0.1:1/', 'admin', 'pw', 5)
    with pytest.raises(transport.TransportError) as exc:
        rpc.read_modules('shop1', ['m'])
    assert (exc.value.kind, str(exc.value)) == ('login', 'wrong login or password')

    monkeypatch.undo()
    with pytest.raises(transport.TransportError) as exc:
        transport.RpcTransport('http://127.0.0.1:1', 'admin', 'pw', 2).version()
    assert exc.value.kind == 'unreachable'
