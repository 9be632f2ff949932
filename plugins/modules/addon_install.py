#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: addon_install
short_description: Install, upgrade or roll back the payment addon folder in an Odoo addons folder, atomically
version_added: 0.1.0
description:
  - Puts the C(payment_<brand>) folder of a vendor archive (or of an unpacked folder) into an Odoo addons folder,
    as the vendor guide says (delete the old C(payment_systempay) folder, copy the new one into
    C(/var/lib/odoo/addons/<series>/)), but so that Odoo never sees a half-copied module.
  - Checks the source again on the host with the checks of M(systempay.odoo.addon_archive) (safe entry names,
    no links, exactly one C(payment_<brand>) folder, a manifest with a version).
  - Compares the content hash of the source with the installed copy; when they are the same, nothing is touched.
  - Otherwise unpacks into C(<dest>/.systempay-staging-XXXX/<module>/), sets owner, group and modes, then swaps by
    renaming (same file system, so each rename is atomic) the installed copy to
    C(<dest>/.systempay-backups/<module>-<version>-<UTC time>/) and the staged copy to C(<dest>/<module>).
    Odoo only takes direct children of an addons folder that hold a manifest as modules, so the staging and
    backup folders are never seen as modules. When the second rename fails, the old copy is put back.
  - Keeps the O(backup_keep) newest backups of the module and removes older ones.
  - With O(rollback), puts the newest backup back in place; the copy it replaces becomes a backup.
  - The mode and owner of O(dest) are never changed (Odoo creates C(<data_dir>/addons/<series>) with mode 0500
    owned by its user; running as root, the module can still write in it).
  - Odoo caches manifests; restart the service (or run C(odoo -u)) after a change for Odoo to use the new code.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  src:
    description:
      - Path on the host of the vendor zip, or of a folder holding the unpacked C(<module>) folder (or of that folder).
      - With O(remote_src=false), path on the controller of the vendor zip (found like the C(src) of
        M(ansible.builtin.copy), absolute or in the role's or playbook's C(files/)).
      - Required unless O(rollback) is set; not allowed with it.
    type: path
  remote_src:
    description:
      - V(true) (the default) when O(src) is on the host.
      - V(false) when O(src) is a zip on the controller. The action plugin sends it into the task's temporary folder
        on the host (removed when the task ends, also in check mode), and the module installs from there, in the same
        task. Nothing of the archive is left on the host besides the installed module and its backups.
    type: bool
    default: true
    version_added: 0.2.0
  module:
    description:
      - Name of the Odoo module, C(payment_<brand>); the source must hold that folder.
    type: str
    default: payment_systempay
  dest:
    description:
      - The addons folder the module goes in, for example C(/var/lib/odoo/addons/16.0).
      - It must exist; the task fails when it is not a folder or not writable.
    type: path
    required: true
  owner:
    description:
      - User owning the installed files (name or number).
      - Defaults to the owner of O(dest), which is the Odoo service user on the Debian package (C(odoo)).
    type: str
  group:
    description:
      - Group owning the installed files (name or number). Defaults to the group of O(dest).
    type: str
  dir_mode:
    description:
      - Mode of the installed folders, in octal (V('0755')).
      - Odoo only needs to read the module; the default, like the Debian package's own addons, lets everyone read.
    type: raw
    default: '0755'
  file_mode:
    description:
      - Mode of the installed files, in octal (V('0644')). Files executable in the source also get the execute
        bits matching their read bits.
    type: raw
    default: '0644'
  backup_keep:
    description:
      - How many backups of the module to keep in C(<dest>/.systempay-backups), newest first; older ones are removed.
      - V(0) keeps none (and O(rollback) then has nothing to restore).
    type: int
    default: 3
  expected_sha256:
    description:
      - The content hash (RV(systempay.odoo.addon_archive#module:content_sha256)) the source must have;
        the task fails before touching anything when it differs.
    type: str
  series:
    description:
      - Odoo series of the host (C(16.0)); when set, the declared range of the source must include it.
    type: str
  force_range:
    description:
      - Install even when the declared range of the source does not include O(series).
    type: bool
    default: false
  python:
    description:
      - The Python interpreter Odoo runs with on this host (RV(systempay.odoo.odoo_info#module:python)). Before the
        swap, every C(.py) file of the unpacked addon is compiled by it (C(compile()), no import, nothing written);
        a file that does not compile is refused, naming the file, the line and the cause, and nothing changes.
      - Defaults to the interpreter running this module.
    type: str
  rollback:
    description:
      - Put the newest backup back in place instead of installing O(src). Fails when there is no backup.
    type: bool
    default: false
  backup_room:
    description:
      - After the checks of the archive (not in check mode), and before the folder is replaced, check in this call
        that the backups the module step will take fit, as M(systempay.odoo.odoo_backup) with V(checked) does (each
        database's size and its filestore's against the free space of O(backup_room.folder), which Odoo's service
        user must be able to enter); refused before any change, naming the folder and the space needed.
        C(playbooks/site.yml) gives it when the install is the run's first change, so that the check costs no call
        of its own.
    type: dict
    suboptions:
      folder:
        description: The database backup folder.
        type: path
        required: true
      databases:
        description: The databases the module step works on (V(all) as M(systempay.odoo.odoo_backup) takes it).
        type: list
        elements: str
        default: [all]
      odoo_facts:
        description: What M(systempay.odoo.odoo_info) returned in the gather stage (Odoo's connection settings, its
          databases and C(data_dir)).
        type: dict
        required: true
  restart:
    description:
      - After a change of the folder in this call (not in check mode), restart Odoo's unit and prove it in the same
        call, exactly as M(systempay.odoo.odoo_service) does with O(module) (a new process of the unit answering
        version_info, the module not skipped in the log lines of this start). C(roles/addon) gives it when nothing
        else changes between the swap and the restart (no config edit, no modes to give back), so that the restart
        costs no call of its own.
      - The task does not fail when the restart cannot be proven. RV(restart) says what held (C(proven),
        C(restarted), C(msg), C(log)), and the caller decides (the addon role puts the previous files back).
    type: dict
    suboptions:
      service:
        description: As O(systempay.odoo.odoo_service#module:service).
        type: str
        required: true
      url:
        description: As O(systempay.odoo.odoo_service#module:url).
        type: str
        required: true
      port:
        description: As O(systempay.odoo.odoo_service#module:port).
        type: int
        required: true
      timeout:
        description: As O(systempay.odoo.odoo_service#module:timeout).
        type: int
        default: 120
      logfile:
        description: As O(systempay.odoo.odoo_service#module:logfile).
        type: path
extends_documentation_fragment:
  - systempay.odoo.lock
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs every check and reports what would change; writes nothing.
  diff_mode:
    support: full
    details: The version and content hash before and after, not the file contents.
  platform:
    platforms: posix
notes:
  - O(lock) is taken after every check (O(backup_room) included) and before the folder is replaced - also when it is
    not to be replaced, since the run's later changes need the lock.
  - Compiled Python (C(__pycache__/), C(*.pyc)) that Odoo writes in the installed folder is left out of the comparison.
  - Only the content (files, their bytes, the execute bit) is compared; owner and modes of an up-to-date copy are not
    changed.
  - A staging folder left by an interrupted run (C(<dest>/.systempay-staging-*)) is harmless to Odoo and can be removed.
seealso:
  - module: systempay.odoo.addon_archive
  - module: systempay.odoo.odoo_info
'''

EXAMPLES = r'''
- name: Install or upgrade the addon where Odoo looks first, from the zip checked on the controller
  systempay.odoo.addon_install:
    src: "{{ archive.src }}"
    remote_src: false
    dest: "{{ odoo.addons_data_dir.path }}"
    owner: "{{ odoo.user }}"
    group: "{{ odoo.group }}"
    series: "{{ odoo.series }}"
    expected_sha256: "{{ archive.content_sha256 }}"
  register: addon
  notify: Restart Odoo

- name: Install from a zip already on the host
  systempay.odoo.addon_install:
    src: /var/tmp/Systempay_Odoo_16_v3.1.1.zip
    dest: /opt/odoo/custom-addons
  notify: Restart Odoo

- name: Put the previous version back
  systempay.odoo.addon_install:
    dest: /var/lib/odoo/addons/16.0
    rollback: true
'''

RETURN = r'''
changed:
  description: Whether the installed folder was (or, in check mode, would be) replaced.
  returned: always
  type: bool
  sample: true
previous_version:
  description: Manifest version of the copy found in O(dest) before the task, V(null) when there was none.
  returned: success
  type: str
  sample: 3.1.0
version:
  description: Manifest version of the copy in place after the task.
  returned: success
  type: str
  sample: 3.1.1
content_sha256:
  description: Content hash of the copy in place after the task (same as RV(systempay.odoo.addon_archive#module:content_sha256)).
  returned: success
  type: str
  sample: 90c88d2eb5cd138685329cdaab51f624014282abb0e549213a1a3faca5fb0079
backup_path:
  description: Where the replaced copy was moved, V(null) when none was made (or when O(backup_keep=0) removed it).
  returned: success
  type: str
  sample: /var/lib/odoo/addons/16.0/.systempay-backups/payment_systempay-3.1.0-20240101T120000Z
backups:
  description: Backups of the module kept in C(<dest>/.systempay-backups), newest first.
  returned: success
  type: list
  elements: str
  sample: [/var/lib/odoo/addons/16.0/.systempay-backups/payment_systempay-3.1.0-20240101T120000Z]
path:
  description: The installed module folder.
  returned: success
  type: str
  sample: /var/lib/odoo/addons/16.0/payment_systempay
backup_room:
  description: With O(backup_room), what the check found (C(needed), C(free) in bytes, C(sizes) by database);
    V(null) when it did not run (not given, or check mode).
  returned: always
  type: dict
lock:
  description: With O(lock), M(systempay.odoo.odoo_lock)'s result (C(acquired), C(holder), C(taken_over), C(expires),
    C(generation)); V(null) when it was not taken (not given, or check mode).
  returned: always
  type: dict
restart:
  description: With O(restart), the result of the restart after the change (the return values of
    M(systempay.odoo.odoo_service) - C(proven), C(restarted), C(answering), C(before), C(after), C(port_owner),
    C(http_status), C(not_loaded), C(log), C(msg)); V(null) when no restart was made (not given, nothing changed,
    or check mode).
  returned: always
  type: dict
'''

import grp
import os
import pwd
import re
import shutil
import sys
import tempfile
import time

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import backups
from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import host_lock
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_host
from ansible_collections.systempay.odoo.plugins.module_utils import service_restart
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import PostgresError
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule

# Odoo's odoo/modules/module.py get_modules() lists the direct children of each addons folder
# that hold <name>/__manifest__.py (or __openerp__.py), and get_module_path() looks only at
# <addons folder>/<module>/<manifest>: these folders hold the module one level deeper, so Odoo
# never takes them (nor what is inside) for modules.
STAGING_PREFIX = '.systempay-staging-'
BACKUP_DIR = '.systempay-backups'
_STAMP = '%Y%m%dT%H%M%SZ'
_MODE_RE = re.compile(r'^0?[0-7]{3,4}$')


class InstallError(Exception):
    pass


def argument_spec():
    return dict(
        src=dict(type='path'),
        remote_src=dict(type='bool', default=True),
        module=dict(type='str', default='payment_systempay'),
        dest=dict(type='path', required=True),
        owner=dict(type='str'),
        group=dict(type='str'),
        dir_mode=dict(type='raw', default='0755'),
        file_mode=dict(type='raw', default='0644'),
        backup_keep=dict(type='int', default=3),
        expected_sha256=dict(type='str'),
        series=dict(type='str'),
        force_range=dict(type='bool', default=False),
        rollback=dict(type='bool', default=False),
        python=dict(type='str'),
        backup_room=dict(type='dict', options=dict(folder=dict(type='path', required=True),
                                                   databases=dict(type='list', elements='str', default=['all']),
                                                   odoo_facts=dict(type='dict', required=True))),
        lock=dict(type='dict', options=host_lock.OPTIONS),
        restart=dict(type='dict', options=service_restart.argument_spec()),
    )


def before_change(module, params, result):
    """The run's last checks before its first change, made in this call when playbooks/site.yml gives them: the room
    for the database backups (``backup_room``), then the run's lock (``lock``). A refusal fails the task; nothing has
    changed yet."""
    room = params['backup_room']
    if room:
        options = dict((key, spec.get('default')) for key, spec in transport.common_argument_spec().items())
        options.update(odoo_facts=room['odoo_facts'])
        host, dummy, dummy, secrets = odoo_host.open_odoo(module, options)
        pg, data_dir = backups.opened(host, room['odoo_facts'], transport.module_runner(module), module.get_bin_path)
        try:
            names = backups.chosen_databases(room['databases'], room['odoo_facts'], host, pg)
            space = backups.check_room(pg, room['folder'], data_dir, names)
        except (backups.BackupError, PostgresError) as exc:
            module.fail_json(msg=transport.mask(to_native(exc), secrets), **result)
        result['backup_room'] = dict(needed=space['needed'], free=space['free'], sizes=space['databases'])
    if params['lock']:
        try:
            result['lock'] = host_lock.acquire(params['lock'], module.warn)
        except host_lock.LockError as exc:
            module.fail_json(msg=to_native(exc), **dict(result, lock=exc.result))


def parse_mode(value, name):
    if isinstance(value, int) and not isinstance(value, bool):
        mode = value
    elif isinstance(value, str) and _MODE_RE.match(value.strip()):
        mode = int(value.strip(), 8)
    else:
        raise InstallError('Cannot use %s %r: give an octal mode like "0755"' % (name, value))
    if not 0 <= mode <= 0o7777:
        raise InstallError('Cannot use %s %r: not a file mode' % (name, value))
    return mode


def resolve_ids(owner, group, dest_info):
    """``(uid, gid)`` for the options, the owner and group of ``dest`` by default."""
    uid, gid = dest_info.st_uid, dest_info.st_gid
    if owner not in (None, ''):
        try:
            uid = int(owner) if owner.isdigit() else pwd.getpwnam(owner).pw_uid
        except KeyError:
            raise InstallError('Cannot use owner %s: no such user on this host' % owner)
    if group not in (None, ''):
        try:
            gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
        except KeyError:
            raise InstallError('Cannot use group %s: no such group on this host' % group)
    return uid, gid


def installed(path):
    """``{path, version, content_sha256}`` of the copy at ``path`` (values None when absent)."""
    if not os.path.isdir(path):
        return {'path': path, 'version': None, 'content_sha256': None}
    dummy, manifest, dummy_error = discovery.read_manifest(path)
    version = None if manifest is None else str(manifest.get('version', '')) or None
    return {'path': path, 'version': version, 'content_sha256': vendor_archive.tree_sha256(path)}


def list_backups(backups_dir, module):
    """Backup folders of ``module``, newest first."""
    pattern = re.compile(r'^%s-.+-(\d{8}T\d{6}Z)(?:-(\d+))?$' % re.escape(module))
    found = []
    if os.path.isdir(backups_dir):
        for name in os.listdir(backups_dir):
            match = pattern.match(name)
            path = os.path.join(backups_dir, name)
            if match and os.path.isdir(path) and not os.path.islink(path):
                found.append(((match.group(1), int(match.group(2) or 0)), path))
    return [path for dummy, path in sorted(found, reverse=True)]


def new_backup_path(backups_dir, module, version, uid, gid):
    if not os.path.isdir(backups_dir):
        os.mkdir(backups_dir, 0o700)
        os.chown(backups_dir, uid, gid)
    label = re.sub(r'[^A-Za-z0-9._+]', '_', version or 'unknown')
    base = os.path.join(backups_dir, '%s-%s-%s' % (module, label, time.strftime(_STAMP, time.gmtime())))
    path, count = base, 0
    while os.path.lexists(path):
        count += 1
        path = '%s-%d' % (base, count)
    return path


def swap(new, target, backup_path):
    """Move ``target`` to ``backup_path`` (unless None), then ``new`` to ``target``; undo the first on failure."""
    if backup_path is not None:
        os.rename(target, backup_path)
    try:
        os.rename(new, target)
    except OSError as exc:
        if backup_path is not None:
            try:
                os.rename(backup_path, target)
            except OSError as undo:
                raise InstallError('Cannot put %s in place: %s, and the previous copy could not be put back from %s: %s'
                                   % (target, exc, backup_path, undo))
        raise


def prune(backups_dir, module, keep, warn):
    backups = list_backups(backups_dir, module)
    for path in backups[max(keep, 0):]:
        try:
            shutil.rmtree(path)
        except OSError as exc:
            warn('Cannot remove the old backup %s: %s' % (path, exc))
    return list_backups(backups_dir, module)


def chown_tree(top, uid, gid):
    os.lchown(top, uid, gid)
    for folder, dirs, files in os.walk(top):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)


def check_dest(dest, target):
    if not os.path.isdir(dest):
        raise InstallError('Cannot install in %s: %s' % (
            dest, 'not a folder' if os.path.lexists(dest) else
            'no such folder (Odoo creates <data_dir>/addons/<series> when it first starts)'))
    if not os.access(dest, os.W_OK | os.X_OK):
        raise InstallError('Cannot install in %s: the folder is not writable by this user' % dest)
    if os.path.islink(target):
        raise InstallError('Cannot install in %s: %s is a symbolic link (to %s); replace it by a folder or remove it'
                           % (dest, target, os.readlink(target)))
    if os.path.lexists(target) and not os.path.isdir(target):
        raise InstallError('Cannot install in %s: %s is not a folder; move it away' % (dest, target))


def check_python(module, source, name, python, target):
    """Unpack the source in a temporary folder away from the addons folder (which stays untouched) and compile every
    ``.py`` file with Odoo's interpreter (no import); raise :class:`InstallError` naming each file that does not."""
    python = python or sys.executable
    if not os.path.isabs(python):
        python = module.get_bin_path(python) or python
    scratch = tempfile.mkdtemp(prefix=STAGING_PREFIX)
    try:
        errors = vendor_archive.compile_errors(module.run_command, python,
                                               source.extract(os.path.join(scratch, name)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if errors:
        raise InstallError(vendor_archive.compile_message(name, errors, python) + '; %s is as it was' % target)


def main():
    module = CollectionModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    dest = params['dest']
    name = params['module']
    target = os.path.join(dest, name)
    backups_dir = os.path.join(dest, BACKUP_DIR)
    try:
        brand = vendor_archive.brand_of_module(name)
        if params['rollback'] == bool(params['src']):
            raise InstallError('Cannot install %s: give either src or rollback: true' % name)
        if not params['remote_src']:
            raise InstallError('Cannot install %s from a zip on the controller (remote_src: false) without the '
                               'action plugin of systempay.odoo.addon_install, which sends it to the host' % name)
        if params['backup_keep'] < 0:
            raise InstallError('Cannot keep %d backups: backup_keep must be 0 or more' % params['backup_keep'])
        dir_mode = parse_mode(params['dir_mode'], 'dir_mode')
        file_mode = parse_mode(params['file_mode'], 'file_mode')
        check_dest(dest, target)
        uid, gid = resolve_ids(params['owner'], params['group'], os.stat(dest))
    except (vendor_archive.AddonError, InstallError) as exc:
        module.fail_json(msg=to_native(exc))

    result = dict(changed=False, previous_version=None, backup_path=None, path=target, backup_room=None, lock=None,
                  restart=None)
    staging = source = None
    try:
        before = installed(target)
        result['previous_version'] = before['version']
        if params['rollback']:
            backups = list_backups(backups_dir, name)
            if not backups:
                raise InstallError('Cannot roll back %s in %s: no backup in %s' % (name, dest, backups_dir))
            new = backups[0]
            after = installed(new)
            after['path'] = target
        else:
            new = None
            source = vendor_archive.AddonSource(params['src'], brand).load()
            facts = source.inspect(series=params['series'], force_range=params['force_range'])
            for warning in facts['warnings']:
                module.warn(warning)
            expected = (params['expected_sha256'] or '').strip().lower()
            if expected.startswith('sha256:'):
                expected = expected[len('sha256:'):]
            if expected and expected != facts['content_sha256']:
                raise InstallError('Cannot install %s: its content is sha256 %s, expected %s'
                                   % (params['src'], facts['content_sha256'], expected))
            after = {'path': target, 'version': facts['version'], 'content_sha256': facts['content_sha256']}
        result.update(version=after['version'], content_sha256=after['content_sha256'])
        if source is None or before['content_sha256'] != after['content_sha256']:
            result['changed'] = True
            if module._diff:
                result['diff'] = {'before': before, 'after': after,
                                  'before_header': target, 'after_header': params['src'] or new}
        if result['changed'] and source is not None:
            check_python(module, source, name, params['python'], target)
        if not module.check_mode:
            # also when the folder is as the archive has it: the run's later changes still need the lock
            before_change(module, params, result)
        if result['changed'] and not module.check_mode:
            if source is not None:
                staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=dest)
                new = source.extract(os.path.join(staging, name), file_mode, dir_mode)
                chown_tree(new, uid, gid)
            if os.path.lexists(target):
                result['backup_path'] = new_backup_path(backups_dir, name, before['version'], uid, gid)
            swap(new, target, result['backup_path'])
    except (vendor_archive.AddonError, InstallError) as exc:
        module.fail_json(msg=to_native(exc), **result)
    except (IOError, OSError) as exc:
        result['backup_path'] = None
        module.fail_json(msg='Cannot %s %s in %s: %s; %s is as it was' % (
            'roll back' if params['rollback'] else 'install', name, dest, to_native(exc), target), **result)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if source is not None:
            source.close()

    if result['changed'] and not module.check_mode:
        result['backups'] = prune(backups_dir, name, params['backup_keep'], module.warn)
        if result['backup_path'] not in result['backups']:
            result['backup_path'] = None
    else:
        result['backups'] = list_backups(backups_dir, name)
    restart = params['restart']
    if restart and result['changed'] and not module.check_mode:
        result['restart'] = service_restart.restart_and_prove(
            module.run_command, restart['service'], restart['url'], restart['port'], timeout=restart['timeout'],
            logfile=restart['logfile'], module=name)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
