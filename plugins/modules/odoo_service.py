#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: odoo_service
short_description: Restart the Odoo service and prove that a new process of the unit answers with the module loaded
version_added: 0.1.0
description:
  - Restarts the Odoo systemd unit, then proves the restart from what runs, never from an exit code
    (a process that kept answering proves nothing, and it keeps the old code in memory). What must hold follows.
  - The unit's C(InvocationID) changed and it is C(active) (systemd started a new process).
  - Odoo answers C(POST /web/webclient/version_info) with 200, and the process listening on its port belongs to the
    unit's cgroup (not an Odoo started by hand or by another supervisor).
  - "The log lines Odoo wrote since this restart (the unit's log file, else its journal for this invocation only) do
    not say that O(module) was skipped (C(module <name>: not installable, skipped)) or not loaded
    (C(Some modules are not loaded ...)), which is what Odoo logs when it cannot read the module's folder."
  - Fails, saying which of these did not hold, with RV(restarted) telling whether a new process was started at all.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  service:
    description: The systemd unit (RV(systempay.odoo.odoo_info#module:service)).
    type: str
    required: true
  url:
    description: Where Odoo answers from this host, like C(http://127.0.0.1:8069).
    type: str
    required: true
  port:
    description: The TCP port Odoo listens on (RV(systempay.odoo.odoo_info#module:http_port)).
    type: int
    required: true
  timeout:
    description: Seconds to wait for the new process to answer.
    type: int
    default: 120
  logfile:
    description: Odoo's log file (C(--logfile)); without it, the unit's journal is read.
    type: path
  module:
    description: A module that must be loaded after the restart (its skip and not-loaded lines fail the task).
    type: str
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Reports that a restart would happen; nothing is restarted.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''

EXAMPLES = r'''
- name: Restart Odoo and prove that a new process of the unit serves it, with the addon loaded
  systempay.odoo.odoo_service:
    service: odoo.service
    url: http://127.0.0.1:8069
    port: 8069
    logfile: /var/log/odoo/odoo-server.log
    module: payment_systempay
'''

RETURN = r'''
proven:
  description: Whether everything the module checks held (the task fails otherwise). A caller that registers the
    result with C(failed_when) false reads this, not C(failed).
  returned: always
  type: bool
restarted:
  description: Whether systemd started a new process of the unit (its InvocationID changed and it is active).
  returned: always
  type: bool
answering:
  description: Whether a process of the unit answers version_info with 200.
  returned: always
  type: bool
before:
  description: The unit before the restart (C(active_state), C(main_pid), C(invocation_id)).
  returned: always
  type: dict
after:
  description: The unit after the restart (same keys).
  returned: always
  type: dict
port_owner:
  description: The process listening on O(port) at the end (RV(systempay.odoo.odoo_info#module:port_owner)).
  returned: always
  type: dict
http_status:
  description: The last answer of version_info (0 when no answer).
  returned: always
  type: int
not_loaded:
  description: Modules Odoo logged as skipped or not loaded since this restart.
  returned: always
  type: list
  elements: str
log:
  description: Error lines Odoo logged since this restart (at most 6), else its last lines.
  returned: always
  type: list
  elements: str
msg:
  description: What was proven, or what did not hold.
  returned: always
  type: str
'''

from ansible_collections.systempay.odoo.plugins.module_utils import service_restart
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule


def main():
    spec = service_restart.argument_spec()
    spec['module'] = dict(type='str')
    module = CollectionModule(argument_spec=spec, supports_check_mode=True)
    params = module.params
    result = service_restart.restart_and_prove(
        module.run_command, params['service'], params['url'], params['port'], timeout=params['timeout'],
        logfile=params['logfile'], module=params['module'], check_mode=module.check_mode)
    if result['proven'] or (module.check_mode and result['changed']):
        module.exit_json(**result)
    module.fail_json(**result)


if __name__ == '__main__':
    main()
