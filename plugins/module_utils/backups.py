# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backups of an Odoo database and its filestore, taken before the module step installs or upgrades the addon in it,
and their restore.

A backup of database ``db`` is two files in ``<folder>/<db>/`` (the folder owned by Odoo's service user, 0700: a
database holds the payment keys), named after the time and what it was taken before:
``<db>-<YYYYmmddTHHMMSSZ>-<label>.dump`` (``pg_dump`` custom format, made as Odoo's role) and, when the database has a
filestore (``<data_dir>/filestore/<db>``), ``….filestore.tar`` beside it. Both are 0600. The ``keep`` newest backups
of each database are kept; older ones are removed once a new one is complete.

Free space is checked before the first backup of a run: each database's size on disk (``pg_database_size``, more
than its compressed dump) and its filestore's, against the free space of the folder's file system.

A restore loads the dump into a new database beside the original, then drops the original (its connections
ended) and renames the new one to its name, so the original stays until the copy is complete. The filestore is
extracted beside the current one and swapped in by renames. Odoo should be stopped meanwhile (``playbooks/site.yml``
stops it): a running server would hold connections to the database it serves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import tarfile
import time

from ansible_collections.systempay.odoo.plugins.module_utils import db_state
from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import Postgres, PostgresError, quote_ident, quote_literal

NAME_RE = re.compile(r'^(?P<db>.+)-(?P<stamp>\d{8}T\d{6}Z)-(?P<label>[A-Za-z0-9_.+-]*)\.dump$')
LABEL_RE = re.compile(r'[^A-Za-z0-9_.+-]+')
FILESTORE_SUFFIX = '.filestore.tar'
# PostgreSQL's longest identifier (NAMEDATALEN - 1)
MAX_NAME = 63


class BackupError(Exception):
    """A backup or a restore could not be made; the text names what and why."""


def data_dir_of(host, facts, run_command):
    """Odoo's ``data_dir`` (which holds the filestores): gather's (``facts``, ``odoo_info``'s result), else worked out
    from the host's config as gather does (``OdooHost.addons_layout``)."""
    return (facts or {}).get('data_dir') or host.addons_layout(run_command)['data_dir']


def opened(host, facts, run_command, find_program):
    """``(pg, data_dir)``: PostgreSQL as Odoo reaches it (:class:`Postgres`) and the ``data_dir`` holding the
    filestores - what a backup, a restore and the room check work with."""
    return Postgres(host, run_command, find_program), data_dir_of(host, facts, run_command)


def filestore_of(data_dir, db):
    return os.path.join(data_dir, 'filestore', db)


def tree_size(path):
    """Bytes of the files under ``path`` (0 when it does not exist)."""
    total = 0
    for root, dummy, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def existing_parent(path):
    """``path`` or its nearest folder that exists (where a folder still to be made would be)."""
    path = os.path.abspath(path)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def free_bytes(path):
    info = os.statvfs(existing_parent(path))
    return info.f_bavail * info.f_frsize


def human(size):
    for unit in ('bytes', 'KiB', 'MiB', 'GiB'):
        if size < 1024 or unit == 'GiB':
            return ('%d %s' % (size, unit)) if unit == 'bytes' else ('%.1f %s' % (size, unit))
        size /= 1024.0
    return '%.1f TiB' % size


def odoo_databases(pg, template='template0'):
    """The databases Odoo lists, asked of PostgreSQL as Odoo's ``service.db.list_dbs`` does: those owned by its role,
    neither templates nor refusing connections, not ``postgres`` nor ``db_template``."""
    rows = pg.query('postgres', "SELECT datname FROM pg_database WHERE datdba = (SELECT usesysid FROM pg_user "
                    "WHERE usename = current_user) AND NOT datistemplate AND datallowconn "
                    "AND datname NOT IN ('postgres', %s) ORDER BY datname" % quote_literal(template))
    return [row[0] for row in rows]


def space_needed(pg, data_dir, databases):
    """``{db: bytes}``: what a backup of each of ``databases`` may take (database on disk + filestore)."""
    if not databases:
        return {}
    names = ', '.join(quote_literal(db) for db in databases)
    rows = pg.query('postgres', 'SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname IN (%s)'
                    % names)
    sizes = dict((row[0], int(row[1])) for row in rows if len(row) == 2)
    return dict((db, sizes.get(db, 0) + tree_size(filestore_of(data_dir, db))) for db in databases)


def check_space(pg, folder, data_dir, databases):
    """``{needed, free, databases}``; raises :class:`BackupError` naming the folder and the space when short."""
    sizes = space_needed(pg, data_dir, databases)
    needed = sum(sizes.values())
    free = free_bytes(folder)
    if needed > free:
        raise BackupError(
            'Not enough free space to back up the databases in %s: %s needed (%s), %s free on its file system (%s). '
            'Free space there, give another folder (systempay_odoo_db_backup_dir), or turn database backups off '
            '(systempay_odoo_db_backup: false) if you snapshot another way.'
            % (folder, human(needed), ', '.join('%s %s' % (db, human(size)) for db, size in sorted(sizes.items())),
               human(free), existing_parent(folder)))
    return dict(needed=needed, free=free, databases=sizes)


def chosen_databases(requested, facts, host, pg):
    """The databases ``requested`` (names), or with ``all`` those this Odoo serves: gather's choice (``facts``,
    ``odoo_info``'s result), else those PostgreSQL holds for Odoo's role, as Odoo lists them."""
    if 'all' not in requested:
        return requested
    chosen = db_state.chosen_from_facts(facts, requested)
    if chosen is not None:
        return chosen[0]
    return odoo_databases(pg, host.option('db_template') or 'template0')


def check_room(pg, folder, data_dir, databases):
    """The check made before a run's first change (``odoo_backup`` ``checked``, or ``addon_install``'s
    ``backup_room``): the backups of ``databases`` fit in ``folder``, which Odoo's service user can enter.
    ``{needed, free, databases}``; raises :class:`BackupError` naming what to fix."""
    check_folder(folder, pg.user)
    return check_space(pg, folder, data_dir, databases)


def _owner(user):
    """``(uid, gid)`` of Odoo's service user (a name or number, as discovery reads it), else this process's."""
    info = discovery.user_info(user) if user else None
    return (info['uid'], info['gid']) if info else (os.geteuid(), os.getegid())


def _make_folder(path, uid, gid, own_existing=True):
    """``path`` as a 0700 folder of ``uid``; an existing folder is left as it is unless ``own_existing``."""
    if os.path.isdir(path) and not own_existing:
        return
    if not os.path.isdir(path):
        os.makedirs(path, 0o700)
    os.chown(path, uid, gid)
    os.chmod(path, 0o700)


def check_folder(folder, user):
    """Refuse a backup folder that is not one, or that Odoo's service user ``user`` cannot enter (``pg_dump`` runs
    as it); a folder still to be made is fine (it is made for that user)."""
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise BackupError('%s is not a folder: give a folder for the database backups (systempay_odoo_db_backup_dir)'
                          % folder)
    if os.path.isdir(folder):
        _check_reachable(folder, user)


def _check_reachable(folder, user):
    """Odoo's service user writes the dumps (``pg_dump`` runs as it): it must be able to enter ``folder``."""
    info = discovery.user_info(user) if user else None
    if info and not discovery.can_read_dir(folder, info['uid'], info['gids']):
        raise BackupError('%s, which Odoo runs as and which writes the dumps, cannot enter %s: give a folder it can '
                          'reach (systempay_odoo_db_backup_dir), or one that does not exist yet' % (user, folder))


def label_of(text):
    return LABEL_RE.sub('_', text or '').strip('_') or 'backup'


def listing(folder, db):
    """The backups of ``db`` in ``folder``, newest first: ``[{database, dump, filestore, stamp, label}]``."""
    where = os.path.join(folder, db)
    found = []
    if not os.path.isdir(where):
        return found
    for name in os.listdir(where):
        match = NAME_RE.match(name)
        if not match or match.group('db') != db:
            continue
        dump = os.path.join(where, name)
        tar = dump[:-len('.dump')] + FILESTORE_SUFFIX
        found.append(dict(database=db, dump=dump, filestore=tar if os.path.exists(tar) else None,
                          stamp=match.group('stamp'), label=match.group('label')))
    return sorted(found, key=lambda entry: (entry['stamp'], entry['dump']), reverse=True)


def prune(folder, db, keep):
    """Remove the backups of ``db`` beyond the ``keep`` newest; the paths removed."""
    removed = []
    for entry in listing(folder, db)[keep:]:
        for path in (entry['dump'], entry['filestore']):
            if path and os.path.exists(path):
                os.unlink(path)
                removed.append(path)
    return removed


def dump(pg, folder, data_dir, db, label, keep, now=None):
    """Back ``db`` up (dump and filestore) into ``<folder>/<db>/``; ``{database, dump, filestore, bytes, seconds,
    removed}``. Raises :class:`BackupError`; a half-written backup is removed."""
    start = time.time()
    uid, gid = _owner(pg.user)
    stamp = time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(now if now is not None else start))
    where = os.path.join(folder, db)
    base = os.path.join(where, '%s-%s-%s' % (db, stamp, label_of(label)))
    made = []
    try:
        # a folder made here is the service user's; one that exists (shared, say) is left as it is
        _make_folder(folder, uid, gid, own_existing=False)
        _check_reachable(folder, pg.user)
        _make_folder(where, uid, gid)
        made.append(base + '.dump')
        pg.run('pg_dump', ['--format=custom', '--no-owner', '--file', base + '.dump', db])
        os.chmod(base + '.dump', 0o600)
        store = filestore_of(data_dir, db)
        tar = None
        if os.path.isdir(store):
            tar = base + FILESTORE_SUFFIX
            made.append(tar)
            with tarfile.open(tar, 'w') as archive:
                archive.add(store, arcname=db)
            os.chown(tar, uid, gid)
            os.chmod(tar, 0o600)
    except (PostgresError, OSError, tarfile.TarError, BackupError) as exc:
        for path in made:
            if os.path.exists(path):
                os.unlink(path)
        raise BackupError('Cannot back up database %s into %s: %s' % (db, where, exc))
    size = sum(os.path.getsize(path) for path in made)
    return dict(database=db, dump=base + '.dump', filestore=tar, bytes=size, seconds=round(time.time() - start, 2),
                removed=prune(folder, db, keep))


def _drop(pg, db):
    """Drop ``db``, ending the sessions still connected to it (PostgreSQL 13+: ``WITH (FORCE)``)."""
    version = int(pg.query('postgres', 'SHOW server_version_num')[0][0])
    if version >= 130000:
        pg.execute('postgres', 'DROP DATABASE IF EXISTS %s WITH (FORCE)' % quote_ident(db))
    else:
        pg.execute('postgres', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s '
                   'AND pid <> pg_backend_pid()' % quote_literal(db), 'DROP DATABASE IF EXISTS %s' % quote_ident(db))


def restore(pg, data_dir, backup):
    """Put database ``backup['database']`` and its filestore back as ``backup`` (an entry of :func:`dump` or
    :func:`listing`) holds them. Raises :class:`BackupError`; until the copy is complete the database is untouched."""
    db = backup['database']
    start = time.time()
    if not os.path.isfile(backup['dump']):
        raise BackupError('Cannot restore database %s: its backup %s is gone' % (db, backup['dump']))
    copy = (db[:MAX_NAME - len('-restoring')] + '-restoring')
    try:
        # the copy gets the original's encoding and collation (Odoo creates its databases with LC_COLLATE 'C')
        found = pg.query('postgres', 'SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database '
                         'WHERE datname = %s' % quote_literal(db))
        like = (" ENCODING %s LC_COLLATE %s LC_CTYPE %s" % tuple(quote_literal(value) for value in found[0])
                if found else '')
        _drop(pg, copy)
        pg.execute('postgres', 'CREATE DATABASE %s%s TEMPLATE template0' % (quote_ident(copy), like))
        # read by pg_restore itself, as Odoo's service user (the dump is that user's, 0600)
        pg.run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--dbname', copy, backup['dump']])
    except PostgresError as exc:
        try:
            _drop(pg, copy)
        except PostgresError:
            pass
        raise BackupError('Cannot restore database %s from %s (the database is as it was): %s'
                          % (db, backup['dump'], exc))
    try:
        _drop(pg, db)
        pg.execute('postgres', 'ALTER DATABASE %s RENAME TO %s' % (quote_ident(copy), quote_ident(db)))
        _restore_filestore(data_dir, db, backup.get('filestore'))
    except (PostgresError, OSError, tarfile.TarError) as exc:
        raise BackupError('Cannot finish the restore of database %s from %s: %s (its copy is database %s)'
                          % (db, backup['dump'], exc, copy))
    return dict(database=db, dump=backup['dump'], filestore=backup.get('filestore'),
                seconds=round(time.time() - start, 2))


def _restore_filestore(data_dir, db, tar):
    """The filestore of ``db`` as ``tar`` holds it (none when the backup had none)."""
    store = filestore_of(data_dir, db)
    parent = os.path.dirname(store)
    aside = os.path.join(parent, '.%s.replaced' % db)
    if os.path.lexists(aside):
        shutil.rmtree(aside)
    if tar:
        staging = os.path.join(parent, '.%s.restoring' % db)
        if os.path.lexists(staging):
            shutil.rmtree(staging)
        os.makedirs(staging, 0o700)
        with tarfile.open(tar) as archive:
            members = archive.getmembers()
            for member in members:
                parts = member.name.split('/')
                if parts[0] != db or '..' in parts or member.issym() or member.islnk() or member.isdev():
                    raise BackupError('Cannot restore the filestore of %s: %s holds %s' % (db, tar, member.name))
            # owners and modes as they were (Odoo's service user must own its files); the members were checked above
            trusted = {'filter': 'fully_trusted'} if hasattr(tarfile, 'fully_trusted_filter') else {}
            archive.extractall(staging, members=members, numeric_owner=True, **trusted)
        if os.path.isdir(store):
            os.rename(store, aside)
        os.rename(os.path.join(staging, db), store)
        shutil.rmtree(staging)
    elif os.path.isdir(store):
        os.rename(store, aside)
    if os.path.lexists(aside):
        shutil.rmtree(aside)
