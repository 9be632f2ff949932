#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: odoo_lock
short_description: Take, renew or release the per-host lock of a systempay.odoo run
version_added: 0.1.0
description:
  - One run at a time changes an Odoo host. The lock is a file on the host holding who took it (the controller's
    host name, the C(ansible-playbook) pid, when the run started), a token, and a lease that each stage renews.
  - V(acquired) takes the lock, or renews it when this run already holds it (same O(token)). When another run holds
    it, waits up to O(wait) seconds for it to be released, then fails naming the holder.
  - The lock is taken over only when its lease has expired, or when its holder ran on this same controller and its
    pid is gone (O(stale_pid), which the caller checks on the controller, where that pid lived).
  - V(renewed) extends the lease of a lock this run holds (fails when it lost it). V(released) removes it when this
    run holds it.
  - The file is written with a temporary file and a rename, or created with C(O_EXCL), so two runs never both get it.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  path:
    description: The lock file on the host (its folder is created 0750, root).
    type: path
    default: /var/lib/systempay-odoo/run.lock
  state:
    description: What to do with the lock.
    type: str
    choices: [acquired, renewed, released]
    default: acquired
  token:
    description: Unique to the run (for example C(<controller>:<pid>:<start time>)).
    type: str
    required: true
  holder:
    description: Who takes the lock, recorded in the file and shown to a run that waits for it (C(controller),
      C(pid), C(started), C(playbook)).
    type: dict
    default: {}
  lease:
    description: Seconds the lock is valid without a renewal; an expired lock may be taken over.
    type: int
    default: 1800
  wait:
    description: Seconds to wait for a lock held by another run before failing.
    type: int
    default: 300
  stale_pid:
    description: The pid of the holder, checked on this same controller and gone; the lock is then taken over when
      its holder is that pid on this controller.
    type: int
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: A check-mode run takes the lock too (it reads the host, and a concurrent run must not change it then).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
- name: Take the host's lock (wait up to 5 minutes for another run)
  systempay.odoo.odoo_lock:
    token: "{{ run_token }}"
    holder: {controller: ctl1, pid: 4242, started: "2026-12-04T10:00:00Z"}
    wait: 300
'''

RETURN = r'''
acquired:
  description: Whether this run holds the lock now.
  returned: always
  type: bool
holder:
  description: The holder recorded in the lock file (this run's, or the other run's when busy).
  returned: always
  type: dict
taken_over:
  description: Why a lock of another run was taken over (V(expired), V(holder gone)), else V(null).
  returned: always
  type: str
expires:
  description: When the lease ends (seconds since the epoch).
  returned: always
  type: float
'''

import json
import os
import tempfile
import time

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule

POLL = 1.0


def read_lock(path):
    """The lock file's record, None when there is none (an unreadable or half-written one counts as expired)."""
    try:
        with open(path) as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {'expires': 0}
    except (IOError, OSError):
        return None if not os.path.exists(path) else {'expires': 0}
    except ValueError:
        return {'expires': 0}


def write_new(path, record):
    """Create the lock file only if there is none (O_EXCL); False when another run got there first."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except OSError:
        return False
    with os.fdopen(fd, 'w') as handle:
        json.dump(record, handle)
    return True


def replace(path, record):
    """Write the lock file over the current one (a temporary file renamed into place)."""
    fd, tmp = tempfile.mkstemp(prefix='.lock-', dir=os.path.dirname(path))
    with os.fdopen(fd, 'w') as handle:
        json.dump(record, handle)
    os.chmod(tmp, 0o640)
    os.rename(tmp, path)


def describe(record):
    holder = record.get('holder') or {}
    return 'controller %s, ansible-playbook pid %s, run started %s, lease until %s' % (
        holder.get('controller', '?'), holder.get('pid', '?'), holder.get('started', '?'),
        time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(record.get('expires') or 0)))


def takeover_reason(record, holder, stale_pid, now):
    if (record.get('expires') or 0) < now:
        return 'expired'
    theirs = record.get('holder') or {}
    if stale_pid and theirs.get('controller') == holder.get('controller') and str(theirs.get('pid')) == str(stale_pid):
        return 'holder gone'
    return None


def main():
    module = CollectionModule(argument_spec=dict(
        path=dict(type='path', default='/var/lib/systempay-odoo/run.lock'),
        state=dict(type='str', choices=['acquired', 'renewed', 'released'], default='acquired'),
        token=dict(type='str', required=True, no_log=False),
        holder=dict(type='dict', default={}),
        lease=dict(type='int', default=1800),
        wait=dict(type='int', default=300),
        stale_pid=dict(type='int'),
    ), supports_check_mode=True)
    params = module.params
    path, token = params['path'], params['token']
    if params['lease'] < 1 or params['wait'] < 0:
        module.fail_json(msg='Cannot use the lock: lease must be 1 second or more and wait 0 or more')
    result = dict(changed=False, acquired=False, holder={}, taken_over=None, expires=0)
    folder = os.path.dirname(path)
    try:
        if not os.path.isdir(folder):
            os.makedirs(folder, 0o750)
    except OSError as exc:
        module.fail_json(msg='Cannot create the lock folder %s: %s' % (folder, to_native(exc)), **result)

    mine = dict(token=token, holder=params['holder'])
    if params['state'] == 'released':
        record = read_lock(path)
        if record is not None and record.get('token') == token:
            os.unlink(path)
            result['changed'] = True
        module.exit_json(**result)
    if params['state'] == 'renewed':
        record = read_lock(path)
        if record is None or record.get('token') != token:
            module.fail_json(msg='Cannot renew the lock %s: this run does not hold it any more (%s)' % (
                path, describe(record) if record else 'no lock'), **result)
        mine['expires'] = time.time() + params['lease']
        replace(path, mine)
        result.update(acquired=True, holder=params['holder'], expires=mine['expires'])
        module.exit_json(**result)

    deadline = time.time() + params['wait']
    while True:
        now = time.time()
        mine['expires'] = now + params['lease']
        record = read_lock(path)
        if record is None:
            if write_new(path, mine):
                result.update(changed=True, acquired=True, holder=params['holder'], expires=mine['expires'])
                module.exit_json(**result)
            continue
        if record.get('token') == token:
            replace(path, mine)
            result.update(acquired=True, holder=params['holder'], expires=mine['expires'])
            module.exit_json(**result)
        reason = takeover_reason(record, params['holder'], params['stale_pid'], now)
        if reason:
            replace(path, mine)
            result.update(changed=True, acquired=True, holder=params['holder'], expires=mine['expires'],
                          taken_over=reason)
            module.warn('Took over the lock of another run (%s): %s' % (reason, describe(record)))
            module.exit_json(**result)
        if now >= deadline:
            result['holder'] = record.get('holder') or {}
            result['expires'] = record.get('expires') or 0
            module.fail_json(msg='Cannot take the lock %s: another run holds it (%s), waited %d s. Let it finish, or, '
                             'when that run is gone, wait for its lease to end or run again from its controller.'
                             % (path, describe(record), params['wait']), **result)
        time.sleep(POLL)


if __name__ == '__main__':
    main()
