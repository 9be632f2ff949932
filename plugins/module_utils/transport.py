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

from ansible.module_utils.urls import open_url

try:
    import xmlrpc.client as xmlrpc_client
    import http.client as http_client
except ImportError:  # pragma: no cover - Python 2 is not a target
    import xmlrpclib as xmlrpc_client  # type: ignore
    import httplib as http_client  # type: ignore

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import masking
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_conf

DEFAULT_TIMEOUT = 600
# Prefix of the one line an ``odoo shell`` script prints its answer on.
JSON_MARK = 'SYSTEMPAY_ODOO_JSON='
MASK = discovery.MASK
EXCERPT_LINES = 20

# Server options of the service's command line that our own runs must repeat
# (the config file gives the rest): Odoo option name -> flag.
_CARRIED_OPTIONS = (
    ('addons_path', '--addons-path'),
    ('data_dir', '--data-dir'),
    ('db_host', '--db_host'),
    ('db_port', '--db_port'),
    ('db_user', '--db_user'),
    ('db_password', '--db_password'),
    ('server_wide_modules', '--load'),
    ('upgrade_path', '--upgrade-path'),
)


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


# What :meth:`OdooHost.from_facts` takes from an ``odoo_info`` result (the gather stage's facts).
FACT_KEYS = ('service', 'binary', 'config', 'version', 'series', 'odoo_root', 'databases')


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
class OdooHost(object):
    """The Odoo install of this host as discovery sees it, with what the transports need.

    Built by :meth:`discover` from :func:`discovery.discover_install` (unit,
    program, user, config file), the program's ``--version`` and the config file.
    """

    def __init__(self, install, conf, version, series, odoo_root=False, databases=None):
        self.install = install
        self.conf = conf
        self.version = version
        self.series = series
        self.major = generations.parse_series(series) if series else None
        # False: not known yet (found on first use); None: known to be unknown
        self.odoo_root = odoo_root
        # the server's database list as gather read it (None: not read)
        self.databases = databases
        # {name: base version} of the listed databases of another series, as gather found them (None: not read)
        self.incompatible = None
        # {name: state} of the databases gather read (module_utils/db_state.py); a step takes a database's state
        # from here instead of starting Odoo to read it, when db_state.usable says it can
        self.states = {}

    @staticmethod
    def _read_conf(path):
        try:
            return odoo_conf.OdooConf.from_file(path)
        except (IOError, OSError, UnicodeDecodeError, odoo_conf.OdooConfError) as exc:
            raise TransportError('cannot parse the Odoo config %s: %s' % (path, exc))

    @classmethod
    def discover(cls, run_command, service='auto', config=None, binary=None, program_required=True):
        """Raises :class:`discovery.DiscoveryError` (or ``TransportError`` for an unreadable config).

        Without ``program_required`` (the ``rpc`` transport), a host without the Odoo program is accepted: the
        version and series are then None, for the caller to ask the server.
        """
        install = discovery.discover_install(run_command, service=service, config=config, binary=binary,
                                             program_required=program_required)
        version, series = None, None
        if install['binary']:
            version, series = discovery.odoo_version(run_command, install['binary'], install['interpreter'])
        return cls(install, cls._read_conf(install['config']), version, series)

    @classmethod
    def from_facts(cls, run_command, facts):
        """The host as the gather stage found it (``facts``: what ``odoo_info`` returned), without discovering it
        again: no process is started and Odoo is not called (no ``--version``, no search for the ``odoo`` package,
        no database list). The unit and config files gather named are read again, because they alone hold the
        secrets (facts never carry them) and the config may have been edited since (the addons path).

        Raises :class:`TransportError` when ``facts`` is not an ``odoo_info`` result, or
        :class:`discovery.DiscoveryError` when what it names is gone.
        """
        missing = [key for key in FACT_KEYS if key not in (facts or {})]
        if missing:
            raise TransportError('odoo_facts is not what systempay.odoo.odoo_info returned: it lacks %s'
                                 % ', '.join(missing))
        install = discovery.discover_install(
            run_command, service=facts['service'] or None, config=facts['config'], binary=facts['binary'],
            program_required=bool(facts['binary']))
        host = cls(install, cls._read_conf(install['config']), facts['version'], facts['series'],
                   odoo_root=facts['odoo_root'], databases=facts['databases'])
        if facts.get('incompatible_databases') is not None:
            host.incompatible = dict(facts['incompatible_databases'])
        host.states = dict(facts.get('database_states') or {})
        return host

    def state(self, db, modules=None, fresh=True):
        """The state gather read of ``db`` when a step can use it instead of reading (else None; see
        ``db_state.usable``)."""
        from ansible_collections.systempay.odoo.plugins.module_utils import db_state
        state = self.states.get(db)
        return state if db_state.usable(state, modules, fresh) else None

    def python(self):
        """The interpreter that runs the Odoo program (the unit's, else the program's ``#!`` line)."""
        return self.install['interpreter'] or discovery.shebang_interpreter(os.path.realpath(self.install['binary']))

    def root(self, run_command):
        """The folder of the ``odoo`` package the program runs (found once, by :func:`discovery.find_odoo_root`), or
        None."""
        if self.odoo_root is False:
            install = self.install
            self.odoo_root = (discovery.find_odoo_root(install['binary'], run_command, install['interpreter'])
                              if install['binary'] else None)
        return self.odoo_root

    def odoo_parent(self, run_command):
        """The folder to put on ``sys.path`` to import ``odoo`` as the program does (a source checkout's), or None."""
        root = self.root(run_command)
        return os.path.dirname(root) if root else None

    @property
    def secrets(self):
        """Secret values of the service's command line and config file (to keep out of every output)."""
        found = list(self.install.get('secrets') or [])
        for key in odoo_conf.SECRET_OPTIONS:
            if self.conf.is_set(key):
                found.append(self.conf.get(key))
        return found

    def option(self, name, aliases=(), raw=False):
        """A server option as the service sees it: its command line first, then the file; None when unset.

        Values meaning "not set" (``odoo_conf.UNSET_VALUES``) count as unset, unless ``raw`` (for booleans,
        where ``False`` is a value: read them with ``odoo_conf.odoo_bool``).
        """
        return self.option_source(name, aliases, raw)[0]

    def option_source(self, name, aliases=(), raw=False):
        """``(value, source)``: source is ``command line``, ``config`` or None when the option is unset."""
        cli = self.install.get('cli_options') or {}
        if name in cli:
            return cli[name], 'command line'
        unset = (None,) if raw else (None,) + odoo_conf.UNSET_VALUES
        for key in (name,) + tuple(aliases):
            value = self.conf.get(key)
            if value not in unset:
                return value, 'config'
        return None, None

    def url(self):
        """Where the service answers from this host (``http_interface``/``http_port``)."""
        port = self.option('http_port', ('xmlrpc_port',)) or 8069
        try:
            port = int(port)
        except ValueError:
            raise TransportError('http_port of %s is %r, not a number' % (self.install['config'], port))
        return local_url(self.option('http_interface', ('xmlrpc_interface',)), port)

    def carried_options(self):
        """Flags repeating the service's command-line server options (addons path, data dir, database access)."""
        cli = self.install.get('cli_options') or {}
        return ['%s=%s' % (flag, cli[name]) for name, flag in _CARRIED_OPTIONS if cli.get(name)]

    def addons_layout(self, run_command):
        """Where this Odoo finds modules: data_dir, the configured and the effective addons path (first first)."""
        install = self.install
        cwd, home, env = install['working_directory'], install['home'], install['environment']
        value = self.option('data_dir')
        data_dir = discovery.expand_path(value, cwd, home, env) if value else discovery.default_data_dir(home)
        odoo_root = self.root(run_command)
        value, source = self.option_source('addons_path')
        if value:
            configured = odoo_conf.split_list(value)
            resolved = discovery.resolve_addons_path(value, self.major, cwd, home, env)
        else:
            source = 'default'
            configured = resolved = discovery.default_addons_path(odoo_root)
        data_addons = os.path.join(data_dir, 'addons', self.series)
        readable = discovery.can_read_dir(data_addons, install['uid'], install['gids'])
        return dict(
            odoo_root=odoo_root,
            data_dir=data_dir,
            addons_path=configured,
            addons_path_source=source,
            data_addons=data_addons,
            data_addons_readable=readable,
            effective=discovery.effective_addons_path(resolved, odoo_root, data_addons, readable),
            effective_when_readable=discovery.effective_addons_path(resolved, odoo_root, data_addons, True),
        )

    def addons_search_path(self, run_command):
        """The folders this Odoo searches for modules, first first (what ``odoo_info`` returns as effective_addons_path)."""
        return self.addons_layout(run_command)['effective']


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
_rows = _mods.search_read([('name', 'in', _params['names'])], ['name', 'state', 'latest_version'])
print(%(mark)r + _json.dumps({'modules': _rows}))
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
        """``{name: {name, state, latest_version}}`` of the modules the database knows, among ``names``."""
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

    def read_modules(self, db, names, fields=('name', 'state', 'latest_version', 'installed_version')):
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
    """The transport ``params`` (default: the module's parameters) ask for, on the discovered ``host`` (:class:`OdooHost`)."""
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


def open_odoo(module, params=None):
    """This host's Odoo, connected to as ``params`` ask (the options of :func:`common_argument_spec`; default: the
    module's parameters, or a suboption's dict). Fails the task with the cause when it cannot.

    With ``odoo_facts`` (what ``odoo_info`` returned in the gather stage) nothing is discovered again
    (:meth:`OdooHost.from_facts`). With ``transport: rpc`` the Odoo program need not be on the host: the series is
    then the server's (``common.version()``).

    Returns ``(host, odoo, url, secrets)``: the :class:`OdooHost`, the transport, the URL of the running server,
    and the secret values (command line, config file, password) to mask with :func:`mask` in what the module
    returns. Host-read secrets are not handed to Ansible's ``no_log_values``, which would mask a weak one inside
    paths and names (see ``masking``).
    """
    params = module.params if params is None else params
    run_command = module_runner(module)
    rpc = params['transport'] == 'rpc'
    try:
        if params.get('odoo_facts'):
            host = OdooHost.from_facts(run_command, params['odoo_facts'])
        else:
            host = OdooHost.discover(run_command, params['service'], params['config'], params['binary'],
                                     program_required=not rpc)
    except discovery.DiscoveryError as exc:
        module.fail_json(msg=str(exc))
    except TransportError as exc:
        module.fail_json(msg='Cannot read the Odoo config: %s' % exc)
    try:
        odoo = connect(module, host, run_command, params)
        url = params['url'] or host.url()
    except TransportError as exc:
        module.fail_json(msg='Cannot run Odoo as %s: %s' % (params['user'] or host.install['user'], exc))
    secrets = host.secrets + ([params['password']] if params['password'] else [])
    if host.series is None:
        # rpc on a host without the Odoo program: the running server says which series it is
        try:
            info = odoo.version()
        except TransportError as exc:
            module.fail_json(msg=mask('Cannot get the Odoo version from %s: %s' % (url, exc), secrets))
        try:
            host.version, host.series = discovery.parse_version_output(
                'Odoo Server %s' % (info or {}).get('server_version', ''))
        except discovery.DiscoveryError:
            module.fail_json(msg='Cannot get the Odoo version from %s: common.version() answered %r'
                             % (url, info))
        host.major = generations.parse_series(host.series)
    return host, odoo, url, secrets


def server_databases(host, odoo, url, timeout):
    """``(names, reason)``: the server's database list as gather read it, else asked now (:func:`list_databases`)."""
    if host.databases is not None:
        return sorted(host.databases), None
    return odoo.list_databases(url, timeout)


def incompatible_databases(module, host, odoo, names):
    """``{name: base version}`` of the databases among ``names`` of another series: as gather found them, else
    asked now with Odoo's own check (:meth:`CliTransport.incompatible_databases`); ``{}`` when it cannot be asked
    (``rpc``, no Odoo program on the host), or when the check itself fails (a warning says why: the databases
    are then worked on as listed, as before the check existed)."""
    if host.incompatible is not None:
        return dict((name, version) for name, version in host.incompatible.items() if name in (names or []))
    if odoo.name != 'cli' or not names:
        return {}
    try:
        found = odoo.incompatible_databases(names, host.python(), host.odoo_parent(module_runner(module)))
    except TransportError as exc:
        module.warn(mask('Cannot check which databases this Odoo can load: %s %s'
                         % (exc, ' | '.join(excerpt(exc.log, lines=3))), host.secrets))
        found = {}
    host.incompatible = found
    return found
