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
  - The first database that fails stops the task; the ones after it are reported as V(skipped), and the task fails
    with the report of every database.
  - A failure is explained when the log (or the XML-RPC Fault) shows why, for example a database without the
    C(account) module for the 3.x addon, an addon line that does not fit the Odoo series, a module not on the addons
    path, an unknown database or a wrong password.
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
    details: Only reads each database (no C(update_list), no install) and reports V(would_install) or V(would_upgrade).
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

- name: What would be installed or upgraded where
  systempay.odoo.odoo_module:
    state: latest
  check_mode: true
  register: plan
'''

RETURN = r'''
changed:
  description: Whether the module was installed or upgraded (in check mode, would be) in at least one database.
  returned: always
  type: bool
  sample: true
databases:
  description: One entry a database, in the order they were processed.
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
        - V(none), V(install), V(upgrade), V(failed), V(skipped) (after a failure in an earlier database),
          V(would_install), V(would_upgrade) (check mode).
      type: str
      sample: install
    seconds:
      description: Time spent on the database.
      type: float
      sample: 6.4
    msg:
      description: What was done or why it failed.
      type: str
      sample: payment_systempay needs the account module (Invoicing) in database shop3 (model account.payment.method is missing)
    log:
      description: On failure, the last lines of the Odoo log or XML-RPC Fault (secrets masked); else empty.
      type: list
      elements: str
      sample: ["TypeError: Model 'account.payment.method' does not exist in registry."]
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
'''

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.module_utils import transport

CHANGES = ('install', 'upgrade', 'would_install', 'would_upgrade')


def argument_spec():
    spec = transport.common_argument_spec()
    spec.update(
        name=dict(type='str', default='payment_systempay'),
        state=dict(type='str', default='present', choices=['present', 'latest']),
        databases=dict(type='list', elements='str', default=['all']),
    )
    return spec


class Failure(Exception):
    """A database failed: ``msg`` for the task, the entry already says the rest."""


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
        self.expected = None
        if self.copy is not None and self.copy['version'] is not None:
            self.expected = odoo_modules.adapt_version(self.copy['version'], host.series)
        self.listed = listed
        self.secrets = secrets

    def _fail(self, entry, msg, task_msg, log=''):
        entry['action'] = 'failed'
        entry['msg'] = msg
        entry['log'] = transport.excerpt(log, self.secrets)
        raise Failure(transport.mask(task_msg, self.secrets))

    def _read(self, entry, db, verb):
        """``(before-like state, row)`` of the module in ``db``; read failures end the task."""
        try:
            row = self.odoo.read_modules(db, [self.name]).get(self.name)
        except transport.TransportError as exc:
            cause = to_native(exc)
            if exc.kind == 'login':
                self._fail(entry, cause, 'Cannot log in to database %s as %s: %s'
                           % (db, self.module.params['login'], cause), exc.log)
            if exc.kind == 'unknown_database':
                self._fail(entry, cause, 'Cannot open database %s: it does not exist%s' % (db, self._known()), exc.log)
            self._fail(entry, cause, 'Cannot %s %s in database %s: %s' % (verb, self.name, db, cause), exc.log)
        return odoo_modules.db_state(row), row

    def _known(self):
        return ' (this Odoo has: %s)' % ', '.join(self.listed) if self.listed else ''

    def _stale(self, row):
        """The version a running server has in memory when it differs from the copy on disk (rpc only)."""
        if self.odoo.name != 'rpc' or not row or not row.get('installed_version') or self.expected is None:
            return None
        return row['installed_version'] if row['installed_version'] != self.expected else None

    def database(self, db):
        """``(entry, failure)``: the report of ``db``, and the task's message when it failed."""
        start = time.time()
        entry = dict(name=db, before=None, after=None, action='none', seconds=0.0, msg='', log=[])
        failure = None
        try:
            self._database(db, entry)
        except Failure as exc:
            failure = to_native(exc)
        entry['seconds'] = round(time.time() - start, 1)
        return entry, failure

    def _database(self, db, entry):
        if self.listed is not None and db not in self.listed:
            entry['msg'] = 'database %s does not exist' % db
            self._fail(entry, entry['msg'], 'Cannot open database %s: it does not exist%s' % (db, self._known()))
        before, row = self._read(entry, db, 'read')
        entry['before'] = entry['after'] = before
        if self.copy is None:
            where = ', '.join(self.folders)
            if odoo_modules.is_installed(before['state']):
                entry['msg'] = 'installed, but no copy on the addons path (%s): Odoo cannot load it' % where
                self.module.warn('%s in database %s: %s' % (self.name, db, entry['msg']))
                return
            msg = '%s not found on the addons path (%s)' % (self.name, where)
            self._fail(entry, msg, 'Cannot install %s in database %s: %s' % (self.name, db, msg))
        action, reason = odoo_modules.decide(self.goal, before, self.expected)
        entry['msg'] = reason
        if action == 'none':
            return
        stale = self._stale(row)
        restart = ('the running Odoo has version %s of %s in memory and the disk has %s: restart Odoo first'
                   % (stale, self.name, self.expected)) if stale else ''
        if self.module.check_mode:
            entry['action'] = 'would_' + action
            entry['msg'] = reason + ('; but %s' % restart if restart else '')
            return
        if restart:
            self._fail(entry, restart, 'Cannot %s %s in database %s: %s' % (action, self.name, db, restart))
        self._act(db, entry, action, row)

    def _act(self, db, entry, action, row):
        try:
            if self.odoo.name == 'rpc' and row is None:
                self.odoo.update_list(db)   # a new module folder is seen without a restart
            rc, log = getattr(self.odoo, action)(db, self.name)
        except transport.TransportError as exc:
            rc, log = None, exc.log or to_native(exc)
        after, row = self._read(entry, db, 'read')
        entry['after'] = after
        if after['state'] == 'installed' and after['version'] == self.expected:
            entry['action'] = action
            entry['msg'] = ('installed %s' % after['version'] if action == 'install'
                            else 'upgraded from %s to %s' % (entry['before']['version'], after['version']))
            return
        cause = odoo_modules.explain_failure(log, self.name, db, self.host.series)
        stale = self._stale(row)
        if cause is None and stale:
            cause = ('the running Odoo still has version %s of %s in memory and the disk has %s: restart Odoo first'
                     % (stale, self.name, self.expected))
        if cause is None:
            how = 'odoo %s %s' % ('-i' if action == 'install' else '-u', self.name) if self.odoo.name == 'cli' \
                else 'button_immediate_%s' % action
            cause = '%s is %s at version %s after %s (%s, expected %s installed): %s' % (
                self.name, after['state'] or 'unknown', after['version'], how,
                'exit %s' % rc if self.odoo.name == 'cli' else ('Fault' if rc else 'no Fault'),
                self.expected, transport.last_error_line(log) or 'nothing logged')
        self._fail(entry, cause, 'Cannot %s %s in database %s: %s' % (action, self.name, db, cause), log)


def _databases(module, odoo, url):
    """``(names, listed)``: the databases to work on, and the server's list (None when unknown)."""
    listed, reason = odoo.list_databases(url, min(module.params['timeout'], 30))
    names, error = transport.choose_databases(module.params['databases'], listed, reason)
    if error:
        module.fail_json(msg=error)
    return names, listed


def main():
    module = AnsibleModule(argument_spec=argument_spec(), required_if=transport.COMMON_REQUIRED_IF,
                           supports_check_mode=True)
    params = module.params
    name = params['name']
    if not odoo_modules.NAME_RE.match(name or ''):
        module.fail_json(msg='Cannot manage module %r: not an Odoo module name (letters, digits, _)' % (name,))
    run_command = transport.module_runner(module)
    try:
        host = transport.OdooHost.discover(run_command, params['service'], params['config'], params['binary'])
    except discovery.DiscoveryError as exc:
        module.fail_json(msg=to_native(exc))
    except transport.TransportError as exc:
        module.fail_json(msg='Cannot read the Odoo config: %s' % to_native(exc))
    # Secrets of the service's command line are hidden everywhere (as odoo_info does); those of the config file
    # and the password are masked in the log excerpts (the password is no_log already).
    for secret in host.install['secrets']:
        module.no_log_values.add(secret)
    secrets = host.secrets + ([params['password']] if params['password'] else [])
    try:
        odoo = transport.connect(module, host, run_command)
        url = params['url'] or host.url()
    except transport.TransportError as exc:
        module.fail_json(msg='Cannot run Odoo as %s: %s' % (params['user'] or host.install['user'], to_native(exc)))

    names, listed = _databases(module, odoo, url)
    job = Run(module, host, odoo, host.addons_search_path(run_command), listed, secrets)
    if job.copy is not None and job.expected is None:
        module.fail_json(msg='Cannot read the manifest of %s: %s' % (job.copy['path'], job.copy['error']))
    report = []
    failure = None
    for index, db in enumerate(names):
        entry, failure = job.database(db)
        report.append(entry)
        if failure:
            report.extend(dict(name=rest, before=None, after=None, action='skipped', seconds=0.0,
                               msg='not processed: database %s failed' % db, log=[]) for rest in names[index + 1:])
            break
    done = [entry['action'] for entry in report]
    result = dict(
        changed=any(action in CHANGES for action in done),
        databases=report,
        disk=dict(path=job.copy['path'], version=job.expected) if job.copy else None,
        addons_path=job.folders,
        restart_needed=odoo.name == 'cli' and any(action in ('install', 'upgrade') for action in done),
    )
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
