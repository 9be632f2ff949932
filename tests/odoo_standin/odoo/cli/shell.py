"""``odoo shell -c CONF -d DB``: run the Python read on stdin with ``env``, ``odoo``, ``self``.

As Odoo 16's shell, the transaction is rolled back at the end: a script must call
``env.cr.commit()`` to keep its changes.
"""
import code
import os
import sys

import odoo

from ..api import SUPERUSER_ID, Environment
from ..tools import config
from .server import setup


def main(args):
    setup(args)
    local_vars = {'openerp': odoo, 'odoo': odoo}
    dbname = str(config['db_name']).split(',')[0] if config['db_name'] else None
    if not dbname:
        return console(local_vars)
    from ..loading import Registry
    registry = Registry.get(dbname)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {'lang': 'en_US', 'tz': False, 'uid': SUPERUSER_ID},
                          registry=registry)
        local_vars['env'] = env
        local_vars['self'] = env.user
        console(local_vars)
        cr.rollback()
    return 0


def console(local_vars):
    if not os.isatty(sys.stdin.fileno()):
        local_vars['__name__'] = '__main__'
        exec(sys.stdin.read(), local_vars)
    else:
        code.interact(local=local_vars)
