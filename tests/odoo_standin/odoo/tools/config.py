"""Configuration: the ``[options]`` section of the config file, overridden by the command line.

Mirrors what Odoo 16's ``odoo/tools/config.py`` does for the options the stand-in supports:
optparse (so an option that takes a value, like ``--without-demo``, consumes the next argument),
config-file values ``True``/``False``/``None`` converted, relative ``addons_path`` entries made
absolute against the working directory, ``data_dir`` defaulting to ``~/.local/share/Odoo``.
"""
import configparser
import optparse
import os
import sys

from .. import release

# Keys the stand-in uses, with Odoo's defaults. Other keys found in a config file are kept as-is.
DEFAULTS = {
    'addons_path': None,
    'data_dir': None,
    'http_port': 8069,
    'http_interface': '',
    'http_enable': True,
    'dbfilter': '',
    'list_db': True,
    'db_name': False,
    'db_host': False,
    'db_port': False,
    'db_user': False,
    'db_password': False,
    'admin_passwd': 'admin',
    'logfile': None,
    'log_level': 'info',
    'without_demo': False,
    'stop_after_init': False,
    'init': {},
    'update': {},
    'demo': {},
    'proxy_mode': False,
    'workers': 0,
    'server_wide_modules': 'base,web',
}


def _default_data_dir():
    # appdirs.user_data_dir('Odoo', 'OpenERP S.A.') on Linux
    base = os.environ.get('XDG_DATA_HOME') or os.path.expanduser('~/.local/share')
    return os.path.join(base, release.product_name)


def _normalize(path):
    return os.path.normcase(os.path.realpath(os.path.abspath(os.path.expanduser(os.path.expandvars(path)))))


class ConfigManager:
    """Dict-like access to the options (``config['addons_path']``), as ``odoo.tools.config``."""

    def __init__(self):
        self.options = dict(DEFAULTS)
        self.options['data_dir'] = _default_data_dir()
        self.rcfile = None

    def _parser(self):
        p = optparse.OptionParser(prog='odoo', version='%s %s' % (release.description, release.version))
        add = p.add_option
        add('-c', '--config', dest='config')
        add('-d', '--database', dest='db_name')
        add('-i', '--init', dest='init')
        add('-u', '--update', dest='update')
        add('--without-demo', dest='without_demo')  # takes a value, like Odoo's
        add('--stop-after-init', dest='stop_after_init', action='store_true')
        add('--logfile', dest='logfile')
        add('--log-level', dest='log_level')
        add('-p', '--http-port', dest='http_port', type='int')
        add('--http-interface', dest='http_interface')
        add('--no-http', dest='http_enable', action='store_false')
        add('--addons-path', dest='addons_path', action='callback', callback=self._check_addons_path,
            type='string', nargs=1)
        add('-D', '--data-dir', dest='data_dir')
        add('--db-filter', dest='dbfilter')
        add('--no-database-list', dest='list_db', action='store_false')
        add('-r', '--db_user', dest='db_user')
        add('-w', '--db_password', dest='db_password')
        add('--db_host', dest='db_host')
        add('--db_port', dest='db_port')
        add('--proxy-mode', dest='proxy_mode', action='store_true')
        add('--workers', dest='workers', type='int')
        add('--load', dest='server_wide_modules')
        return p

    @staticmethod
    def _check_addons_path(option, opt, value, parser):
        # Odoo validates command-line addons paths (not config-file ones).
        paths = []
        for path in value.split(','):
            path = path.strip()
            res = os.path.abspath(os.path.expanduser(path))
            if not os.path.isdir(res):
                raise optparse.OptionValueError("option %s: no such directory: %r" % (opt, res))
            if not any(os.path.isfile(os.path.join(res, d, m)) for d in os.listdir(res)
                       for m in ('__manifest__.py', '__openerp__.py')):
                raise optparse.OptionValueError(
                    "option %s: the path %r is not a valid addons directory" % (opt, path))
            paths.append(res)
        setattr(parser.values, option.dest, ','.join(paths))

    def parse_config(self, args=None):
        """Parse command-line ``args`` (default ``sys.argv[1:]``) and the config file they name."""
        if args is None:
            args = sys.argv[1:]
        opt, _rest = self._parser().parse_args(args)
        rcfile = opt.config or os.environ.get('ODOO_RC') or os.environ.get('OPENERP_SERVER')
        if not rcfile and os.path.isfile(os.path.expanduser('~/.odoorc')):
            rcfile = os.path.expanduser('~/.odoorc')
        if opt.config and not os.access(opt.config, os.R_OK):
            sys.exit("The config file '%s' selected with -c/--config doesn't exist or is not readable, "
                     "use -s/--save if you want to generate it" % opt.config)
        self.rcfile = os.path.abspath(rcfile) if rcfile else None
        if self.rcfile:
            self.load(self.rcfile)
        for key in ('db_name', 'logfile', 'log_level', 'http_port', 'http_interface', 'addons_path',
                    'data_dir', 'dbfilter', 'db_user', 'db_password', 'db_host', 'db_port',
                    'without_demo', 'workers', 'server_wide_modules'):
            value = getattr(opt, key)
            if value is not None:
                self.options[key] = value
        for key in ('stop_after_init', 'proxy_mode'):
            if getattr(opt, key):
                self.options[key] = True
        for key in ('http_enable', 'list_db'):
            if getattr(opt, key) is False:
                self.options[key] = False
        self.options['init'] = dict.fromkeys(opt.init.split(','), 1) if opt.init else {}
        self.options['update'] = dict.fromkeys(opt.update.split(','), 1) if opt.update else {}
        self.options['demo'] = dict(self.options['init']) if not self.options['without_demo'] else {}
        self.options['http_port'] = int(self.options['http_port'] or 8069)
        addons_path = self.options['addons_path']
        if not addons_path or addons_path == 'None':
            self.options['addons_path'] = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'addons')
        else:
            self.options['addons_path'] = ','.join(_normalize(p.strip()) for p in addons_path.split(','))
        self.options['data_dir'] = os.path.abspath(os.path.expanduser(self.options['data_dir'] or
                                                                      _default_data_dir()))
        return _rest

    def load(self, rcfile):
        parser = configparser.RawConfigParser()
        parser.read(rcfile)
        if parser.has_section('options'):
            for name, value in parser.items('options'):
                if value in ('True', 'true'):
                    value = True
                elif value in ('False', 'false'):
                    value = False
                elif value in ('None', 'none'):
                    value = None
                self.options[name] = value

    @property
    def addons_data_dir(self):
        """``<data_dir>/addons/<series>``, created (0500, parent 0700) when missing, as Odoo does."""
        add_dir = os.path.join(self.options['data_dir'], 'addons')
        path = os.path.join(add_dir, release.series)
        if not os.path.exists(path):
            try:
                if not os.path.exists(add_dir):
                    os.makedirs(add_dir, 0o700)
                os.makedirs(path, 0o500)
            except OSError:
                pass
        return path

    @property
    def session_dir(self):
        path = os.path.join(self.options['data_dir'], 'sessions')
        os.makedirs(path, 0o700, exist_ok=True)
        return path

    def filestore(self, dbname):
        """``<data_dir>/filestore/<dbname>``: where the attachments of that database keep their content."""
        return os.path.join(self['data_dir'], 'filestore', dbname)

    def __getitem__(self, key):
        return self.options[key]

    def __setitem__(self, key, value):
        self.options[key] = value

    def get(self, key, default=None):
        return self.options.get(key, default)


config = ConfigManager()
