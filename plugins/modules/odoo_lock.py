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
    pid is gone (not among O(live_pids), which the caller lists on the controller, where that pid lived).
  - V(renewed) extends the lease of a lock this run holds (fails when it lost it). V(released) removes it when this
    run holds it.
  - Every take of the lock counts one more generation, kept beside the lock file (C(<path>.generation)). A run that
    read the host without the lock (M(systempay.odoo.odoo_info) with O(systempay.odoo.odoo_info#module:lock.take)
    false) names the generation it read (O(generation)) when it takes the lock for its first change; when another run
    took the lock in between, that run may have changed the host, and the take is refused, the lock left as it was.
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
  live_pids:
    description:
      - The pids of the C(ansible-playbook) processes running on this run's controller now. A lock whose holder ran
        on this same controller (C(holder.controller)) with a pid not among them is taken over (its run is gone).
        Not given, such a lock is waited for until its lease ends.
    type: list
    elements: int
  generation:
    description:
      - With V(acquired), the lock's generation when this run read the host (RV(generation) of
        M(systempay.odoo.odoo_info)'s RV(systempay.odoo.odoo_info#module:lock)). The take is refused, naming the run
        that took the lock since, when the generation is another now. Not given, nothing is compared.
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
generation:
  description: How many times the lock was taken so far (this take included, when it took it).
  returned: always
  type: int
'''

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import host_lock
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule


def main():
    module = CollectionModule(argument_spec=dict(
        state=dict(type='str', choices=['acquired', 'renewed', 'released'], default='acquired'),
        **host_lock.OPTIONS), supports_check_mode=True)
    params = module.params
    try:
        if params['state'] == 'released':
            result = host_lock.release(params)
        elif params['state'] == 'renewed':
            result = host_lock.renew(params)
        else:
            result = host_lock.acquire(params, module.warn)
    except host_lock.LockError as exc:
        module.fail_json(msg=to_native(exc), **exc.result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
