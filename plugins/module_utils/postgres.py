# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PostgreSQL as the Odoo of a host reaches it: the same server, role and password, through PostgreSQL's own programs.

Odoo connects with ``db_host``, ``db_port``, ``db_user`` and ``db_password`` from its config file (or command line),
and with libpq's defaults for what is unset: the Unix socket, and the operating-system user it runs as (peer
authentication on Debian). The programs here (``psql``, ``pg_dump``, ``pg_restore``) run as Odoo's service user with
those settings in libpq's environment variables (``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD``), so whatever
lets Odoo in lets them in, and the password is on no command line. Every text they print passes through
``transport.mask`` with the host's secrets before it reaches a message.

Why PostgreSQL's programs rather than a Python driver: ``pg_dump`` and ``pg_restore`` are the only tools that make and
restore a dump, they come with ``postgresql-client`` (a dependency of Odoo's Debian package, and present wherever
Odoo's own database manager backs up), while ``psycopg2`` belongs to Odoo's interpreter, which may be a virtualenv
the module's Python cannot import from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.systempay.odoo.plugins.module_utils import transport

# Field and record separators of psql's unaligned output: control characters no database name or value holds.
FIELD_SEP = '\x1f'
RECORD_SEP = '\x1e'
APPLICATION = 'systempay-odoo'


class PostgresError(Exception):
    """A PostgreSQL program failed; the text is masked already."""


class Postgres(object):
    """PostgreSQL's programs, run as Odoo's service user with Odoo's connection settings.

    ``host`` is an ``odoo_host.OdooHost``; ``run_command(argv, cwd=None, data=None, environ_update=None)`` and
    ``find_program(name)`` come from the module (``transport.module_runner``, ``module.get_bin_path``).
    """

    def __init__(self, host, run_command, find_program, timeout=600):
        self.host = host
        self.run_command = run_command
        self.find_program = find_program
        self.timeout = timeout
        self.secrets = host.secrets
        self.user = host.install.get('user')
        self.prefix, environ = transport.run_as_prefix(self.user, find_program)
        self.environ = dict(environ, PGAPPNAME=APPLICATION, PGCONNECT_TIMEOUT='10')
        for option, variable in (('db_host', 'PGHOST'), ('db_port', 'PGPORT'), ('db_user', 'PGUSER'),
                                 ('db_password', 'PGPASSWORD')):
            value = host.option(option)
            if value is not None:
                self.environ[variable] = str(value)

    @property
    def role(self):
        """The role Odoo logs in as: ``db_user``, else the service user (libpq's default)."""
        return self.environ.get('PGUSER') or self.user

    @property
    def where(self):
        """Where the server is, for messages: ``host:port`` over TCP, else the Unix socket."""
        if self.environ.get('PGHOST') and not self.environ['PGHOST'].startswith('/'):
            return 'PostgreSQL at %s:%s' % (self.environ['PGHOST'], self.environ.get('PGPORT', '5432'))
        return 'PostgreSQL on its Unix socket'

    def program(self, name):
        path = self.find_program(name)
        if not path:
            raise PostgresError('%s is not installed on this host (Debian: apt-get install postgresql-client)' % name)
        return path

    def run(self, name, args, data=None, accept=(0,)):
        """``(stdout, stderr)`` of PostgreSQL program ``name``; an exit status not in ``accept`` raises
        :class:`PostgresError`."""
        timeout = self.find_program('timeout')
        argv = ([timeout, str(self.timeout)] if timeout else []) + self.prefix + [self.program(name)] + list(args)
        rc, out, err = self.run_command(argv, cwd='/', data=data, environ_update=self.environ)
        if rc not in accept:
            lines = [line for line in (err or out or '').splitlines() if line.strip()]
            detail = transport.mask(' '.join(lines[-3:]) if lines else 'exit %d' % rc, self.secrets)
            raise PostgresError('%s failed (%s as %s): %s' % (name, self.where, self.role, detail))
        return out, err

    def query(self, database, sql, read_only=True):
        """The rows of ``sql`` run by ``psql`` on ``database`` (lists of strings; NULL is ''), in a read-only
        transaction unless ``read_only`` is false."""
        args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-F', FIELD_SEP, '-R', RECORD_SEP, '-d', database]
        if read_only:
            args += ['-c', 'SET default_transaction_read_only = on']
        out, dummy = self.run('psql', args + ['-c', sql])
        return [record.split(FIELD_SEP) for record in out.rstrip('\n').split(RECORD_SEP) if record]

    def execute(self, database, *statements):
        """Run each of ``statements`` on ``database``, each in its own transaction (``DROP DATABASE`` needs that)."""
        args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database]
        for statement in statements:
            args += ['-c', statement]
        self.run('psql', args)


def quote_ident(name):
    """``name`` as an SQL identifier."""
    return '"%s"' % name.replace('"', '""')


def quote_literal(value):
    """``value`` as an SQL string literal (standard_conforming_strings, the default since PostgreSQL 9.1)."""
    return "'%s'" % value.replace("'", "''")
