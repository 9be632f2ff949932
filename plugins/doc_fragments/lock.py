# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The option `lock` of the modules that take a run's lock on the host in their own call, before their change
    # (module_utils/host_lock.py OPTIONS, host_lock.acquire); when exactly is in each module's notes.
    DOCUMENTATION = r'''
options:
  lock:
    description:
      - The run's lock on the host, taken in this call as M(systempay.odoo.odoo_lock) with V(acquired) takes it (the
        same options, O(lock.generation) included), so that the run's first change costs no call of its own for it
        (C(playbooks/site.yml)). When in the call, the module's notes say.
      - Refused as M(systempay.odoo.odoo_lock) refuses (another run holds it past O(lock.wait), or took it since
        O(lock.generation)), before any change. Not taken in check mode. Not given, no lock is taken.
    type: dict
    suboptions:
      path:
        description: The lock file on the host.
        type: path
        default: /var/lib/systempay-odoo/run.lock
      token:
        description: Unique to the run.
        type: str
        required: true
      holder:
        description: Who takes the lock (C(controller), C(pid), C(started)), recorded in the file.
        type: dict
        default: {}
      lease:
        description: Seconds the lock is valid without a renewal.
        type: int
        default: 1800
      wait:
        description: Seconds to wait for a lock held by another run before failing.
        type: int
        default: 300
      live_pids:
        description: The pids of the C(ansible-playbook) processes running on this run's controller now.
        type: list
        elements: int
      generation:
        description: The lock's generation when this run read the host (M(systempay.odoo.odoo_info)'s C(lock.generation)).
        type: int
'''
