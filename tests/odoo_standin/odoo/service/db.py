"""``odoo.service.db``: the database list and the database manager's compatibility check, as Odoo 16's
``odoo/service/db.py`` (``list_dbs``, ``list_db_incompatible``).

``list_db_incompatible(databases)``, as Odoo: a database is incompatible with this server when it has no
``ir_module_module`` table, no ``base`` row with a ``latest_version``, or a ``base`` version whose first two parts
(``16.0`` of ``16.0.1.3``) are not this server's series (``release.version_info[:2]``). Odoo's database manager
shows such databases as not compatible; a server of this series cannot load them.
"""
from contextlib import closing

from .. import release, sql_db


def list_dbs(force=False):
    from ..http import list_dbs as listed
    return listed(force)


def _table_exists(cr, table):
    try:
        cr.execute('SELECT name FROM %s WHERE name = %%s' % table, ('base',))
    except sql_db.ProgrammingError:
        return False
    return True


def list_db_incompatible(databases):
    incompatible = []
    server_version = '.'.join(str(part) for part in release.version_info[:2])
    for name in databases:
        with closing(sql_db.db_connect(name).cursor()) as cr:
            if not _table_exists(cr, 'ir_module_module'):
                incompatible.append(name)
                continue
            cr.execute('SELECT latest_version FROM ir_module_module WHERE name=%s', ('base',))
            row = cr.fetchone()
            if not row or not row[0]:
                incompatible.append(name)
            elif '.'.join(row[0].split('.')[:2]) != server_version:
                incompatible.append(name)
    return incompatible
