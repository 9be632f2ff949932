"""The stand-in's databases in PostgreSQL (``standin_storage = postgresql``), through Debian's ``python3-psycopg2``.

Each model is stored in its Odoo table (``payment.provider`` -> ``payment_provider``), one column per stored field
under the field's name, with Odoo's column types (``fields.py``'s ``column_type``: ``varchar``, ``text``, ``int4``,
``bool``, ``float8``, ``numeric``, ``date``, ``timestamp``, ``jsonb`` for a translated field from 16.0), the magic
columns ``id`` (serial), ``create_uid``, ``create_date``, ``write_uid``, ``write_date``, and each many2many in its
relation table (``column1``, ``column2``). A database is initialised when it has ``ir_module_module``
(``odoo.modules.db.is_initialized``); the registry signaling is the sequence ``base_registry_signaling``.

Connection as Odoo's ``sql_db.connection_info_for``: ``db_host``, ``db_port``, ``db_user``, ``db_password`` from the
config when set, else libpq's defaults (the Unix socket, the OS user: peer authentication). Databases are listed as
Odoo's ``service.db.list_dbs`` does: those owned by ``db_user`` (else the OS user), neither templates nor
``postgres``; created as ``_create_empty_database`` does, from ``db_template`` (``template0``).

The record-store interface (``fetch_all``, ``fetch``, ``insert``, ...) is the one ``sql_db.Cursor`` offers on SQLite,
so models, loading and data files do not know which storage they use; ``execute`` runs real SQL.
"""
import datetime
import decimal
import json
import os
import pwd

import psycopg2

from .sql_db import Transaction
from .tools import config

SIGNALING_SEQUENCE = 'base_registry_signaling'
MAGIC_COLUMNS = (('create_uid', 'int4'), ('create_date', 'timestamp'), ('write_uid', 'int4'),
                 ('write_date', 'timestamp'))


def connection_info(dbname):
    info = {'dbname': dbname, 'application_name': 'odoo-%d' % os.getpid()}
    for key in ('host', 'port', 'user', 'password'):
        value = config.get('db_' + key)
        if value:
            info[key] = str(value)
    return info


def connect(dbname, autocommit=False):
    """A psycopg2 connection to ``dbname``; a refused connection raises ``sql_db.OperationalError`` with
    PostgreSQL's text (``... FATAL:  database "x" does not exist``)."""
    from . import sql_db
    try:
        conn = psycopg2.connect(**connection_info(dbname))
    except psycopg2.OperationalError as exc:
        raise sql_db.OperationalError(str(exc))
    conn.autocommit = autocommit
    return conn


def db_user():
    return config.get('db_user') or pwd.getpwuid(os.getuid()).pw_name


def templates():
    return ('postgres', config.get('db_template') or 'template0')


def list_dbs():
    conn = connect('postgres', autocommit=True)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT datname FROM pg_database WHERE datdba = (SELECT usesysid FROM pg_user WHERE usename = %s)"
                       " AND NOT datistemplate AND datallowconn AND datname NOT IN %s ORDER BY datname",
                       (db_user(), templates()))
            return [row[0] for row in cr.fetchall()]
    finally:
        conn.close()


def exists(dbname):
    conn = connect('postgres', autocommit=True)
    try:
        with conn.cursor() as cr:
            cr.execute('SELECT 1 FROM pg_database WHERE datname = %s', (dbname,))
            return cr.fetchone() is not None
    finally:
        conn.close()


def create_empty_database(dbname):
    from . import sql_db
    if exists(dbname):
        raise sql_db.DatabaseExists("database %r already exists!" % dbname)
    conn = connect('postgres', autocommit=True)
    try:
        with conn.cursor() as cr:
            cr.execute('CREATE DATABASE "%s" ENCODING \'unicode\' TEMPLATE "%s"' % (dbname, templates()[1]))
    finally:
        conn.close()


def read_signaling(dbname, default='0'):
    conn = connect(dbname)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = %s", (SIGNALING_SEQUENCE,))
            if cr.fetchone() is None:
                return default
            cr.execute('SELECT last_value FROM %s' % SIGNALING_SEQUENCE)
            return str(cr.fetchone()[0])
    finally:
        conn.close()


def table_of(model_name):
    return model_name.replace('.', '_')


class Cursor(Transaction):
    """A transaction on one database (``env.cr``). ``registry`` (set by ``Registry.cursor``) gives the models'
    fields, which say how a model's values map to columns and relation tables."""

    def __init__(self, dbname):
        self.dbname = dbname
        self.registry = None
        self._conn = connect(dbname)
        self._cr = self._conn.cursor()
        self._tables = None
        self._columns = {}
        self.closed = False

    # transaction control ----------------------------------------------------------------
    def commit(self):
        self._conn.commit()

    def rollback(self):
        self._conn.rollback()
        self._tables = None
        self._columns = {}

    # SQL ---------------------------------------------------------------------------------
    def execute(self, query, params=None):
        from . import sql_db
        try:
            self._cr.execute(query, params)
        except psycopg2.ProgrammingError as exc:
            raise sql_db.ProgrammingError(str(exc).strip())

    def fetchone(self):
        return self._cr.fetchone()

    def fetchall(self):
        return self._cr.fetchall()

    @property
    def description(self):
        return self._cr.description

    # schema ------------------------------------------------------------------------------
    def tables(self):
        if self._tables is None:
            self._cr.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            self._tables = set(row[0] for row in self._cr.fetchall())
        return self._tables

    def columns(self, table):
        if table not in self._columns:
            self._cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))
            self._columns[table] = set(row[0] for row in self._cr.fetchall())
        return self._columns[table]

    def _fields(self, model_name):
        if self.registry is None or model_name not in self.registry:
            return {}
        return self.registry[model_name]._fields

    def new_columns(self, model_name):
        """Create ``model_name``'s table, its missing columns and relation tables (Odoo's ``_auto_init``); the
        stored fields whose column this added to a table that existed."""
        from .fields import column_type
        table = table_of(model_name)
        created = table not in self.tables()
        if created:
            self._cr.execute('CREATE TABLE "%s" (id SERIAL NOT NULL, PRIMARY KEY(id))' % table)
            self._tables.add(table)
        existing = self.columns(table)
        missing = dict((name, ctype) for name, ctype in MAGIC_COLUMNS if name not in existing)
        for name, field in self._fields(model_name).items():
            if field.type == 'many2many':
                self._relation(field)
            elif name not in existing and name not in missing and name != 'id':
                ctype = column_type(field)
                if ctype:
                    missing[name] = ctype
        if missing:     # one statement for the table's new columns
            self._cr.execute('ALTER TABLE "%s" %s' % (table, ', '.join('ADD COLUMN "%s" %s' % item
                                                                         for item in missing.items())))
            existing.update(missing)
        return [] if created else [name for name in missing if name not in dict(MAGIC_COLUMNS)]

    def _relation(self, field):
        relation, column1, column2 = relation_of(field)
        if relation not in self.tables():
            self._cr.execute('CREATE TABLE "%s" ("%s" INTEGER NOT NULL, "%s" INTEGER NOT NULL, PRIMARY KEY("%s", "%s"))'
                             % (relation, column1, column2, column1, column2))
            self._tables.add(relation)

    # record store ------------------------------------------------------------------------
    def _rows(self, model_name, where='', params=()):
        table = table_of(model_name)
        if table not in self.tables():
            return {}
        self._cr.execute('SELECT * FROM "%s" %s ORDER BY id' % (table, where), params)
        names = [column.name for column in self._cr.description]
        fields = self._fields(model_name)
        rows = {}
        for values in self._cr.fetchall():
            vals = dict((name, from_column(fields.get(name), value)) for name, value in zip(names, values))
            rows[vals.pop('id')] = vals
        for name, field in fields.items():
            if field.type != 'many2many' or not rows:
                continue
            relation, column1, column2 = relation_of(field)
            for vals in rows.values():
                vals[name] = []
            if relation not in self.tables():
                continue
            self._cr.execute('SELECT "%s", "%s" FROM "%s" WHERE "%s" IN %%s ORDER BY "%s"'
                             % (column1, column2, relation, column1, column2), (tuple(rows),))
            for rid, cid in self._cr.fetchall():
                rows[rid][name].append(cid)
        return rows

    def fetch_all(self, model_name):
        return self._rows(model_name)

    def fetch(self, model_name, rid):
        return self._rows(model_name, 'WHERE id = %s', (rid,)).get(rid)

    def existing_ids(self, model_name, ids):
        if not ids or table_of(model_name) not in self.tables():
            return set()
        self._cr.execute('SELECT id FROM "%s" WHERE id IN %%s' % table_of(model_name), (tuple(ids),))
        return set(row[0] for row in self._cr.fetchall())

    def _split(self, model_name, vals):
        """``(columns, relations)`` of ``vals``: values for the table's columns, ids for each many2many."""
        fields = self._fields(model_name)
        existing = self.columns(table_of(model_name))
        columns, relations = {}, {}
        for name, value in vals.items():
            field = fields.get(name)
            if field is not None and field.type == 'many2many':
                relations[field] = value or []
            elif name in existing and name != 'id':
                columns[name] = to_column(field, value)
        return columns, relations

    def _link(self, rid, relations):
        for field, ids in relations.items():
            relation, column1, column2 = relation_of(field)
            self._relation(field)
            self._cr.execute('DELETE FROM "%s" WHERE "%s" = %%s' % (relation, column1), (rid,))
            for cid in dict.fromkeys(ids):
                self._cr.execute('INSERT INTO "%s" ("%s", "%s") VALUES (%%s, %%s)' % (relation, column1, column2),
                                 (rid, cid))

    def insert(self, model_name, vals):
        from . import sql_db
        table = table_of(model_name)
        if table not in self.tables():
            # as PostgreSQL answers Odoo writing to a model whose module was never installed in the database
            raise sql_db.ProgrammingError('relation "%s" does not exist' % table)
        columns, relations = self._split(model_name, vals)
        names = list(columns)
        if names:
            self._cr.execute('INSERT INTO "%s" (%s) VALUES (%s) RETURNING id'
                             % (table, ', '.join('"%s"' % name for name in names), ', '.join(['%s'] * len(names))),
                             [columns[name] for name in names])
        else:
            self._cr.execute('INSERT INTO "%s" DEFAULT VALUES RETURNING id' % table)
        rid = self._cr.fetchone()[0]
        self._link(rid, relations)
        return rid

    def update(self, model_name, rid, vals):
        columns, relations = self._split(model_name, vals)
        if columns:
            names = list(columns)
            self._cr.execute('UPDATE "%s" SET %s WHERE id = %%s'
                             % (table_of(model_name), ', '.join('"%s" = %%s' % name for name in names)),
                             [columns[name] for name in names] + [rid])
        self._link(rid, relations)

    def delete(self, model_name, rid):
        for field in self._fields(model_name).values():
            if field.type == 'many2many':
                relation, column1, dummy = relation_of(field)
                if relation in self.tables():
                    self._cr.execute('DELETE FROM "%s" WHERE "%s" = %%s' % (relation, column1), (rid,))
        self._cr.execute('DELETE FROM "%s" WHERE id = %%s' % table_of(model_name), (rid,))

    # registry signaling and initialisation ------------------------------------------------
    def get_meta(self, key, default=None):
        from . import loading
        if key == 'initialized':
            return 1 if 'ir_module_module' in self.tables() else default
        if key == loading.SIGNALING_KEY:
            self._cr.execute("SELECT 1 FROM pg_class WHERE relkind = 'S' AND relname = %s", (SIGNALING_SEQUENCE,))
            if self._cr.fetchone() is None:
                return default
            self._cr.execute('SELECT last_value FROM %s' % SIGNALING_SEQUENCE)
            return str(self._cr.fetchone()[0])
        raise KeyError(key)

    def set_meta(self, key, value):
        from . import loading
        if key == 'initialized':
            return      # the tables are the mark
        if key == loading.SIGNALING_KEY:
            self._cr.execute('CREATE SEQUENCE IF NOT EXISTS %s INCREMENT BY 1 START WITH 1' % SIGNALING_SEQUENCE)
            self._cr.execute('SELECT setval(%s, %s)', (SIGNALING_SEQUENCE, int(value)))
            return
        raise KeyError(key)


def relation_of(field):
    """``(relation table, column1, column2)`` of a many2many field, as Odoo's ``Many2many.setup_nonrelated``."""
    return (field.relation_table,) + field.relation_columns


def to_column(field, value):
    """A stored value (the JSON form the stand-in's models use) as the column takes it."""
    if value is None or field is None:
        return value
    if field.translate and field.type in ('char', 'text', 'html') and column_is_jsonb(field):
        return json.dumps({'en_US': value}) if value not in (False, None) else None
    if value is False and field.type not in ('boolean',):
        return None
    return value


def from_column(field, value):
    """A column's value in the JSON form the stand-in's models use."""
    if value is None:
        return None
    if isinstance(value, dict) and field is not None and field.translate:
        return value.get('en_US', next(iter(value.values()), None))
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.strftime('%Y-%m-%d %H:%M:%S')
    if isinstance(value, datetime.date):
        return value.strftime('%Y-%m-%d')
    return value


def column_is_jsonb(field):
    from .fields import column_type
    return column_type(field) == 'jsonb'

