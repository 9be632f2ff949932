# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Odoo install of one host, as a module sees it: :class:`OdooHost` (discovered, or taken from the gather stage's
facts), and :func:`open_odoo`, which gives a module the host, a transport to its Odoo (``transport.connect``), the
URL of the running server and the secrets to mask. The per-host questions every module asks go through here: the
databases the server lists, and those of another series it cannot load."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_conf
from ansible_collections.systempay.odoo.plugins.module_utils import transport

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


# What :meth:`OdooHost.from_facts` takes from an ``odoo_info`` result (the gather stage's facts).
FACT_KEYS = ('service', 'binary', 'config', 'version', 'series', 'odoo_root', 'databases')


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
            raise transport.TransportError('cannot parse the Odoo config %s: %s' % (path, exc))

    @classmethod
    def discover(cls, run_command, service='auto', config=None, binary=None, program_required=True):
        """Raises :class:`discovery.DiscoveryError` (or ``transport.TransportError`` for an unreadable config).

        Without ``program_required`` (the ``rpc`` transport), a host without the Odoo program is accepted: the
        version and series are then None, for the caller to ask the server.
        """
        install = discovery.discover_install(run_command, service=service, config=config, binary=binary,
                                             program_required=program_required)
        version, series, root = None, None, None
        if install['binary']:
            root = discovery.find_odoo_root(install['binary'], run_command, install['interpreter'])
            version, series = discovery.installed_version(run_command, install, root)
        return cls(install, cls._read_conf(install['config']), version, series, odoo_root=root)

    @classmethod
    def from_facts(cls, run_command, facts):
        """The host as the gather stage found it (``facts``: what ``odoo_info`` returned), without discovering it
        again: no process is started and Odoo is not called (no ``--version``, no search for the ``odoo`` package,
        no database list). The unit and config files gather named are read again, because they alone hold the
        secrets (facts never carry them) and the config may have been edited since (the addons path).

        Raises :class:`transport.TransportError` when ``facts`` is not an ``odoo_info`` result, or
        :class:`discovery.DiscoveryError` when what it names is gone.
        """
        missing = [key for key in FACT_KEYS if key not in (facts or {})]
        if missing:
            raise transport.TransportError('odoo_facts is not what systempay.odoo.odoo_info returned: it lacks %s'
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

    def state(self, db, modules=None, fresh=True, secrets=False):
        """The state gather read of ``db`` when a step can use it instead of reading (else None; see
        ``db_state.usable``)."""
        from ansible_collections.systempay.odoo.plugins.module_utils import db_state
        state = self.states.get(db)
        return state if db_state.usable(state, modules, fresh, secrets) else None

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
            raise transport.TransportError('http_port of %s is %r, not a number' % (self.install['config'], port))
        return transport.local_url(self.option('http_interface', ('xmlrpc_interface',)), port)

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
        """The folders this Odoo searches for modules, first first (``odoo_info``'s effective_addons_path)."""
        return self.addons_layout(run_command)['effective']


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
    run_command = transport.module_runner(module)
    rpc = params['transport'] == 'rpc'
    try:
        if params.get('odoo_facts'):
            host = OdooHost.from_facts(run_command, params['odoo_facts'])
        else:
            host = OdooHost.discover(run_command, params['service'], params['config'], params['binary'],
                                     program_required=not rpc)
    except discovery.DiscoveryError as exc:
        module.fail_json(msg=str(exc))
    except transport.TransportError as exc:
        module.fail_json(msg='Cannot read the Odoo config: %s' % exc)
    try:
        odoo = transport.connect(module, host, run_command, params)
        url = params['url'] or host.url()
    except transport.TransportError as exc:
        module.fail_json(msg='Cannot run Odoo as %s: %s' % (params['user'] or host.install['user'], exc))
    secrets = host.secrets + ([params['password']] if params['password'] else [])
    if host.series is None:
        # rpc on a host without the Odoo program: the running server says which series it is
        try:
            info = odoo.version()
        except transport.TransportError as exc:
            module.fail_json(msg=transport.mask('Cannot get the Odoo version from %s: %s' % (url, exc), secrets))
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
        found = odoo.incompatible_databases(names, host.python(),
                                            host.odoo_parent(transport.module_runner(module)))
    except transport.TransportError as exc:
        module.warn(transport.mask('Cannot check which databases this Odoo can load: %s %s'
                                   % (exc, ' | '.join(transport.excerpt(exc.log, lines=3))), host.secrets))
        found = {}
    host.incompatible = found
    return found
