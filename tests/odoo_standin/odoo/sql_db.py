"""The stand-in's databases: PostgreSQL with ``standin_storage = postgresql`` in the config (``sql_pg``: Odoo's
tables and columns), else one SQLite file per database in ``ODOO_STANDIN_DB_DIR``.

On SQLite each database holds a generic record store (``records``: model, id, JSON values), per-model id
sequences, and a ``meta`` table (registry signaling sequence).  WAL mode and a busy timeout make
concurrent use by a running server and a CLI process safe; every cursor takes the write lock at
its start (``BEGIN IMMEDIATE``), so transactions are serialized.
"""
import json
import os
import re
import sqlite3

from .tools import config

DB_SUFFIX = '.sqlite'
_NAME_RE = re.compile(r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$')


class OperationalError(Exception):
    """What psycopg2 raises when a database cannot be opened (named like it in tracebacks)."""


OperationalError.__module__ = 'psycopg2'


class ProgrammingError(Exception):
    """What psycopg2 raises for SQL that PostgreSQL refuses (an unknown relation, say)."""


ProgrammingError.__module__ = 'psycopg2'


class DatabaseExists(Warning):
    pass


def postgresql():
    """Whether the databases are in PostgreSQL (``standin_storage = postgresql``), not in SQLite files."""
    return config.get('standin_storage') == 'postgresql'


def _pg():
    from . import sql_pg
    return sql_pg


def db_dir():
    return os.environ.get('ODOO_STANDIN_DB_DIR', '/var/lib/odoo-standin/db')


def db_path(dbname):
    return os.path.join(db_dir(), dbname + DB_SUFFIX)


def list_dbs():
    """Every database of the cluster, sorted (on PostgreSQL: those Odoo lists, owned by ``db_user``)."""
    if postgresql():
        return _pg().list_dbs()
    if not os.path.isdir(db_dir()):
        return []
    return sorted(name[:-len(DB_SUFFIX)] for name in os.listdir(db_dir()) if name.endswith(DB_SUFFIX))


def exists(dbname):
    if postgresql():
        return _pg().exists(dbname)
    return os.path.isfile(db_path(dbname))


def create_empty_database(dbname):
    if not _NAME_RE.match(dbname or ''):
        raise OperationalError('invalid database name %r' % dbname)
    if postgresql():
        return _pg().create_empty_database(dbname)
    if exists(dbname):
        raise DatabaseExists("database %r already exists!" % dbname)
    os.makedirs(db_dir(), exist_ok=True)
    conn = sqlite3.connect(db_path(dbname))
    try:
        conn.execute('PRAGMA journal_mode=WAL')
        conn.executescript('''
            CREATE TABLE IF NOT EXISTS records (model TEXT NOT NULL, id INTEGER NOT NULL, vals TEXT NOT NULL,
                                                PRIMARY KEY (model, id));
            CREATE TABLE IF NOT EXISTS sequences (model TEXT PRIMARY KEY, last INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
        ''')
        conn.commit()
    finally:
        conn.close()


class Transaction:
    """What both storages' cursors share: close (rolling back what was not committed), and a ``with`` block that
    commits when it ends without an exception. A cursor has ``_conn``, ``closed``, ``commit`` and ``rollback``."""

    def close(self):
        if not self.closed:
            self.rollback()
            self._conn.close()
            self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        self.close()


def Cursor(dbname):
    """A transaction on one database (``env.cr``), in the storage the config names."""
    return _pg().Cursor(dbname) if postgresql() else SqliteCursor(dbname)


class SqliteCursor(Transaction):
    """A transaction on one database; commit/rollback like a psycopg2 cursor (``env.cr``)."""

    def __init__(self, dbname):
        self.dbname = dbname
        self.registry = None
        if not exists(dbname):
            raise OperationalError('connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" '
                                   'failed: FATAL:  database "%s" does not exist\n' % dbname)
        self._conn = sqlite3.connect(db_path(dbname), timeout=60, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute('PRAGMA busy_timeout=60000')
        self._in_tx = False
        self.closed = False

    def _execute(self, query, params=()):
        # The transaction (and the write lock) starts with the first statement, ends at commit/rollback.
        if not self._in_tx:
            self._conn.execute('BEGIN IMMEDIATE')
            self._in_tx = True
        return self._conn.execute(query, params)

    # transaction control -------------------------------------------------
    def commit(self):
        if self._in_tx:
            self._conn.execute('COMMIT')
            self._in_tx = False

    def rollback(self):
        if self._in_tx:
            self._conn.execute('ROLLBACK')
            self._in_tx = False

    # record store ---------------------------------------------------------
    def fetch_all(self, model):
        rows = self._execute('SELECT id, vals FROM records WHERE model = ? ORDER BY id', (model,))
        return {rid: json.loads(vals) for rid, vals in rows}

    def fetch(self, model, rid):
        row = self._execute('SELECT vals FROM records WHERE model = ? AND id = ?', (model, rid)).fetchone()
        return json.loads(row[0]) if row else None

    def existing_ids(self, model, ids):
        if not ids:
            return set()
        marks = ','.join('?' * len(ids))
        rows = self._execute('SELECT id FROM records WHERE model = ? AND id IN (%s)' % marks,
                                  (model, *ids))
        return {r[0] for r in rows}

    def insert(self, model, vals):
        row = self._execute('SELECT last FROM sequences WHERE model = ?', (model,)).fetchone()
        rid = (row[0] if row else 0) + 1
        if row:
            self._execute('UPDATE sequences SET last = ? WHERE model = ?', (rid, model))
        else:
            self._execute('INSERT INTO sequences (model, last) VALUES (?, ?)', (model, rid))
        self._execute('INSERT INTO records (model, id, vals) VALUES (?, ?, ?)',
                           (model, rid, json.dumps(vals)))
        return rid

    def update(self, model, rid, vals):
        current = self.fetch(model, rid) or {}
        current.update(vals)
        self._execute('UPDATE records SET vals = ? WHERE model = ? AND id = ?',
                           (json.dumps(current), model, rid))

    def delete(self, model, rid):
        self._execute('DELETE FROM records WHERE model = ? AND id = ?', (model, rid))

    # SQL ------------------------------------------------------------------
    # Odoo code and scripts read a few tables with SQL (``cr.execute``). The stand-in keeps records in its store,
    # not in tables, so it answers the one statement shape it is sent, from the store, and refuses any other the
    # way PostgreSQL refuses an unknown relation (README, "How it stores data").
    _SELECT_RE = re.compile(r'^\s*SELECT\s+(?P<cols>[\w\s,]+?)\s+FROM\s+(?P<table>\w+)\s+WHERE\s+name\s*=\s*%s\s*$',
                            re.IGNORECASE)
    _TABLES = {'ir_module_module': 'ir.module.module'}

    def execute(self, query, params=()):
        match = self._SELECT_RE.match(query or '')
        table = match.group('table').lower() if match else None
        if table not in self._TABLES:
            raise ProgrammingError('relation "%s" does not exist' % (table or query))
        columns = [col.strip() for col in match.group('cols').split(',')]
        try:
            stored = self.fetch_all(self._TABLES[table])
        except sqlite3.OperationalError:        # a file without the store: no Odoo table at all
            raise ProgrammingError('relation "%s" does not exist' % table)
        rows = [vals for dummy, vals in sorted(stored.items()) if vals.get('name') == (params or [None])[0]]
        self._rows = [tuple(vals.get(col) for col in columns) for vals in rows]

    def fetchone(self):
        rows = getattr(self, '_rows', [])
        return rows.pop(0) if rows else None

    def fetchall(self):
        rows, self._rows = getattr(self, '_rows', []), []
        return rows

    def new_columns(self, model_name):
        """The stored fields of ``model_name`` that no row holds yet, when it has rows: a row is a JSON object and
        ``create`` stores every field, so a column "exists" once a row holds its key (see ``sql_pg``)."""
        from .fields import column_type
        from .models import MAGIC_FIELDS
        if self.registry is None or model_name not in self.registry:
            return []
        rows = self.fetch_all(model_name)
        if not rows:
            return []
        return [name for name, field in self.registry[model_name]._fields.items()
                if name not in MAGIC_FIELDS and column_type(field) and not any(name in vals for vals in rows.values())]

    # meta -----------------------------------------------------------------
    def get_meta(self, key, default=None):
        row = self._execute('SELECT value FROM meta WHERE key = ?', (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key, value):
        self._execute('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', (key, str(value)))


class Connection:
    """``odoo.sql_db.db_connect(name)``: a connection to one database, whose ``cursor()`` opens a transaction."""

    def __init__(self, dbname):
        self.dbname = dbname

    def cursor(self):
        return Cursor(self.dbname)


def db_connect(dbname):
    return Connection(dbname)


def read_meta(dbname, key, default=None):
    """Read one meta value without taking the write lock (used for registry signaling)."""
    if postgresql():
        return _pg().read_signaling(dbname, default)
    conn = sqlite3.connect(db_path(dbname), timeout=60)
    try:
        row = conn.execute('SELECT value FROM meta WHERE key = ?', (key,)).fetchone()
        return row[0] if row else default
    finally:
        conn.close()
