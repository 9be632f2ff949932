# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Talk to Odoo: the one transport layer of the collection.

Every module that talks to an Odoo server uses :func:`common_argument_spec`
(documented by the ``systempay.odoo.odoo`` doc fragment) and :func:`connect`,
which gives one of two transports with the same methods:

* :class:`CliTransport` runs the host's own Odoo program as the service user:
  ``odoo shell`` with a Python script on stdin to read, ``odoo -i``/``-u``
  ``--stop-after-init`` to install or upgrade. A fresh process reads the
  manifests from disk.
* :class:`RpcTransport` speaks XML-RPC to the running server
  (``/xmlrpc/2/common`` ``authenticate``, ``/xmlrpc/2/object`` ``execute_kw``).
  A running server caches manifests: it only sees a new version of a known
  module after a restart.

Neither trusts an exit code or a return value to say that something happened:
callers read the state again afterwards. Facts taken from Odoo 16's source:

* ``odoo/cli/shell.py``: ``shell`` parses the server options (``-c``, ``-d``,
  ``--no-http``, ``--log-level``, ``--logfile``), runs a non-tty stdin with
  ``exec`` and a superuser ``env``, and rolls the transaction back at the end.
* ``odoo/netsvc.py``: without ``logfile`` the log goes to standard output, so a
  script's answer is found by a marker, never by position; ``--logfile=``
  (empty) sends the log there even when the config file names a log file.
* ``odoo/tools/config.py``: ``--without-demo`` takes a value; ``--no-http``
  since 11 (``--no-xmlrpc`` before); ``--log-level`` accepts ``warn``.
* ``odoo/cli/server.py``: ``-d NAME`` creates a database that does not exist,
  so a database is always read (which fails on an unknown one) before ``-i``.
* ``odoo/service/db.py``: ``list()`` ignores ``dbfilter``; ``list_db = False``
  makes it raise ``AccessDenied`` (Fault 3).
* ``odoo/addons/base/controllers/rpc.py``: Fault 1 carries a traceback, 2 a
  ``UserError``, 3 ``AccessDenied``, 4 ``AccessError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pwd
import re
import socket
from xml.parsers.expat import ExpatError

try:
    from urllib.error import HTTPError, URLError
except ImportError:  # pragma: no cover - Python 2 is not a target
    pass


try:
    import xmlrpc.client as xmlrpc_client
    import http.client as http_client
except ImportError:  # pragma: no cover - Python 2 is not a target
    import xmlrpclib as xmlrpc_client  # type: ignore
    import httplib as http_client  # type: ignore

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import masking

DEFAULT_TIMEOUT = 600
# Prefix of the one line an ``odoo shell`` script prints its answer on.
JSON_MARK = 'SYSTEMPAY_ODOO_JSON='
MASK = discovery.MASK
EXCERPT_LINES = 20


def local_url(http_interface=None, http_port=8069):
    """Base URL to reach Odoo from the host itself.

    Odoo listens on every interface when ``http_interface`` is empty; then (and
    for ``0.0.0.0``) the loopback address answers.
    """
    host = (http_interface or '').strip()
    if host in ('', '0.0.0.0', '::', 'False', 'None'):
        host = '127.0.0.1'
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return 'http://%s:%s' % (host, int(http_port))


class _TimeoutTransport(xmlrpc_client.Transport):
    def __init__(self, timeout):
        xmlrpc_client.Transport.__init__(self)
        self._timeout = timeout

    def make_connection(self, host):
        connection = xmlrpc_client.Transport.make_connection(self, host)
        connection.timeout = self._timeout
        return connection


def server_proxy(url, endpoint, timeout=10):
    return xmlrpc_client.ServerProxy('%s/xmlrpc/2/%s' % (url.rstrip('/'), endpoint),
                                     transport=_TimeoutTransport(timeout), allow_none=False)


def list_databases(url, timeout=10):
    """``(databases, reason)``: the sorted list, or None with why it could not be had.

    Real Odoo answers ``list()`` with a Fault (``AccessDenied``) when
    ``list_db = False``; a service that is down refuses the connection. Neither
    is an error for a discovery: the caller reports the reason.
    """
    try:
        databases = server_proxy(url, 'db', timeout).list()
    except xmlrpc_client.Fault as exc:
        return None, 'Odoo refused to list databases (Fault %s: %s)' % (
            exc.faultCode, str(exc.faultString).strip().splitlines()[-1] if exc.faultString else '')
    except (socket.error, OSError, http_client.HTTPException, xmlrpc_client.ProtocolError) as exc:
        return None, 'Odoo does not answer on %s/xmlrpc/2/db: %s' % (url, exc)
    except (ExpatError, xmlrpc_client.Error) as exc:
        return None, 'What answers on %s/xmlrpc/2/db does not speak XML-RPC: %s' % (url, exc)
    if not isinstance(databases, list):
        return None, 'Odoo answered list() with %r, not a list' % (databases,)
    return sorted(str(name) for name in databases), None


def version_info_status(url, timeout=5):
    """HTTP status of ``POST <url>/web/webclient/version_info`` (JSON-RPC, a route without database), 0 when
    nothing answers: 200 when the server answers at all."""
    # imported here: ansible.module_utils.urls costs about 20 ms to import, and the controller's filters that
    # import this file (module_step_from_facts, ipn_probe's action) pay it again in every forked worker
    from ansible.module_utils.urls import open_url

    body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'params': {}, 'id': 1}).encode()
    try:
        return open_url(url.rstrip('/') + '/web/webclient/version_info', data=body, method='POST', timeout=timeout,
                        headers={'Content-Type': 'application/json'}, validate_certs=False,
                        use_proxy=False).getcode()
    except HTTPError as exc:
        return exc.code
    except (URLError, OSError, ValueError):
        return 0


# -- options shared by every module that talks to Odoo ----------------------
def common_argument_spec():
    """Options of every module that talks to Odoo (doc fragment ``systempay.odoo.odoo``)."""
    return dict(
        transport=dict(type='str', default='cli', choices=['cli', 'rpc']),
        service=dict(type='str', default='auto'),
        config=dict(type='path'),
        binary=dict(type='path'),
        user=dict(type='str'),
        url=dict(type='str'),
        login=dict(type='str'),
        password=dict(type='str', no_log=True),
        timeout=dict(type='int', default=DEFAULT_TIMEOUT),
        odoo_facts=dict(type='dict'),
    )


# ``required_if`` to give AnsibleModule with :func:`common_argument_spec`.
COMMON_REQUIRED_IF = [('transport', 'rpc', ('login', 'password'))]


class TransportError(Exception):
    """Something Odoo refused or could not do.

    ``str()`` is the cause, worded to follow ``Cannot <verb> <object>: ``;
    ``kind`` is one of ``unknown_database``, ``login``, ``access``, ``unreachable``,
    ``timeout``, ``odoo``; ``log`` is the raw text that shows why (mask it
    before returning it, see :func:`excerpt`).
    """

    def __init__(self, message, kind='odoo', log=''):
        Exception.__init__(self, message)
        self.kind = kind
        self.log = log or ''


def mask(text, secrets):
    """``text`` with the secret values masked (:func:`masking.mask`: where they stand as values; strong ones
    everywhere)."""
    return masking.mask(text, secrets)


def excerpt(text, secrets=(), lines=EXCERPT_LINES, width=300):
    """The last ``lines`` non-blank lines of ``text``, secrets masked, each cut at ``width`` characters."""
    kept = [line.rstrip() for line in mask(text, secrets).splitlines() if line.strip()]
    return [line if len(line) <= width else line[:width] + '...' for line in kept[-lines:]]


def last_error_line(text):
    """The last line of ``text`` that names an exception (``TypeError: ...``), else its last line."""
    lines = [line.strip() for line in (text or '').splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r'^[A-Za-z_][\w.]*(Error|Exception|Denied|Warning|Fault)\b.*?:', line):
            return line
    return lines[-1] if lines else ''


_UNKNOWN_DB_RE = re.compile(r'database "(?P<name>[^"]+)" does not exist')


def unknown_database(text):
    """The database name when ``text`` is PostgreSQL's "database does not exist" (Odoo passes it on)."""
    match = _UNKNOWN_DB_RE.search(text or '')
    return match.group('name') if match else None


# -- the Odoo of this host --------------------------------------------------
def module_runner(module):
    """``run_command(argv, cwd=None, data=None, environ_update=None)`` on an AnsibleModule (argv lists only)."""
    def run_command(argv, cwd=None, data=None, environ_update=None):
        environ = {'LC_ALL': 'C.UTF-8'}
        environ.update(environ_update or {})
        return module.run_command(argv, cwd=cwd, data=data, environ_update=environ)
    return run_command


def run_as_prefix(user, find_program, current_uid=None):
    """``(argv prefix, environ)`` that run a program as ``user`` (nothing when already that user).

    Root uses ``runuser -u USER --`` (which sets ``HOME`` to the user's, as
    systemd does for ``User=``), else ``setpriv`` with ``HOME`` set here.
    """
    if not user:
        return [], {}
    try:
        entry = pwd.getpwuid(int(user)) if str(user).isdigit() else pwd.getpwnam(user)
    except KeyError:
        raise TransportError('%s is not a user of this host' % user)
    uid = os.geteuid() if current_uid is None else current_uid
    if entry.pw_uid == uid:
        return [], {}
    if uid != 0:
        raise TransportError('the task runs as uid %d, and only root can run Odoo as %s (use become)'
                             % (uid, entry.pw_name))
    runuser = find_program('runuser')
    if runuser:
        return [runuser, '-u', entry.pw_name, '--'], {}
    setpriv = find_program('setpriv')
    if setpriv:
        return ([setpriv, '--reuid=%d' % entry.pw_uid, '--regid=%d' % entry.pw_gid, '--init-groups', '--'],
                {'HOME': entry.pw_dir, 'USER': entry.pw_name, 'LOGNAME': entry.pw_name})
    raise TransportError('neither runuser nor setpriv is installed to run Odoo as %s' % entry.pw_name)


def find_json_line(text):
    """The object printed after :data:`JSON_MARK` on the last line that starts with it, else None."""
    for line in reversed((text or '').splitlines()):
        if line.startswith(JSON_MARK):
            try:
                return json.loads(line[len(JSON_MARK):])
            except ValueError:
                return None
    return None


# The script ``odoo shell`` runs to read modules. PARAMS is replaced by a Python literal.
# Run by the host's Odoo interpreter (``python -``), with no database and no registry: Odoo's own check of which
# databases this server cannot load (``odoo.service.db.list_db_incompatible``, what its database manager shows),
# then the ``base`` version each of those records (so the message can name its series).
_INCOMPATIBLE_SCRIPT = '''
import json as _json
import sys as _sys
from contextlib import closing as _closing
_params = %(params)s
if _params['path']:
    _sys.path.insert(0, _params['path'])
import odoo
from odoo.tools import config as _config
_config.parse_config(_params['args'])
from odoo.service import db as _db
_found = {}
for _name in _db.list_db_incompatible(_params['names']):
    _version = None
    try:
        with _closing(odoo.sql_db.db_connect(_name).cursor()) as _cr:
            _cr.execute("SELECT latest_version FROM ir_module_module WHERE name=%%s", ('base',))
            _row = _cr.fetchone()
            _version = _row[0] if _row else None
    except Exception:
        pass
    _found[_name] = _version
print(%(mark)r + _json.dumps({'incompatible': _found}))
'''

_READ_SCRIPT = '''
import json as _json
_params = %(params)s
_mods = env['ir.module.module'].sudo()
_rows = _mods.search_read([('name', 'in', _params['names'])], ['name', 'state', 'latest_version', 'write_date'])
print(%(mark)r + _json.dumps({'modules': _rows}, default=str))
'''


# The script ``odoo shell`` runs for :meth:`CliTransport.batch`. REQUEST is a Python literal of a JSON text, so the
# values (secrets included) travel on standard input, never on the command line. A failing call rolls everything
# back (the shell's transaction is only kept by ``env.cr.commit()``) and is reported by index.
_BATCH_SCRIPT = '''
import json as _json
_request = _json.loads(%(request)r)
_results = []
_error = None
for _index, _call in enumerate(_request['calls']):
    _target = env[_call['model']]
    if _call.get('ids') is not None:
        _target = _target.browse(_call['ids'])
    try:
        _results.append(getattr(_target, _call['method'])(*_call.get('args', []), **_call.get('kwargs', {})))
    except Exception as _exc:
        env.cr.rollback()
        _error = {'index': _index, 'type': type(_exc).__name__, 'message': str(_exc)}
        break
if _error is None and _request['commit']:
    env.cr.commit()
print(%(mark)r + _json.dumps({'results': _results, 'error': _error}, default=str))
'''


def batch_call(model, method, args=(), kwargs=None, ids=None):
    """One ORM call for :meth:`CliTransport.batch` / :meth:`RpcTransport.batch`.

    ``ids`` given: the method of those records (``write``, ``read``); else a model method (``search_read``,
    ``fields_get``, ``get_param``), as XML-RPC ``execute_kw`` calls them.
    """
    return {'model': model, 'method': method, 'args': list(args), 'kwargs': dict(kwargs or {}), 'ids': ids}


def _batch_error(error, calls, db):
    call = calls[error.get('index', 0)] if calls else {}
    return TransportError('%s.%s failed in database %s: %s: %s' % (
        call.get('model'), call.get('method'), db, error.get('type'), error.get('message')), 'odoo',
        error.get('message') or '')


class CliTransport(object):
    """Odoo's own program on this host, run as the service user (argv lists, never a shell)."""

    name = 'cli'

    def __init__(self, run_command, binary, config, interpreter=None, prefix=None, environ=None, cwd='/',
                 carried=None, major=16, timeout=DEFAULT_TIMEOUT, timeout_program=None):
        self.run_command = run_command
        self.binary = binary
        self.config = config
        self.interpreter = interpreter
        self.prefix = list(prefix or [])
        self.environ = dict(environ or {})
        self.cwd = cwd or '/'
        self.carried = list(carried or [])
        self.major = major
        self.timeout = timeout
        self.timeout_program = timeout_program

    def argv(self, args):
        """The full command line: run-as prefix, ``timeout``, the program and ``args``."""
        limit = [self.timeout_program, '--kill-after=30', '%ds' % self.timeout] \
            if self.timeout_program and self.timeout else []
        program = ([self.interpreter] if self.interpreter else []) + [self.binary]
        return self.prefix + limit + program + list(args)

    def _common(self, db):
        no_http = '--no-http' if self.major >= 11 else '--no-xmlrpc'
        return ['-c', self.config] + self.carried + ['-d', db, no_http, '--log-level=warn', '--logfile=']

    def run(self, args, data=None):
        """``(rc, log)``: the exit code and everything the run printed, standard error first.

        Odoo writes its log to standard output when it has no log file; standard error gets what is
        printed before logging starts (the warning about running as root) or a crash outside logging.
        Standard error first keeps the log's last line, the error that ended the run, last.
        """
        rc, out, err = self.run_command(self.argv(args), cwd=self.cwd, data=data, environ_update=self.environ)
        log = (err or '') + ('\n' if out and err else '') + (out or '')
        if self.timeout_program and rc == 124:
            raise TransportError('Odoo did not finish within %d seconds (timeout)' % self.timeout, 'timeout', log)
        return rc, log

    def shell(self, db, script):
        """Run ``script`` in ``odoo shell`` on ``db``; the object it printed after :data:`JSON_MARK`."""
        rc, log = self.run(['shell'] + self._common(db), data=script)
        payload = find_json_line(log)
        if payload is not None:
            return payload
        missing = unknown_database(log)
        if missing:
            raise TransportError('database %s does not exist' % missing, 'unknown_database', log)
        raise TransportError('odoo shell exited %s without an answer: %s' % (rc, last_error_line(log)), 'odoo', log)

    def list_databases(self, url, timeout=10):
        """``(names, reason)`` from the running service (XML-RPC ``db.list``, which ignores dbfilter)."""
        return list_databases(url, timeout)

    def incompatible_databases(self, names, python, odoo_parent=None):
        """``{name: base version or None}`` of the databases among ``names`` this server cannot load (Odoo's
        ``list_db_incompatible``: no Odoo tables, or ``base`` of another series), by one run of the host's Odoo
        interpreter ``python`` as the service user; no database is opened through a registry."""
        if not names:
            return {}
        if not python:
            # nothing to run the check with (a program whose interpreter cannot be told): not a pipe to a crash
            raise TransportError('the interpreter of the Odoo program is not known', 'odoo')
        params = {'names': list(names), 'path': odoo_parent,
                  'args': ['-c', self.config] + self.carried + ['--log-level=warn', '--logfile=']}
        script = _INCOMPATIBLE_SCRIPT % {'params': repr(params), 'mark': JSON_MARK}
        limit = [self.timeout_program, '--kill-after=30', '%ds' % self.timeout] \
            if self.timeout_program and self.timeout else []
        rc, out, err = self.run_command(self.prefix + limit + [python, '-'], cwd=self.cwd, data=script,
                                        environ_update=self.environ)
        log = (err or '') + ('\n' if out and err else '') + (out or '')
        payload = find_json_line(log)
        if payload is None:
            raise TransportError('%s exited %s without an answer: %s' % (python, rc, last_error_line(log)), 'odoo', log)
        return payload.get('incompatible') or {}

    def batch(self, db, calls, commit=False):
        """Results of ``calls`` (:func:`batch_call`) run in order in one ``odoo shell``, as the superuser.

        With ``commit``, the changes are committed when every call succeeded; a failing call rolls back them
        all and raises :class:`TransportError` naming it. Values go on standard input, never on the command line.
        """
        request = json.dumps({'calls': list(calls), 'commit': bool(commit)})
        payload = self.shell(db, _BATCH_SCRIPT % {'request': request, 'mark': JSON_MARK})
        if payload.get('error'):
            raise _batch_error(payload['error'], calls, db)
        return payload.get('results', [])

    def read_modules(self, db, names):
        """``{name: {name, state, latest_version, write_date}}`` of the modules the database knows, among ``names``."""
        script = _READ_SCRIPT % {'params': repr({'names': list(names)}), 'mark': JSON_MARK}
        payload = self.shell(db, script)
        return dict((row['name'], row) for row in payload.get('modules', []))

    def install(self, db, name):
        """``(rc, log)`` of ``odoo -i NAME --stop-after-init``; proves nothing, read the state after."""
        return self.run(self._common(db) + ['-i', name, '--stop-after-init', '--without-demo=all'])

    def upgrade(self, db, name):
        """``(rc, log)`` of ``odoo -u NAME --stop-after-init``; proves nothing, read the state after."""
        return self.run(self._common(db) + ['-u', name, '--stop-after-init', '--without-demo=all'])


def fault_error(fault, db=None):
    """A :class:`TransportError` saying what an XML-RPC Fault from Odoo means."""
    text = str(fault.faultString or '')
    where = ' in database %s' % db if db else ''
    missing = unknown_database(text)
    if missing:
        return TransportError('database %s does not exist' % missing, 'unknown_database', text)
    if fault.faultCode == 3:
        return TransportError('access denied%s (%s)' % (where, last_error_line(text) or 'AccessDenied'), 'access', text)
    if fault.faultCode == 4:
        return TransportError('access error%s: %s' % (where, last_error_line(text)), 'access', text)
    if fault.faultCode == 2:
        return TransportError('Odoo refused%s: %s' % (where, last_error_line(text)), 'odoo', text)
    return TransportError('Odoo failed%s: %s' % (where, last_error_line(text)), 'odoo', text)


class RpcTransport(object):
    """The running Odoo server over XML-RPC (``/xmlrpc/2/common``, ``/object``, ``/db``)."""

    name = 'rpc'

    def __init__(self, url, login, password, timeout=DEFAULT_TIMEOUT):
        self.url = url.rstrip('/')
        self.login = login
        self.password = password
        self.timeout = timeout
        self._uids = {}

    def _call(self, endpoint, method, *args):
        try:
            return getattr(server_proxy(self.url, endpoint, self.timeout), method)(*args)
        except socket.timeout as exc:
            raise TransportError('Odoo did not answer on %s within %d seconds' % (self.url, self.timeout), 'timeout',
                                 str(exc))
        except (socket.error, OSError, http_client.HTTPException, xmlrpc_client.ProtocolError) as exc:
            raise TransportError('Odoo does not answer on %s/xmlrpc/2/%s: %s' % (self.url, endpoint, exc),
                                 'unreachable', str(exc))
        except ExpatError as exc:
            raise TransportError('what answers on %s/xmlrpc/2/%s does not speak XML-RPC: %s'
                                 % (self.url, endpoint, exc), 'unreachable', str(exc))

    def version(self):
        """``common.version()``: ``server_serie`` and others."""
        try:
            return self._call('common', 'version')
        except xmlrpc_client.Fault as exc:
            raise fault_error(exc)

    def list_databases(self, url=None, timeout=None):
        return list_databases(url or self.url, timeout or self.timeout)

    def uid(self, db):
        """The user id of ``login`` in ``db``; wrong credentials raise a ``login`` TransportError."""
        if db not in self._uids:
            try:
                uid = self._call('common', 'authenticate', db, self.login, self.password, {})
            except xmlrpc_client.Fault as exc:
                raise fault_error(exc, db)
            if not uid:
                raise TransportError('wrong login or password', 'login')
            self._uids[db] = uid
        return self._uids[db]

    def execute(self, db, model, method, args=(), kwargs=None):
        uid = self.uid(db)
        try:
            return self._call('object', 'execute_kw', db, uid, self.password, model, method, list(args), kwargs or {})
        except xmlrpc_client.Fault as exc:
            raise fault_error(exc, db)

    def batch(self, db, calls, commit=False):
        """Results of ``calls`` (:func:`batch_call`), one ``execute_kw`` each (each one commits on its own)."""
        results = []
        for call in calls:
            args = ([call['ids']] if call.get('ids') is not None else []) + list(call.get('args') or [])
            results.append(self.execute(db, call['model'], call['method'], args, call.get('kwargs') or {}))
        return results

    def read_modules(self, db, names, fields=('name', 'state', 'latest_version', 'installed_version', 'write_date')):
        """``{name: row}``; ``installed_version`` is the version in the server's manifest cache."""
        rows = self.execute(db, 'ir.module.module', 'search_read', [[('name', 'in', list(names))]],
                            {'fields': list(fields)})
        return dict((row['name'], row) for row in rows)

    def update_list(self, db):
        """``ir.module.module.update_list()`` -> ``[updated, added]`` (``updated`` is not "what changed")."""
        return self.execute(db, 'ir.module.module', 'update_list')

    def _button(self, db, name, button):
        ids = self.execute(db, 'ir.module.module', 'search', [[('name', '=', name)]])
        if not ids:
            return 0, 'the running server does not list %s after update_list()' % name
        try:
            self.execute(db, 'ir.module.module', button, [ids])
        except TransportError as exc:
            if exc.kind not in ('odoo', 'access'):
                raise
            return 1, exc.log or str(exc)
        return 0, ''

    def install(self, db, name):
        """``(1, fault text)`` or ``(0, '')`` of ``button_immediate_install``; read the state after."""
        return self._button(db, name, 'button_immediate_install')

    def upgrade(self, db, name):
        """``(1, fault text)`` or ``(0, '')`` of ``button_immediate_upgrade``; read the state after."""
        return self._button(db, name, 'button_immediate_upgrade')


def incompatible_message(name, version, series):
    """Why database ``name`` (its ``base`` module at ``version``) is not one this ``series`` server can load."""
    if version:
        return ('database %s belongs to Odoo %s (its base module records %s), not to this Odoo %s, which cannot load '
                'it' % (name, '.'.join(version.split('.')[:2]), version, series))
    return 'database %s is not an Odoo database this Odoo %s can load (no base module version)' % (name, series)


def choose_databases(requested, listed, reason=None, incompatible=None, series=None):
    """``(names, error)``: the databases to work on, from ``requested`` (names, or ``['all']``).

    ``listed`` is the server's list (:func:`list_databases`, None when unknown, with ``reason``). ``all``
    gives that list, sorted, without the databases of ``incompatible`` (``{name: base version}``: another
    series, which this server cannot load; see :func:`left_out`); naming one of those is an error. Names are
    kept in the order given, without repeats. ``error`` is a message following ``Cannot <verb> <object>:
    <cause>``, or None.
    """
    incompatible = incompatible or {}
    names = []
    for name in requested or []:
        name = (name or '').strip()
        if name and name not in names:
            names.append(name)
    if not names:
        return [], 'Cannot choose databases: databases is empty (give names, or all)'
    if names == ['all']:
        if listed is None:
            return [], 'Cannot list the databases of Odoo: %s; name them in databases instead of all' % reason
        return sorted(name for name in listed if name not in incompatible), None
    if 'all' in names:
        return [], 'Cannot choose databases: all cannot be mixed with names (%s)' % ', '.join(names)
    refused = [incompatible_message(name, incompatible[name], series) for name in names if name in incompatible]
    if refused:
        return [], 'Cannot choose databases: %s; leave it out of databases' % '; '.join(refused)
    return names, None


def left_out(requested, incompatible):
    """The databases of another series that ``all`` leaves out (sorted), for the report."""
    if [(name or '').strip() for name in requested or []] != ['all']:
        return []
    return sorted(incompatible or {})


def connect(module, host, run_command=None, params=None):
    """The transport ``params`` (default: the module's parameters) ask for, on the discovered ``host``
    (``odoo_host.OdooHost``)."""
    params = module.params if params is None else params
    if params['transport'] == 'rpc':
        return RpcTransport(params['url'] or host.url(), params['login'], params['password'], params['timeout'])
    install = host.install
    user = params['user'] or install['user']
    prefix, environ = run_as_prefix(user, module.get_bin_path)
    environ = dict(install['environment'] or {}, **environ)
    return CliTransport(
        run_command or module_runner(module), install['binary'], install['config'],
        interpreter=install['interpreter'], prefix=prefix, environ=environ, cwd=install['working_directory'],
        carried=host.carried_options(), major=host.major, timeout=params['timeout'],
        timeout_program=module.get_bin_path('timeout'))
