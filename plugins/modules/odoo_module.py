#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: odoo_module
short_description: Install or upgrade an Odoo module (the payment addon) in every database of a host
version_added: 0.1.0
description:
  - Makes sure the Odoo module O(name) is installed, and with O(state=latest) at the version of the copy Odoo
    loads from disk, in the databases O(databases) of the host's Odoo.
  - For each database, in turn, reads the module's state and installed version, installs it when it is not installed
    and (O(state=latest)) upgrades it when the copy on disk has a higher version, then reads the state and version
    again. Success is decided from that second reading (installed, at the version of the copy on disk), never from an
    exit code (Odoo exits 0 for a misspelt module name).
  - The copy on disk is the first one on the addons path, as Odoo searches it (the automatic
    C(<data_dir>/addons/<series>) folder included); its manifest is read as data and its version compared the way
    Odoo stores it (C(3.1.1) on Odoo 16 is C(16.0.3.1.1)).
  - Before installing the payment addon in a database, checks in the same read that the database has the modules
    its line needs without declaring them in its manifest (the 3.x and 4.x lines need C(account), Invoicing). When
    one is missing, nothing is run in that database (Odoo would install the declared C(payment) module, commit it,
    then fail on the addon) and the database is reported V(failed) with the module to install, or to leave the
    database out of O(databases). The payment addon is recognised by its C(helpers/constants.py) declaring
    C(CMS_IDENTIFIER); its line is that of the manifest version on disk.
  - A database whose install fails or is refused (a missing required module, an unknown database, the module not on
    the addons path) is reported and the next database is processed. A failed upgrade of an installed module (the
    new version does not run where the old one did), a refused login, or an Odoo that does not answer (in time)
    stops the run there; the databases after it are reported as V(skipped). The task fails at the end when any
    database failed, with the report of every database; its message gives each failed database's reason.
  - V(all) means the databases this server can load. A database of another series in the same PostgreSQL cluster
    (Odoo's own check, C(odoo.service.db.list_db_incompatible), as its database manager does - the C(base) module's
    version against the server's) is left out and reported V(skipped) with the series it belongs to; naming it in
    O(databases) is refused before anything runs. With O(transport=rpc) the check is made only when
    O(odoo_facts) carries it.
  - A failure is explained when the log (or the XML-RPC Fault) shows why, for example an addon line that does not
    fit the Odoo series, a module not on the addons path, a model of a module the database lacks, an unknown
    database or a wrong password.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  name:
    description:
      - Technical name of the Odoo module.
    type: str
    default: payment_systempay
  state:
    description:
      - V(present) installs the module where it is not installed; an installed module is left as it is.
      - V(latest) also upgrades it where the installed version is lower than the copy on disk.
        A copy on disk older than the installed version is never installed over it (Odoo would silently downgrade).
    type: str
    choices: [present, latest]
    default: present
  planned_version:
    description:
      - In check mode only, the version of the payment addon (C(3.1.1)) that the files will have once an earlier step
        of the same run has put its archive in place (C(playbooks/site.yml) when the archive changes the files).
        Each database is then planned against it - V(would_install), V(would_upgrade), V(none), or V(failed) for a
        database that lacks a module that line needs - instead of against the copy on disk, so that check mode
        prints the module step the real run will make.
      - Ignored outside check mode (the real run reads the files it put in place).
    type: str
  same_version_replaced:
    description:
      - This run replaced the addon's files by other content of the same version (a vendor archive published again
        under the same version number; C(playbooks/site.yml) sets it from the addon step). With O(state=latest), a
        database that records that version is upgraded too, so that Odoo loads the new files' data, which it reads
        only at C(-i)/C(-u). A database that records a newer version is still never downgraded.
      - Since the version the database records does not change, such an upgrade counts as done only when the call
        did not fail (exit 0, no Fault) and Odoo wrote the module's row again (its C(write_date), which Odoo's loader
        moves after loading the module; a failed C(-u) is rolled back).
    type: bool
    default: false
  backup:
    description:
      - Back up each database just before the module is installed or upgraded in it (never in a database where
        nothing is to be done, nor in check mode). A backup is a C(pg_dump) of the database (custom format) and a
        tar of its filestore (C(<data_dir>/filestore/<db>)), as M(systempay.odoo.odoo_backup) describes them (0600
        files in C(<folder>/<db>/), a folder 0700 of Odoo's service user, made as Odoo's role with Odoo's connection
        settings, the password in no output). The free space is checked first; only the O(backup.keep) newest
        backups of each database are kept.
      - When a backup cannot be made, nothing is run in that database, it is reported V(failed), and the run stops.
      - Omitted, no backup is made.
    type: dict
    suboptions:
      folder:
        description: The backup folder.
        type: path
        default: /var/backups/systempay-odoo
      keep:
        description: How many backups of each database to keep (the newest).
        type: int
        default: 3
  release_lock:
    description:
      - Release the run's lock on the host (M(systempay.odoo.odoo_lock) with V(released)) at the end of a call in
        which no database failed, so that a run whose last change is this step needs no call of its own to release it
        (C(playbooks/site.yml)). Only a lock with this O(release_lock.token) is removed. Not in check mode, and not
        when the task fails (the run's rescue and its own release come after).
    type: dict
    suboptions:
      path:
        description: The lock file on the host.
        type: path
        default: /var/lib/systempay-odoo/run.lock
      token:
        description: The run's token, as it took the lock with.
        type: str
        required: true
  validate_only:
    description:
      - Only check the options and that every database named exists on this Odoo, then exit; nothing is read in the
        databases. Used before any change is made on the host (the C(playbooks/site.yml) plan).
    type: bool
    default: false
  databases:
    description:
      - Databases to work on, in the order given.
      - V(all) means every database of the server, as C(/xmlrpc/2/db) C(list()) on the running service gives them,
        in alphabetical order; that list ignores C(dbfilter), so databases hidden from the web are included.
        The service must run and allow listing (C(list_db)); otherwise name the databases.
    type: list
    elements: str
    default: [all]
extends_documentation_fragment:
  - systempay.odoo.odoo
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Only reads each database (no C(update_list), no install) and reports V(would_install) or V(would_upgrade).
      - A database without a module the addon line requires is reported V(failed), and the task fails, as the real
        run would; the other databases are still read and reported.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - With O(transport=cli), the running service keeps its old code and manifests after an install or upgrade;
    RV(restart_needed) says when it must be restarted.
  - With O(transport=rpc), a running server only sees a new version of a module it already knows after a restart;
    when the server's version differs from the copy on disk, the task fails for that database with
    C(restart Odoo first) instead of upgrading to the old version. Order - files, restart, then this module.
  - Databases are created by Odoo when C(-d) names one that does not exist; this module reads every database
    before it runs C(-i)/C(-u) on it, so an unknown name fails and is never created.
seealso:
  - module: systempay.odoo.odoo_info
  - module: systempay.odoo.addon_install
'''

EXAMPLES = r'''
- name: Install the payment addon in every database, with the Odoo program of the host
  systempay.odoo.odoo_module:
    name: payment_systempay
    state: present
  become: true

# Over XML-RPC, restart Odoo after new files first: the running server only sees a new version after a restart.
# The password is no_log in the module (masked in the result and log excerpts); a task-level no_log is not
# needed and would also hide the per-database report.
- name: Upgrade it where the copy on disk is newer, in two databases, over XML-RPC
  systempay.odoo.odoo_module:
    state: latest
    databases: [shop1, shop2]
    transport: rpc
    url: http://127.0.0.1:8069
    login: admin
    password: "{{ odoo_admin_password }}"
  register: upgrade

# Check mode predicts the real run: it fails too when a database would be refused (e.g. one without Invoicing).
- name: What would be installed or upgraded where
  systempay.odoo.odoo_module:
    state: latest
  check_mode: true
  register: plan

# A failed install does not stop the other databases; the task fails at the end with every database's report.
- name: Install the addon where it can go, then name the databases that could not take it
  block:
    - name: Install the addon in three databases
      systempay.odoo.odoo_module:
        databases: [shop1, shop2, shop3]
  rescue:
    - name: Fail with the reason of each database that failed
      ansible.builtin.fail:
        msg: "{{ ansible_failed_result.databases | selectattr('action', 'equalto', 'failed')
                 | map(attribute='msg') | join(' | ') }}"
'''

RETURN = r'''
changed:
  description: Whether the module was installed or upgraded (in check mode, would be) in at least one database.
  returned: always
  type: bool
  sample: true
databases:
  description:
    - One entry a database, in the order they were processed (the order of O(databases); V(all) sorts them).
    - On failure too, in the failed result (C(ansible_failed_result.databases) in a C(rescue)).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Database.
      type: str
      sample: shop1
    before:
      description:
        - C(state) (as Odoo says it - V(installed), V(uninstalled), V(to install)... or V(null) when the database
          does not list the module) and C(version) (installed version as stored, V(null) when none) before the task;
          V(null) when the database could not be read or was skipped.
      type: dict
      sample: {"state": "uninstalled", "version": null}
    after:
      description: The same, read again after the install or upgrade (equal to RV(databases[].before) when nothing was done).
      type: dict
      sample: {"state": "installed", "version": "16.0.3.1.1"}
    action:
      description:
        - V(none), V(install), V(upgrade), V(would_install), V(would_upgrade) (check mode).
        - V(failed) - the install or upgrade failed, or was refused before anything ran in the database (a module
          the addon line requires is not installed there, in check mode too; an unknown database; the module not on
          the addons path); RV(databases[].msg) says why.
        - V(skipped) - not processed, because the run stopped at an earlier database whose upgrade failed, whose
          login was refused or whose Odoo did not answer; or because O(databases=all) leaves it out, being of
          another Odoo series (RV(databases[].msg) names it).
      type: str
      sample: install
    seconds:
      description: Time spent on the database.
      type: float
      sample: 6.4
    msg:
      description: What was done or why it failed.
      type: str
      sample: >-
        payment_systempay (3.x line) needs Invoicing (account), which its manifest does not declare, and database
        shop3 does not have it installed (account: uninstalled): install Invoicing (account) in shop3 first, or
        leave shop3 out of `databases`
    log:
      description:
        - On failure, the last lines of the Odoo log or XML-RPC Fault (secrets masked); else empty (also when the
          database was refused before Odoo ran).
      type: list
      elements: str
      sample: ["ModuleNotFoundError: No module named 'odoo.addons.payment.models.payment_acquirer'"]
    backup:
      description: The backup taken before the install or upgrade (O(backup)), with C(database), C(dump),
        C(filestore) (V(null) without a filestore), C(bytes), C(seconds) and C(removed) (older backups removed);
        V(null) when none was taken.
      type: dict
  sample:
    - {"name": "shop1", "before": {"state": "uninstalled", "version": null},
       "after": {"state": "installed", "version": "16.0.3.1.1"}, "action": "install", "seconds": 6.4, "msg": "installed 16.0.3.1.1",
       "log": []}
disk:
  description: The copy of the module Odoo loads from disk, V(null) when there is none on the addons path.
  returned: always
  type: dict
  contains:
    path:
      description: Its folder.
      type: str
      sample: /var/lib/odoo/addons/16.0/payment_systempay
    version:
      description: Its manifest version as Odoo stores it.
      type: str
      sample: 16.0.3.1.1
addons_path:
  description: The folders searched for the module, first first.
  returned: always
  type: list
  elements: str
  sample: ["/usr/lib/python3/dist-packages/odoo/addons", "/var/lib/odoo/addons/16.0"]
restart_needed:
  description:
    - True when the module was installed or upgraded with O(transport=cli) - the running service keeps the old code
      and manifests until it restarts.
  returned: always
  type: bool
  sample: true
lock_released:
  description: Whether this call removed the run's lock (O(release_lock)).
  returned: when the databases were worked on (not with O(validate_only))
  type: bool
  sample: true
database_states:
  description:
    - With O(transport=cli) and the vendor's addon (C(payment_<brand>)), the read that checks each installed or
      upgraded database afterwards is the whole read the gather stage makes (as
      RV(systempay.odoo.odoo_info#module:database_states), keys as salted digests only, or only whether each is set
      when gather read them so, RV(systempay.odoo.odoo_info#module:digests)). It is the state of that
      database as the new code leaves it, for the later steps to take instead of reading it again. Only the
      databases this task installed or upgraded, and read without an error.
    - Read with SQL when the host has C(psql) (what the finished C(-i)/C(-u) committed, as Odoo's role with Odoo's
      connection settings; no Odoo process is started for it), else, or when that read is not complete, by one
      C(odoo shell).
  returned: always
  type: dict
  sample: {}
'''

import datetime
import time

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import backups
from ansible_collections.systempay.odoo.plugins.module_utils import db_sql
from ansible_collections.systempay.odoo.plugins.module_utils import db_state
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import host_lock
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_host
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import Postgres, PostgresError
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule

CHANGES = ('install', 'upgrade', 'would_install', 'would_upgrade')

# Transport errors that say the host, not one database, is the problem (TransportError.kind -> why the run stops):
# the login and password are the same for every database, and every database is reached through the same Odoo.
HOST_FAILURES = {
    'login': 'the login is refused',
    'unreachable': 'Odoo does not answer',
    'timeout': 'Odoo does not answer in time',
}
UPGRADE_FAILED = 'an upgrade failed'
BACKUP_FAILED = 'a database could not be backed up'


def argument_spec():
    spec = transport.common_argument_spec()
    spec.update(
        name=dict(type='str', default='payment_systempay'),
        state=dict(type='str', default='present', choices=['present', 'latest']),
        databases=dict(type='list', elements='str', default=['all']),
        backup=dict(type='dict', options=dict(folder=dict(type='path', default='/var/backups/systempay-odoo'),
                                              keep=dict(type='int', default=3))),
        release_lock=dict(type='dict', options=dict(path=host_lock.OPTIONS['path'], token=host_lock.OPTIONS['token'])),
        validate_only=dict(type='bool', default=False),
        planned_version=dict(type='str'),
        same_version_replaced=dict(type='bool', default=False),
    )
    return spec


class Failure(Exception):
    """A database failed: ``str()`` is the task's message, the entry already says the rest.

    ``stop`` is None when the run goes on with the next database, else why it stops there.
    """

    def __init__(self, msg, stop=None):
        Exception.__init__(self, msg)
        self.stop = stop


class Run(object):
    """One task: the transport, the copy on disk, and the report being built."""

    def __init__(self, module, host, odoo, folders, listed, secrets):
        self.module = module
        self.host = host
        self.odoo = odoo
        self.name = module.params['name']
        self.goal = module.params['state']
        self.folders = folders
        self.copy = odoo_modules.disk_copy(self.name, folders)
        self.planned = module.check_mode and bool(module.params.get('planned_version'))
        if self.planned:
            # check mode, files still to come from the archive an earlier step checked (the vendor's addon)
            version = module.params['planned_version']
            self.copy = dict(path=(self.copy or {}).get('path') or 'the archive', version=version)
            try:
                self.line = generations.line_of_version(version)
            except generations.GenerationError as exc:
                module.fail_json(msg='Cannot plan the module step: planned_version %s' % to_native(exc))
        self.expected = None
        if self.copy is not None and self.copy['version'] is not None:
            self.expected = odoo_modules.adapt_version(self.copy['version'], host.series)
        if not self.planned:
            # modules the addon line on disk needs without declaring them (generations.ADDON_LINES), read with it
            self.line = odoo_modules.addon_line(self.copy, host.series)
        self.requires = tuple(self.line['requires']) if self.line else ()
        self.listed = listed
        self.secrets = secrets
        # the vendor's addon: the read after an install or upgrade is gather's whole read (db_state), kept here
        self.brand = self.name[len('payment_'):] if self.name.startswith('payment_') else None
        self.salt = None
        # the keys digested as gather digested them (odoo_info digests; on when there are no facts)
        self.digests = (module.params.get('odoo_facts') or {}).get('digests', True) is not False
        self.states = {}
        self.backup = module.params['backup']
        self.pg = None
        self.data_dir = None
        if self.backup is not None:
            if self.backup['keep'] < 1 or not self.backup['folder'].startswith('/'):
                module.fail_json(msg='backup is %r: give an absolute folder and keep 1 or more' % (self.backup,))
            self.pg, self.data_dir = backups.opened(host, module.params.get('odoo_facts'), transport.module_runner(module),
                                                    module.get_bin_path)

    def _fail(self, entry, msg, task_msg, log='', stop=None):
        entry['action'] = 'failed'
        entry['msg'] = msg
        entry['log'] = transport.excerpt(log, self.secrets)
        raise Failure(transport.mask(task_msg, self.secrets), stop)

    def _read(self, entry, db, verb, stop=None, gathered=False):
        """``(before-like state, rows)``: the module's state in ``db`` and the rows of it and of the modules it
        requires (one read; with ``gathered``, the gather stage's read when there is one: no Odoo process). A read
        failure ends the database, and the run when it says the host is the problem (else ``stop``)."""
        names = [self.name] + list(self.requires)
        state = self.host.state(db, names, fresh=False) if gathered and self.odoo.name == 'cli' else None
        if state is not None:
            rows = db_state.module_rows(state, names)
            return odoo_modules.db_state(rows.get(self.name)), rows
        try:
            rows = self.odoo.read_modules(db, names)
        except transport.TransportError as exc:
            cause = to_native(exc)
            stop = HOST_FAILURES.get(exc.kind, stop)
            if exc.kind == 'login':
                self._fail(entry, cause, 'Cannot log in to database %s as %s: %s'
                           % (db, self.module.params['login'], cause), exc.log, stop)
            if exc.kind == 'unknown_database':
                self._fail(entry, cause, 'Cannot open database %s: it does not exist%s' % (db, self._known()),
                           exc.log, stop)
            self._fail(entry, cause, 'Cannot %s %s in database %s: %s' % (verb, self.name, db, cause), exc.log, stop)
        return odoo_modules.db_state(rows.get(self.name)), rows

    def _read_after(self, entry, db, stop):
        """:meth:`_read` after an install or upgrade; with the CLI and the vendor's addon, gather's whole read of the
        database, kept in :attr:`states` for the later steps when it has no error: with SQL when the host has
        ``psql`` (what the finished Odoo process committed, read without starting Odoo again), else, or when that
        read is not complete, with one ``odoo shell``."""
        names = [self.name] + list(self.requires)
        if self.odoo.name == 'cli' and self.brand and self.host.series:
            if self.salt is None and self.digests:
                self.salt = db_state.new_salt()
            state = self._read_sql(db)
            if not db_state.usable(state, names):
                try:
                    state = db_state.read(self.odoo, db, self.host.series, self.brand, self.salt)
                except transport.TransportError:
                    state = None
            if db_state.usable(state, names):
                self.states[db] = state
                rows = db_state.module_rows(state, names)
                return odoo_modules.db_state(rows.get(self.name)), rows
        return self._read(entry, db, 'read', stop)

    def _read_sql(self, db):
        """Gather's read of ``db`` with SQL (``db_sql``, as Odoo's role), None without ``psql`` or when it fails."""
        if not self.module.get_bin_path('psql'):
            return None
        if self.pg is None:
            self.pg = Postgres(self.host, transport.module_runner(self.module), self.module.get_bin_path)
        try:
            return db_sql.read(self.pg, [db], self.host.series, self.brand, self.salt, self.host.major)[db]
        except PostgresError:
            return None

    def _known(self):
        return ' (this Odoo has: %s)' % ', '.join(self.listed) if self.listed else ''

    def _stale(self, row):
        """The version a running server has in memory when it differs from the copy on disk (rpc only; not for a
        planned version: the run that puts those files in place restarts Odoo first)."""
        if self.odoo.name != 'rpc' or self.planned or not row or not row.get('installed_version') \
                or self.expected is None:
            return None
        return row['installed_version'] if row['installed_version'] != self.expected else None

    def database(self, db):
        """``(entry, failure)``: the report of ``db``, and a :class:`Failure` when it failed (else None)."""
        start = time.time()
        entry = dict(name=db, before=None, after=None, action='none', seconds=0.0, msg='', log=[], backup=None)
        failure = None
        try:
            self._database(db, entry)
        except Failure as exc:
            failure = exc
        entry['seconds'] = round(time.time() - start, 1)
        return entry, failure

    def _database(self, db, entry):
        if self.listed is not None and db not in self.listed:
            entry['msg'] = 'database %s does not exist' % db
            self._fail(entry, entry['msg'], 'Cannot open database %s: it does not exist%s' % (db, self._known()))
        before, rows = self._read(entry, db, 'read', gathered=True)
        row = rows.get(self.name)
        entry['before'] = entry['after'] = before
        if self.copy is None:
            where = ', '.join(self.folders)
            if odoo_modules.is_installed(before['state']):
                entry['msg'] = 'installed, but no copy on the addons path (%s): Odoo cannot load it' % where
                self.module.warn('%s in database %s: %s' % (self.name, db, entry['msg']))
                return
            msg = '%s not found on the addons path (%s)' % (self.name, where)
            self._fail(entry, msg, 'Cannot install %s in database %s: %s' % (self.name, db, msg))
        action, reason = odoo_modules.decide(self.goal, before, self.expected, self.module.params['same_version_replaced'])
        entry['msg'] = reason
        if action == 'none':
            return
        # A failed install concerns that database only; a failed upgrade means the new version does not run
        # where the old one did: the run stops there.
        stop = UPGRADE_FAILED if action == 'upgrade' else None
        missing = odoo_modules.missing_requirements(rows, self.requires) if action == 'install' else []
        if missing:
            # Checked before anything runs, in check mode too: Odoo would install the declared dependencies
            # (payment), commit them, then fail on the undeclared one.
            msg = odoo_modules.requirement_failure(self.name, self.line, missing, db)
            self._fail(entry, msg, 'Cannot install %s in database %s: %s' % (self.name, db, msg))
        stale = self._stale(row)
        restart = ('the running Odoo has version %s of %s in memory and the disk has %s: restart Odoo first'
                   % (stale, self.name, self.expected)) if stale else ''
        if self.module.check_mode:
            entry['action'] = 'would_' + action
            entry['msg'] = reason + ('; but %s' % restart if restart else '')
            return
        if restart:
            self._fail(entry, restart, 'Cannot %s %s in database %s: %s' % (action, self.name, db, restart),
                       stop=stop)
        self._act(db, entry, action, row, stop)

    def _back_up(self, db, entry, action):
        """The backup of ``db`` before ``action`` (:attr:`backup`); a failure ends the run, nothing run in ``db``."""
        folder = self.backup['folder']
        try:
            backups.check_space(self.pg, folder, self.data_dir, [db])
            entry['backup'] = backups.dump(self.pg, folder, self.data_dir, db, 'before-%s-%s' % (action, self.expected),
                                           self.backup['keep'])
        except (backups.BackupError, PostgresError) as exc:
            cause = transport.mask(to_native(exc), self.secrets)
            self._fail(entry, cause, 'Cannot %s %s in database %s: %s; nothing was run in it'
                       % (action, self.name, db, cause), stop=BACKUP_FAILED)

    def _act(self, db, entry, action, before_row, stop):
        if self.backup is not None:
            self._back_up(db, entry, action)
        since = datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')
        try:
            if self.odoo.name == 'rpc' and before_row is None:
                self.odoo.update_list(db)   # a new module folder is seen without a restart
            rc, log = getattr(self.odoo, action)(db, self.name)
        except transport.TransportError as exc:
            rc, log = None, exc.log or to_native(exc)
        after, rows = self._read_after(entry, db, stop)
        row = rows.get(self.name)
        entry['after'] = after
        # at the version the database already records, Odoo's write of the module's row shows the upgrade, with a
        # call that did not fail (exit 0, no Fault: button_immediate_upgrade writes the row before it loads)
        done = after['version'] != entry['before']['version'] or (
            rc == 0 and odoo_modules.rewritten(before_row, row, since))
        if after['state'] == 'installed' and after['version'] == self.expected and done:
            entry['action'] = action
            entry['msg'] = ('installed %s' % after['version'] if action == 'install'
                            else 'upgraded from %s to %s' % (entry['before']['version'], after['version'])
                            if entry['before']['version'] != after['version']
                            else 'upgraded at %s (new files of that same version)' % after['version'])
            return
        cause = odoo_modules.explain_failure(log, self.name, db, self.host.series)
        stale = self._stale(row)
        if cause is None and stale:
            cause = ('the running Odoo still has version %s of %s in memory and the disk has %s: restart Odoo first'
                     % (stale, self.name, self.expected))
        if cause is None:
            how = 'odoo %s %s' % ('-i' if action == 'install' else '-u', self.name) if self.odoo.name == 'cli' \
                else 'button_immediate_%s' % action
            status = 'exit %s' % rc if self.odoo.name == 'cli' else ('Fault' if rc else 'no Fault')
            if after['state'] == 'installed' and after['version'] == self.expected:
                cause = ('Odoo did not record an upgrade of %s at %s after %s (%s): its module row was not written, '
                         'so the new files of that version were not loaded: %s'
                         % (self.name, after['version'], how, status, transport.last_error_line(log) or 'nothing logged'))
            else:
                cause = '%s is %s at version %s after %s (%s, expected %s installed): %s' % (
                    self.name, after['state'] or 'unknown', after['version'], how, status,
                    self.expected, transport.last_error_line(log) or 'nothing logged')
        self._fail(entry, cause, 'Cannot %s %s in database %s: %s' % (action, self.name, db, cause), log, stop)


def task_message(failures, stopped_after=None, skipped=()):
    """The task's message: each failed database's own message; then, when the run stopped, where and why."""
    text = failures[0] if len(failures) == 1 else '%d databases failed: %s' % (len(failures), ' | '.join(failures))
    if skipped:
        text += ' | stopped after database %s (%s), not processed: %s' % (
            stopped_after[0], stopped_after[1], ', '.join(skipped))
    return text


def _databases(module, host, odoo, url):
    """``(names, listed, left_out)``: the databases to work on, the server's list (None when unknown), and the
    databases of another series ``all`` leaves out (``{name: base version}``)."""
    requested = module.params['databases']
    listed, reason = odoo_host.server_databases(host, odoo, url, min(module.params['timeout'], 30))
    candidates = listed if listed is not None else [name for name in requested if name != 'all']
    incompatible = odoo_host.incompatible_databases(module, host, odoo, candidates)
    names, error = transport.choose_databases(requested, listed, reason, incompatible, host.series)
    if error:
        module.fail_json(msg=error)
    return names, listed, dict((name, incompatible[name]) for name in transport.left_out(requested, incompatible))


def main():
    module = CollectionModule(argument_spec=argument_spec(), required_if=transport.COMMON_REQUIRED_IF,
                              supports_check_mode=True)
    params = module.params
    name = params['name']
    if not odoo_modules.NAME_RE.match(name or ''):
        module.fail_json(msg='Cannot manage module %r: not an Odoo module name (letters, digits, _)' % (name,))
    host, odoo, url, secrets = odoo_host.open_odoo(module)

    names, listed, left_out = _databases(module, host, odoo, url)
    if params['validate_only']:
        missing = [db for db in names if listed is not None and db not in listed]
        if missing:
            module.fail_json(msg='Cannot choose databases: %s %s not among the databases of this Odoo (%s)'
                             % (', '.join(missing), 'are' if len(missing) > 1 else 'is', ', '.join(listed)))
        module.exit_json(changed=False, databases=[], msg='databases: %s' % ', '.join(names))
    job = Run(module, host, odoo, host.addons_search_path(transport.module_runner(module)), listed, secrets)
    if job.copy is not None and job.expected is None:
        module.fail_json(msg='Cannot read the manifest of %s: %s' % (job.copy['path'], job.copy['error']))
    report = []
    failures = []
    stopped_after = None
    skipped = []
    for index, db in enumerate(names):
        entry, failure = job.database(db)
        report.append(entry)
        if failure is None:
            continue
        failures.append(to_native(failure))
        if failure.stop:
            stopped_after = (db, failure.stop)
            skipped = names[index + 1:]
            report.extend(dict(name=rest, before=None, after=None, action='skipped', seconds=0.0,
                               msg='not processed: the run stopped after database %s (%s)' % (db, failure.stop),
                               log=[], backup=None) for rest in skipped)
            break
    # databases of another series, which this server cannot load: not touched, said so
    report.extend(dict(name=db, before=None, after=None, action='skipped', seconds=0.0, log=[], backup=None,
                       msg='left out of all: %s' % transport.incompatible_message(db, version, host.series))
                  for db, version in sorted(left_out.items()))
    done = [entry['action'] for entry in report]
    result = dict(
        changed=any(action in CHANGES for action in done),
        databases=report,
        disk=dict(path=job.copy['path'], version=job.expected) if job.copy else None,
        addons_path=job.folders,
        restart_needed=odoo.name == 'cli' and any(action in ('install', 'upgrade') for action in done),
        database_states=dict((db, state) for db, state in job.states.items()
                             if any(entry['name'] == db and entry['action'] in CHANGES for entry in report)),
    )
    if failures:
        module.fail_json(msg=task_message(failures, stopped_after, skipped), lock_released=False, **result)
    # the run's last change was this step: its lock goes in the same call (a release that cannot be made is left to
    # the run's own release task; the step itself succeeded)
    result['lock_released'] = False
    if params['release_lock'] and not module.check_mode:
        try:
            result['lock_released'] = host_lock.release(params['release_lock'])['changed']
        except (IOError, OSError) as exc:
            module.warn('Could not release the lock %s here: %s' % (params['release_lock']['path'], to_native(exc)))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
