# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Find an Odoo install on a host, the way Odoo itself would see it.

Pure helpers (no AnsibleModule here) reused by every module that has to know
where Odoo, its configuration and its addons are. Facts taken from Odoo's
source, 16.0 unless said otherwise:

* ``odoo/tools/config.py``: ``-c/--config`` names the file, else ``ODOO_RC`` /
  ``OPENERP_SERVER`` from the environment, else ``~/.odoorc`` (or the old
  ``~/.openerp_serverrc``) of the user running Odoo; the default ``data_dir``
  is ``appdirs.user_data_dir('Odoo')`` = ``~/.local/share/Odoo`` when the home
  folder exists, else ``/var/lib/odoo``; an unset ``addons_path`` means
  ``<odoo package>/addons`` and ``<odoo package>/../addons`` (each when it
  exists); set entries are made absolute against the working directory;
  ``addons_data_dir`` is ``<data_dir>/addons/<series>``.
* ``odoo/modules/module.py`` ``initialize_sys_path()``: ``odoo.addons.__path__``
  starts with the package's own ``addons`` folder (``odoo/addons/__init__.py``
  extends its ``__path__``), then gets ``addons_data_dir`` when readable, then
  every ``addons_path`` entry not already there, then the base folder if missing.
  ``get_module_path()`` returns the first folder holding
  ``<module>/__manifest__.py`` (or ``__openerp__.py``): the first copy wins.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import fnmatch
import glob
import grp
import os
import pwd
import re
import shlex
import stat

# systemd unit folders, highest precedence first (Debian 12 has /lib -> /usr/lib).
UNIT_DIRS = (
    '/etc/systemd/system',
    '/run/systemd/system',
    '/usr/local/lib/systemd/system',
    '/usr/lib/systemd/system',
    '/lib/systemd/system',
)
UNIT_PATTERN = 'odoo*.service'

# Where an Odoo started without a unit is usually found.
BINARY_CANDIDATES = (
    '/usr/bin/odoo',
    '/usr/local/bin/odoo',
    '/opt/odoo/odoo-bin',
)
CONFIG_CANDIDATES = (
    '/etc/odoo/odoo.conf',
    '/etc/odoo-server.conf',
    '/etc/odoo.conf',
)

MANIFEST_NAMES = ('__manifest__.py', '__openerp__.py')

# odoo server command line: options that take a value, by the name we report.
_VALUE_OPTIONS = {
    '-c': 'config', '--config': 'config',
    '-D': 'data_dir', '--data-dir': 'data_dir',
    '--addons-path': 'addons_path',
    '-p': 'http_port', '--http-port': 'http_port', '--xmlrpc-port': 'http_port',
    '--http-interface': 'http_interface', '--xmlrpc-interface': 'http_interface',
    '--db-filter': 'dbfilter',
    '-d': 'db_name', '--database': 'db_name',
    '-r': 'db_user', '--db_user': 'db_user',
    '-w': 'db_password', '--db_password': 'db_password',
    '--db_host': 'db_host', '--db_port': 'db_port',
    '--smtp-password': 'smtp_password', '--smtp-user': 'smtp_user',
    '--logfile': 'logfile', '--pidfile': 'pidfile',
    '--load': 'server_wide_modules',
    '-i': 'init', '--init': 'init', '-u': 'update', '--update': 'update',
    '--log-level': 'log_level', '--log-handler': 'log_handler',
    '--workers': 'workers', '--limit-time-real': 'limit_time_real',
    '--limit-time-cpu': 'limit_time_cpu', '--max-cron-threads': 'max_cron_threads',
    '--gevent-port': 'gevent_port', '--longpolling-port': 'longpolling_port',
    '--upgrade-path': 'upgrade_path',
}
_FLAG_OPTIONS = {
    '--no-database-list': ('list_db', False),
    '--no-http': ('http_enable', False),
    '--no-xmlrpc': ('http_enable', False),
    '--proxy-mode': ('proxy_mode', True),
    '--stop-after-init': ('stop_after_init', True),
    '--without-demo': ('without_demo', True),
}
SECRET_CLI_OPTIONS = frozenset(('db_password', 'smtp_password'))
MASK = '********'

_VERSION_RE = re.compile(r'Odoo Server\s+(?P<version>(?:saas~)?(?P<major>\d+)\.(?P<minor>\d+)\S*)')


class DiscoveryError(Exception):
    """Raised with a message that says what was looked for."""


# -- systemd ------------------------------------------------------------------
def parse_unit(text):
    """Parse a unit file: ``{section: {key: [values...]}}``.

    An empty assignment (``ExecStart=``) is kept as ``None`` in the list: it
    resets what came before, also across drop-ins (see :func:`merge_units`).
    """
    result = {}
    section = None
    for raw in text.replace('\\\n', ' ').splitlines():
        line = raw.strip()
        if not line or line.startswith(('#', ';')):
            continue
        if line.startswith('[') and line.endswith(']'):
            section = line[1:-1]
            result.setdefault(section, {})
            continue
        if section is None or '=' not in line:
            continue
        key, value = line.split('=', 1)
        result[section].setdefault(key.strip(), []).append(value.strip() or None)
    return result


def merge_units(*units):
    """Apply parsed units in order (main file, then drop-ins); resets clear earlier values."""
    merged = {}
    for unit in units:
        for section, keys in unit.items():
            target = merged.setdefault(section, {})
            for key, values in keys.items():
                current = target.setdefault(key, [])
                for value in values:
                    if value is None:
                        del current[:]
                    else:
                        current.append(value)
    return merged


def find_units(unit_dirs=UNIT_DIRS, pattern=UNIT_PATTERN):
    """Names of the service units matching ``pattern`` (templates ``foo@.service`` left out)."""
    names = set()
    for folder in unit_dirs:
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for name in entries:
            if fnmatch.fnmatch(name, pattern) and '@' not in name:
                path = os.path.join(folder, name)
                if os.path.isfile(path) and os.path.realpath(path) != '/dev/null':
                    names.add(name)
    return sorted(names)


def load_unit(name, unit_dirs=UNIT_DIRS):
    """Return ``(path, unit)`` for the unit ``name`` with its drop-ins applied, or ``(None, None)``.

    The first folder of ``unit_dirs`` holding the file wins (as systemd does);
    ``<name>.d/*.conf`` drop-ins from every folder are applied in file-name order.
    """
    if not name.endswith('.service'):
        name = name + '.service'
    path = None
    for folder in unit_dirs:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            path = candidate
            break
    if path is None:
        return None, None
    parts = []
    with open(path) as handle:
        parts.append(parse_unit(handle.read()))
    dropins = {}
    for folder in reversed(unit_dirs):
        for conf in glob.glob(os.path.join(folder, name + '.d', '*.conf')):
            dropins[os.path.basename(conf)] = conf
    for base in sorted(dropins):
        with open(dropins[base]) as handle:
            parts.append(parse_unit(handle.read()))
    return path, merge_units(*parts)


def unit_value(unit, key, section='Service', default=None):
    """The last value of ``key`` (what systemd uses for single-valued settings)."""
    values = (unit or {}).get(section, {}).get(key) or []
    return values[-1] if values else default


def unit_environment(unit):
    """``Environment=`` assignments of the unit as a dict (``EnvironmentFile=`` is not read)."""
    env = {}
    for value in (unit or {}).get('Service', {}).get('Environment', []):
        try:
            words = shlex.split(value)
        except ValueError:
            words = value.split()
        for word in words:
            if '=' in word:
                key, val = word.split('=', 1)
                env[key] = val
    return env


def split_exec_start(value):
    """Split an ``ExecStart=`` value into argv, without systemd's ``-@+!`` prefixes."""
    value = value.strip()
    while value[:1] in ('-', '@', '+', '!', ':'):
        value = value[1:]
    return shlex.split(value)


# -- the odoo command line ----------------------------------------------------
def _is_python(path):
    return re.match(r'^python[0-9.]*$', os.path.basename(path or '')) is not None


def parse_odoo_command(argv):
    """Split an Odoo command line into its parts.

    Returns a dict: ``interpreter`` (or None), ``binary``, ``command`` (the Odoo
    sub-command, ``server`` when none), ``options`` (the server options found,
    by Odoo's option name) and ``unknown`` (words not understood).
    """
    argv = list(argv)
    interpreter = None
    if argv and _is_python(argv[0]):
        interpreter = argv.pop(0)
        while argv and argv[0].startswith('-'):
            argv.pop(0)
    if not argv:
        raise DiscoveryError('Cannot parse the Odoo command line: no program in it')
    binary = argv.pop(0)
    command = 'server'
    if argv and not argv[0].startswith('-'):
        command = argv.pop(0)
    options = {}
    unknown = []
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if word in _FLAG_OPTIONS:
            name, val = _FLAG_OPTIONS[word]
            options[name] = val
            continue
        if word.startswith('--') and '=' in word:
            flag, val = word.split('=', 1)
            if flag in _VALUE_OPTIONS:
                options[_VALUE_OPTIONS[flag]] = val
            else:
                unknown.append(word)
            continue
        if word in _VALUE_OPTIONS:
            if index < len(argv):
                options[_VALUE_OPTIONS[word]] = argv[index]
                index += 1
            else:
                unknown.append(word)
            continue
        if re.match(r'^-[a-zA-Z].+', word) and word[:2] in _VALUE_OPTIONS:
            options[_VALUE_OPTIONS[word[:2]]] = word[2:]
            continue
        unknown.append(word)
    return {
        'interpreter': interpreter,
        'binary': binary,
        'command': command,
        'options': options,
        'unknown': unknown,
    }


def secrets_in_command(argv):
    """The secret values an Odoo command line carries (to hide them everywhere)."""
    try:
        options = parse_odoo_command(argv)['options']
    except DiscoveryError:
        return []
    return [options[name] for name in SECRET_CLI_OPTIONS if options.get(name)]


def mask_command(argv):
    """argv with the values of secret options replaced by ``********``."""
    secret_flags = set(flag for flag, name in _VALUE_OPTIONS.items() if name in SECRET_CLI_OPTIONS)
    masked = []
    hide_next = False
    for word in argv:
        if hide_next:
            masked.append(MASK)
            hide_next = False
            continue
        if word in secret_flags:
            masked.append(word)
            hide_next = True
            continue
        flag = word.split('=', 1)[0]
        if word.startswith('--') and '=' in word and flag in secret_flags:
            masked.append(flag + '=' + MASK)
            continue
        if word[:2] in secret_flags and len(word) > 2 and not word.startswith('--'):
            masked.append(word[:2] + MASK)
            continue
        masked.append(word)
    return masked


def parse_version_output(text):
    """``Odoo Server 16.0`` (or ``saas~16.1``, ``16.0+e``) -> ``(version, series)``."""
    match = _VERSION_RE.search(text or '')
    if not match:
        raise DiscoveryError('Cannot parse the Odoo version: no "Odoo Server <series>" in %r' % ((text or '').strip()[:200],))
    version = match.group('version')
    series = '%s.%s' % (match.group('major'), match.group('minor'))
    if version.startswith('saas~'):
        series = 'saas~' + series
    return version, series


# -- users and permissions ----------------------------------------------------
def user_info(user, group=None):
    """``{name, uid, gid, group, gids, home}`` for a user name or number; None when unknown."""
    try:
        entry = pwd.getpwuid(int(user)) if str(user).isdigit() else pwd.getpwnam(user)
    except (KeyError, ValueError):
        return None
    gid = entry.pw_gid
    group_name = None
    if group:
        try:
            gentry = grp.getgrgid(int(group)) if str(group).isdigit() else grp.getgrnam(group)
            gid, group_name = gentry.gr_gid, gentry.gr_name
        except (KeyError, ValueError):
            group_name = group
    if group_name is None:
        try:
            group_name = grp.getgrgid(gid).gr_name
        except KeyError:
            group_name = str(gid)
    try:
        gids = set(os.getgrouplist(entry.pw_name, gid))
    except (AttributeError, OSError):
        gids = set([gid])
    gids.add(gid)
    return {
        'name': entry.pw_name,
        'uid': entry.pw_uid,
        'gid': gid,
        'group': group_name,
        'gids': sorted(gids),
        'home': entry.pw_dir,
    }


def can_read_dir(path, uid=None, gids=None):
    """True when the user ``uid`` (groups ``gids``) may list ``path`` and every folder above it.

    With ``uid`` None this is ``os.access`` for the current user.
    """
    if uid is None:
        return os.path.isdir(path) and os.access(path, os.R_OK | os.X_OK)
    if uid == 0:
        return os.path.isdir(path)
    gids = set(gids or [])
    path = os.path.abspath(path)
    parts = []
    head = path
    while True:
        parts.append(head)
        parent = os.path.dirname(head)
        if parent == head:
            break
        head = parent
    for index, folder in enumerate(parts):
        try:
            info = os.stat(folder)
        except OSError:
            return False
        if not stat.S_ISDIR(info.st_mode):
            return False
        need = (4 | 1) if index == 0 else 1  # r-x on the target, --x on the folders above
        if info.st_uid == uid:
            bits = (info.st_mode >> 6) & 7
        elif info.st_gid in gids:
            bits = (info.st_mode >> 3) & 7
        else:
            bits = info.st_mode & 7
        if bits & need != need:
            return False
    return True


# -- paths as Odoo resolves them --------------------------------------------
def expand_path(value, cwd='/', home=None, env=None):
    """Make a config path absolute as Odoo does (``abspath(expanduser(expandvars(x)))``).

    ``~`` is the service user's ``home``, ``$VAR`` comes from ``env`` (the
    unit's environment; unknown names stay as written), relative paths hang
    from ``cwd`` (the service's WorkingDirectory).
    """
    value = str(value).strip()
    env = dict(env or {})
    if home:
        env.setdefault('HOME', home)

    def _var(match):
        name = match.group(1) or match.group(2)
        return env.get(name, match.group(0))
    value = re.sub(r'\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))', _var, value)
    if value == '~' or value.startswith('~/'):
        if home:
            value = home + value[1:]
    if not os.path.isabs(value):
        value = os.path.join(cwd or '/', value)
    return os.path.normpath(value)


def resolve_addons_path(value, major, cwd='/', home=None, env=None):
    """The ``addons_path`` entries made absolute, as Odoo ``major`` does.

    Up to 17, ``tools/config.py`` makes every comma-separated entry absolute,
    empty ones included: an empty entry (``a,,b`` or a trailing comma) becomes
    the working directory. 18 drops empty entries.
    """
    resolved = []
    for entry in str(value).replace('\n', ',').split(','):
        entry = entry.strip()
        if not entry:
            if major >= 18:
                continue
            entry = cwd or '/'
        folder = expand_path(entry, cwd, home, env)
        if folder not in resolved:
            resolved.append(folder)
    return resolved


def default_data_dir(home):
    """Odoo's default ``data_dir`` for a user whose home folder is ``home``."""
    if home and os.path.isdir(home):
        return os.path.join(home, '.local', 'share', 'Odoo')
    return '/var/lib/odoo'


def default_addons_path(odoo_root):
    """Odoo's ``addons_path`` when the config leaves it unset."""
    if not odoo_root:
        return []
    found = []
    for candidate in (os.path.join(odoo_root, 'addons'),
                      os.path.normpath(os.path.join(odoo_root, '..', 'addons'))):
        if os.path.exists(candidate):
            found.append(candidate)
    return found


def effective_addons_path(addons_path, odoo_root=None, addons_data_dir=None, data_dir_readable=False):
    """The folders Odoo searches for modules, first first (see the module docstring)."""
    result = []

    def _add(folder):
        if folder and folder not in result:
            result.append(folder)
    if odoo_root and os.path.isdir(os.path.join(odoo_root, 'addons')):
        _add(os.path.join(odoo_root, 'addons'))
    if addons_data_dir and data_dir_readable:
        _add(addons_data_dir)
    for folder in addons_path:
        _add(folder)
    return result


def find_odoo_root(binary, run_command=None, interpreter=None):
    """Folder of the ``odoo`` package a binary runs, or None.

    A source checkout has ``odoo/`` beside ``odoo-bin``; otherwise ask the
    binary's Python (its ``#!`` line, or ``interpreter``) where ``odoo`` lives,
    without importing it (``importlib.util.find_spec``).
    """
    real = os.path.realpath(binary)
    beside = os.path.join(os.path.dirname(real), 'odoo')
    if os.path.isfile(os.path.join(beside, '__init__.py')):
        return beside
    if run_command is None:
        return None
    python = interpreter or shebang_interpreter(real)
    if not python:
        return None
    code = ("import importlib.util as u; s = u.find_spec('odoo'); "
            "print(list(s.submodule_search_locations)[0] if s and s.submodule_search_locations else '')")
    rc, out, dummy = run_command([python, '-c', code], cwd='/')
    out = (out or '').strip()
    if rc == 0 and out and os.path.isdir(out):
        return out
    return None


def shebang_interpreter(path):
    """The Python a script names in its ``#!`` line, or None."""
    try:
        with open(path, 'rb') as handle:
            first = handle.readline(256).decode('utf-8', 'replace').strip()
    except OSError:
        return None
    if not first.startswith('#!'):
        return None
    words = first[2:].split()
    if not words:
        return None
    if os.path.basename(words[0]) == 'env' and len(words) > 1:
        return words[1] if _is_python(words[1]) else None
    return words[0] if _is_python(words[0]) else None


# -- addons -------------------------------------------------------------------
def parse_manifest(raw):
    """A manifest's bytes as data (``ast.literal_eval``, never imported).

    Returns ``(manifest, error)``; ``manifest`` is None when unreadable.
    """
    try:
        data = ast.literal_eval(raw.decode('utf-8'))
    except (ValueError, SyntaxError, UnicodeDecodeError) as exc:
        return None, '%s: %s' % (type(exc).__name__, exc)
    if not isinstance(data, dict):
        return None, 'manifest is not a dict'
    return data, None


def read_manifest(module_dir):
    """Read a module's manifest as data (see :func:`parse_manifest`).

    Returns ``(path, manifest, error)``; ``manifest`` is None when unreadable.
    """
    for name in MANIFEST_NAMES:
        path = os.path.join(module_dir, name)
        if os.path.isfile(path):
            try:
                with open(path, 'rb') as handle:
                    raw = handle.read()
            except OSError as exc:
                return path, None, '%s: %s' % (type(exc).__name__, exc)
            data, error = parse_manifest(raw)
            return path, data, error
    return None, None, 'no %s' % ' or '.join(MANIFEST_NAMES)


def find_module_copies(module, folders):
    """Every copy of ``module`` in ``folders`` (in order), with its manifest version.

    A folder counts as a copy when it holds a manifest, as Odoo's
    ``get_module_path`` requires; the first one is the copy Odoo loads.
    """
    copies = []
    for folder in folders:
        module_dir = os.path.join(folder, module)
        if not os.path.isdir(module_dir):
            continue
        manifest_path, manifest, error = read_manifest(module_dir)
        if manifest_path is None:
            continue
        copies.append({
            'path': module_dir,
            'addons_dir': folder,
            'manifest': manifest_path,
            'version': None if manifest is None else str(manifest.get('version', '1.0')),
            'installable': None if manifest is None else bool(manifest.get('installable', True)),
            'error': error,
        })
    for index, copy in enumerate(copies):
        copy['active'] = index == 0
    return copies


# -- the whole picture ------------------------------------------------------
def _first_existing(paths):
    for path in paths:
        if path and os.path.isfile(path):
            return path
    return None


def discover_install(run_command, service='auto', config=None, binary=None,
                     unit_dirs=None, binary_candidates=None, config_candidates=None, program_required=True):
    """Find the Odoo install of this host: its service, program, user and config file.

    ``run_command(argv, cwd=None)`` runs a program and returns ``(rc, out, err)``
    (``AnsibleModule.run_command`` fits). Raises :class:`DiscoveryError` with a
    message naming what was looked for. Returns a dict (see ``odoo_info`` RETURN)
    plus ``secrets``: values to keep out of every output. The folder and file
    lists default to this file's ``UNIT_DIRS``, ``BINARY_CANDIDATES`` and
    ``CONFIG_CANDIDATES``. Without ``program_required`` (a server reached over XML-RPC), a host without the
    Odoo program is accepted: ``binary`` is then None.
    """
    unit_dirs = UNIT_DIRS if unit_dirs is None else unit_dirs
    binary_candidates = BINARY_CANDIDATES if binary_candidates is None else binary_candidates
    config_candidates = CONFIG_CANDIDATES if config_candidates is None else config_candidates
    facts = {
        'service': None, 'unit_path': None, 'exec_start': None, 'command': None,
        'binary': None, 'interpreter': None, 'user': None, 'group': None, 'home': None,
        'working_directory': '/', 'config': None, 'config_source': None,
        'cli_options': {}, 'environment': {}, 'secrets': [], 'uid': None, 'gids': None,
    }
    searched_units = '%s unit in %s' % (UNIT_PATTERN, ', '.join(unit_dirs))

    # 1. the service unit
    unit = None
    name = None
    if service and service != 'auto':
        name = service if service.endswith('.service') else service + '.service'
        path, unit = load_unit(name, unit_dirs)
        if unit is None:
            raise DiscoveryError('Cannot find Odoo: no unit %s in %s' % (name, ', '.join(unit_dirs)))
    elif service == 'auto':
        names = find_units(unit_dirs)
        if len(names) > 1:
            raise DiscoveryError('Cannot choose the Odoo service: several units match %s in %s (%s); set service'
                                 % (UNIT_PATTERN, ', '.join(unit_dirs), ', '.join(names)))
        if names:
            name = names[0]
            path, unit = load_unit(name, unit_dirs)
    if unit is not None:
        exec_start = [value for value in unit.get('Service', {}).get('ExecStart', []) if value]
        if not exec_start:
            raise DiscoveryError('Cannot read the Odoo service: %s has no ExecStart' % path)
        argv = split_exec_start(exec_start[-1])
        parsed = parse_odoo_command(argv)
        facts.update({
            'service': name,
            'unit_path': path,
            'exec_start': ' '.join(word if MASK in word else shlex.quote(word) for word in mask_command(argv)),
            'command': parsed['command'],
            'binary': parsed['binary'],
            'interpreter': parsed['interpreter'],
            'cli_options': parsed['options'],
            'user': unit_value(unit, 'User'),
            'group': unit_value(unit, 'Group'),
            'environment': unit_environment(unit),
            'secrets': secrets_in_command(argv),
        })
        workdir = unit_value(unit, 'WorkingDirectory')
        if workdir:
            facts['working_directory'] = workdir.lstrip('-') or '/'

    # 2. the program
    if binary:
        facts['binary'] = binary
    if not facts['binary']:
        facts['binary'] = _first_existing(binary_candidates)
        if not facts['binary'] and program_required:
            raise DiscoveryError('Cannot find Odoo: no %s and no %s (set service or binary)'
                                 % (searched_units, ', '.join(binary_candidates)))
    if facts['binary'] and not os.path.isfile(facts['binary']):
        raise DiscoveryError('Cannot find Odoo: %s (the program%s) does not exist'
                             % (facts['binary'], ' of %s' % facts['unit_path'] if facts['unit_path'] else ''))

    # 3. the user it runs as (systemd default: root; without a unit: the owner of the program's
    #    config is unknown, so the Debian package's user when it exists)
    user = facts['user'] or ('root' if unit is not None else None)
    info = user_info(user, facts['group']) if user else None
    if info is None and unit is None:
        info = user_info('odoo')
    if info is None and user:
        raise DiscoveryError('Cannot find the Odoo user: %s (User= of %s) is not a known user' % (user, facts['unit_path']))
    if info is not None:
        facts.update({'user': info['name'], 'group': info['group'], 'home': info['home'],
                      'uid': info['uid'], 'gids': info['gids']})
    if facts['working_directory'] == '~':
        facts['working_directory'] = facts['home'] or '/'

    # 4. the config file, as Odoo picks it
    looked = []
    chosen, source = None, None
    if config:
        chosen, source = config, 'option'
    elif facts['cli_options'].get('config'):
        chosen, source = expand_path(facts['cli_options']['config'], facts['working_directory'], facts['home']), 'command line'
    else:
        env = facts['environment']
        for var in ('ODOO_RC', 'OPENERP_SERVER'):
            if env.get(var):
                chosen, source = expand_path(env[var], facts['working_directory'], facts['home']), 'environment %s' % var
                break
        if chosen is None and facts['home']:
            for rc in ('.odoorc', '.openerp_serverrc'):
                candidate = os.path.join(facts['home'], rc)
                looked.append(candidate)
                if os.path.isfile(candidate):
                    chosen, source = candidate, 'home of %s' % facts['user']
                    break
        if chosen is None and unit is None:
            looked.extend(config_candidates)
            chosen = _first_existing(config_candidates)
            source = 'usual place' if chosen else None
    if chosen is None:
        raise DiscoveryError('Cannot find the Odoo config: %s passes no -c/--config, no ODOO_RC, and none of %s exists'
                             % (facts['unit_path'] or facts['binary'], ', '.join(looked) or 'the usual files'))
    if not os.path.isfile(chosen):
        raise DiscoveryError('Cannot read the Odoo config %s (from %s): no such file' % (chosen, source))
    if not os.access(chosen, os.R_OK):
        raise DiscoveryError('Cannot read the Odoo config %s (from %s): permission denied' % (chosen, source))
    facts['config'] = chosen
    facts['config_source'] = source
    return facts


def release_version(odoo_root):
    """``(version, series)`` as ``<binary> --version`` prints them, from the ``release.py`` of the ``odoo`` package in
    ``odoo_root``, without starting Odoo: its ``--version`` prints ``'%s %s' % (release.description,
    release.version)`` (``odoo/tools/config.py``), and ``release.py`` defines both with nothing but its own
    assignments. On real Odoo 16 ``odoo-bin --version`` takes 0.95 s (ground truth section 8), most of it importing
    the whole package; this is a file read. None when there is no such file or it does not define them (the caller
    then runs ``--version``)."""
    path = os.path.join(odoo_root, 'release.py') if odoo_root else None
    if not path or not os.path.isfile(path):
        return None
    try:
        with open(path, 'rb') as handle:
            code = compile(handle.read(), path, 'exec')
        namespace = {'__name__': 'odoo.release', '__file__': path}
        exec(code, namespace)  # pylint: disable=exec-used  # Odoo's own file, which --version would run as well
        return parse_version_output('%s %s' % (namespace['description'], namespace['version']))
    except (Exception, SystemExit):  # pylint: disable=broad-except  # any surprise: ask the program instead
        return None


def installed_version(run_command, install, odoo_root):
    """``(version, series)`` of the Odoo ``install`` runs (``discover_install``'s result), whose ``odoo`` package is
    in ``odoo_root`` (:func:`find_odoo_root`): from its ``release.py``, else from ``<binary> --version``."""
    return release_version(odoo_root) or odoo_version(run_command, install['binary'], install['interpreter'])


def odoo_version(run_command, binary, interpreter=None):
    """``(version, series)`` from ``<binary> --version``."""
    argv = ([interpreter] if interpreter else []) + [binary, '--version']
    rc, out, err = run_command(argv, cwd='/')
    if rc != 0:
        raise DiscoveryError('Cannot get the Odoo version: %s exited %s: %s'
                             % (' '.join(argv), rc, (err or out or '').strip()[-300:]))
    return parse_version_output(out)
