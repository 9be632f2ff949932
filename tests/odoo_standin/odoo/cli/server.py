"""``odoo [options]``: Odoo 16's ``odoo/cli/server.py`` main()."""
import getpass
import logging
import os
import sys

import odoo.addons

from .. import modules, netsvc, release, sql_db
from ..service import server
from ..tools import config

_logger = logging.getLogger('odoo')


def check_root_user():
    if os.name == 'posix' and getpass.getuser() == 'root':
        sys.stderr.write("Running as user 'root' is a security risk.\n")


def setup(args):
    """Parse the configuration, start logging, build the addons path (shared with ``shell``)."""
    config.parse_config(args)
    netsvc.init_logger(config['logfile'], config['log_level'])
    _logger.info("Odoo version %s", release.version)
    if config.rcfile:
        _logger.info("Using configuration file at %s", config.rcfile)
    modules.initialize_sys_path()
    _logger.info('addons paths: %s', odoo.addons.__path__)
    _logger.info('database: %s@%s:%s', config['db_user'] or 'default', config['db_host'] or 'default',
                 config['db_port'] or 'default')


def main(args):
    check_root_user()
    setup(args)
    preload = []
    if config['db_name']:
        preload = [db.strip() for db in str(config['db_name']).split(',') if db.strip()]
        for db_name in preload:
            try:
                sql_db.create_empty_database(db_name)
                logging.getLogger('odoo.service.db').info('Create database `%s`.', db_name)
                config['init']['base'] = True
            except sql_db.DatabaseExists:
                pass
    rc = server.start(preload=preload, stop=config['stop_after_init'])
    sys.exit(rc)
