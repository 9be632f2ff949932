#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: odoo_backup
short_description: Check the room for, list or restore the database backups of an Odoo host
version_added: 0.2.0
description:
  - The backups themselves are taken by M(systempay.odoo.odoo_module) (its O(systempay.odoo.odoo_module#module:backup)
    option) just before it installs or upgrades the module in a database. Each is a C(pg_dump) of the database
    (custom format) and a tar of its filestore (C(<data_dir>/filestore/<db>)), in C(<folder>/<db>/), 0600, the
    folders 0700 and owned by Odoo's service user (a database holds the payment keys).
  - V(checked) refuses, before any change, a O(folder) that is not a folder or that Odoo's service user cannot enter
    (it writes the dumps), and a file system with less free space than the backups of O(databases) may take (each
    database's size on disk and its filestore's). Nothing is changed.
  - V(listed) gives the backups of O(databases) in O(folder), newest first.
  - V(restored) puts each of O(backups) back (a backup as M(systempay.odoo.odoo_module) or V(listed) returned it;
    with O(latest), the newest backup of each of O(databases)). The dump is loaded into a new database, the original
    dropped (its sessions ended), the new one renamed; then the filestore is swapped in. Odoo's service is stopped
    first and left stopped; the caller starts it again (for example with M(systempay.odoo.odoo_service)).
  - PostgreSQL's programs (C(psql), C(pg_dump), C(pg_restore)) run as Odoo's service user with Odoo's connection
    settings (C(db_host), C(db_port), C(db_user), C(db_password) of its config, given to them in libpq's environment,
    never on a command line); the password appears in no output.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  state:
    description: What to do.
    type: str
    choices: [checked, listed, restored]
    default: checked
  databases:
    description: The databases (V(checked), V(listed), V(restored) with O(latest)); V(all) means the databases
      this Odoo serves, as gather listed them (O(odoo_facts), those of another series left out).
    type: list
    elements: str
    default: []
  folder:
    description: The backup folder (one sub-folder per database).
    type: path
    default: /var/backups/systempay-odoo
  backups:
    description: The backups to restore (V(restored)), each with C(database), C(dump) and C(filestore) (V(null) when
      the database had no filestore).
    type: list
    elements: dict
    default: []
  latest:
    description: With V(restored), restore the newest backup of each of O(databases) found in O(folder) (with
      V(all), of each database that has one).
    type: bool
    default: false
  stop_service:
    description: With V(restored), stop Odoo's service before the restore (it is left stopped).
    type: bool
    default: true
extends_documentation_fragment:
  - systempay.odoo.lock
  - systempay.odoo.odoo
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: V(restored) says what it would restore and changes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - O(lock) is used with V(checked) only, taken once the room is found sufficient. The check is the last read before
    a run's first change (C(playbooks/site.yml)).
'''

EXAMPLES = r'''
- name: Refuse now when the backups of the run's databases would not fit
  systempay.odoo.odoo_backup:
    state: checked
    databases: [shop1, shop2]
    folder: /var/backups/systempay-odoo
    odoo_facts: "{{ systempay_odoo_facts }}"

- name: Put shop1 back as its newest backup holds it, then start Odoo
  systempay.odoo.odoo_backup:
    state: restored
    databases: [shop1]
    latest: true
'''

RETURN = r'''
needed:
  description: Bytes the backups of O(databases) may take (V(checked)).
  returned: when state is checked
  type: int
free:
  description: Free bytes on the file system of O(folder) (V(checked)).
  returned: when state is checked
  type: int
backups:
  description: The backups of O(databases), newest first (V(listed)), each with C(database), C(dump), C(filestore),
    C(stamp), C(label).
  returned: when state is listed
  type: list
  elements: dict
restored:
  description: The backups put back (or that would be), each with C(database), C(dump), C(filestore), C(seconds).
  returned: when state is restored
  type: list
  elements: dict
stopped:
  description: Whether Odoo's service was stopped for the restore.
  returned: when state is restored
  type: bool
lock:
  description: With O(lock), M(systempay.odoo.odoo_lock)'s result (C(acquired), C(holder), C(taken_over), C(expires),
    C(generation)); V(null) without O(lock) or in check mode.
  returned: when state is checked
  type: dict
'''

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import backups, host_lock, odoo_host, transport
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import PostgresError
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule


def argument_spec():
    spec = transport.common_argument_spec()
    spec.update(
        state=dict(type='str', default='checked', choices=['checked', 'listed', 'restored']),
        databases=dict(type='list', elements='str', default=[]),
        folder=dict(type='path', default='/var/backups/systempay-odoo'),
        backups=dict(type='list', elements='dict', default=[]),
        latest=dict(type='bool', default=False),
        stop_service=dict(type='bool', default=True),
        lock=dict(type='dict', options=host_lock.OPTIONS),
    )
    return spec


def chosen_backups(module, folder, every):
    """The backups V(restored) puts back: O(backups), or the newest of each database with O(latest) (with V(all),
    ``every``: those that have one)."""
    params = module.params
    if params['latest']:
        chosen = []
        for db in params['databases']:
            found = backups.listing(folder, db)
            if not found and not every:
                module.fail_json(msg='Cannot restore database %s: no backup of it in %s' % (db, folder))
            chosen.extend(found[:1])
        return chosen
    chosen = []
    for entry in params['backups']:
        if not isinstance(entry, dict) or not entry.get('database') or not entry.get('dump'):
            module.fail_json(msg='Cannot restore %r: a backup has database, dump and filestore (as odoo_module '
                             'returned it)' % (entry,))
        chosen.append(dict(database=entry['database'], dump=entry['dump'], filestore=entry.get('filestore')))
    return chosen


def main():
    module = CollectionModule(argument_spec=argument_spec(), required_if=transport.COMMON_REQUIRED_IF,
                              supports_check_mode=True)
    params = module.params
    folder = params['folder']
    if not folder.startswith('/'):
        module.fail_json(msg='folder is %r: give an absolute path for the database backups' % folder)
    host, dummy, dummy, secrets = odoo_host.open_odoo(module, dict(params, transport='cli'))
    pg, data_dir = backups.opened(host, params.get('odoo_facts'), transport.module_runner(module), module.get_bin_path)
    every = 'all' in params['databases']
    try:
        params['databases'] = backups.chosen_databases(params['databases'], params.get('odoo_facts'), host, pg)
        if params['state'] == 'checked':
            space = backups.check_room(pg, folder, data_dir, params['databases'])
            lock = None
            if params['lock'] and not module.check_mode:
                try:
                    lock = host_lock.acquire(params['lock'], module.warn)
                except host_lock.LockError as exc:
                    module.fail_json(msg=to_native(exc), lock=exc.result)
            module.exit_json(changed=False, needed=space['needed'], free=space['free'], sizes=space['databases'], lock=lock,
                             msg='%s needed, %s free in %s' % (backups.human(space['needed']),
                                                               backups.human(space['free']), folder))
        if params['state'] == 'listed':
            found = [entry for db in params['databases'] for entry in backups.listing(folder, db)]
            module.exit_json(changed=False, backups=found)
        chosen = chosen_backups(module, folder, every)
        if module.check_mode or not chosen:
            module.exit_json(changed=bool(chosen), restored=chosen, stopped=False)
        stopped = False
        if params['stop_service'] and host.install.get('service'):
            rc, out, err = module.run_command([module.get_bin_path('systemctl', required=True), 'stop',
                                               host.install['service']])
            if rc != 0:
                module.fail_json(msg='Cannot stop %s before the restore: %s' % (host.install['service'],
                                                                                (err or out).strip()))
            stopped = True
        restored = []
        for backup in chosen:
            try:
                restored.append(backups.restore(pg, data_dir, backup))
            except backups.BackupError as exc:
                module.fail_json(msg=transport.mask(to_native(exc), secrets), restored=restored, stopped=stopped)
        module.exit_json(changed=True, restored=restored, stopped=stopped,
                         msg='restored %s' % ', '.join('%s from %s' % (entry['database'], entry['dump'])
                                                       for entry in restored))
    except (backups.BackupError, PostgresError) as exc:
        module.fail_json(msg=transport.mask(to_native(exc), secrets))


if __name__ == '__main__':
    main()
