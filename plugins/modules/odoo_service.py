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

import os
import re
import time

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.module_utils import processes
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule

POLL = 1.0
_ERROR_RE = re.compile(r'ERROR|CRITICAL|Traceback|Exception|Error|not installable')


class Log(object):
    """The lines Odoo writes from now on: the log file from its current end, else the journal of one invocation."""

    def __init__(self, run_command, service, logfile):
        self.run_command = run_command
        self.service = service
        self.logfile = logfile
        self.offset = 0
        if logfile:
            try:
                self.offset = os.path.getsize(logfile)
            except OSError:
                self.offset = 0

    def since(self, invocation_id):
        if self.logfile:
            try:
                with open(self.logfile, 'rb') as handle:
                    if os.fstat(handle.fileno()).st_size >= self.offset:
                        handle.seek(self.offset)
                    return handle.read().decode('utf-8', 'replace').splitlines()
            except (IOError, OSError):
                return []
        if not invocation_id:
            return []
        rc, out, dummy = self.run_command(['journalctl', '_SYSTEMD_INVOCATION_ID=' + invocation_id,
                                           '--no-pager', '--output', 'cat'])
        return (out or '').splitlines() if rc == 0 else []


def excerpt(lines):
    errors = [line for line in lines if _ERROR_RE.search(line)]
    return [line[:300] for line in (errors or lines)[-6:]]


def unit_view(status):
    return {'active_state': status['ActiveState'], 'main_pid': status['MainPID'],
            'invocation_id': status['InvocationID']}


def main():
    module = CollectionModule(argument_spec=dict(
        service=dict(type='str', required=True),
        url=dict(type='str', required=True),
        port=dict(type='int', required=True),
        timeout=dict(type='int', default=120),
        logfile=dict(type='path'),
        module=dict(type='str'),
    ), supports_check_mode=True)
    params = module.params
    service = params['service'] if params['service'].endswith('.service') else params['service'] + '.service'
    run_command = module.run_command
    result = dict(changed=False, proven=False, restarted=False, answering=False, before={}, after={}, port_owner=None,
                  http_status=0, not_loaded=[], log=[], msg='')
    try:
        before = processes.unit_status(run_command, service)
    except discovery.DiscoveryError as exc:
        result['msg'] = to_native(exc)
        module.fail_json(**result)
    result['before'] = unit_view(before)
    result['changed'] = True
    if module.check_mode:
        result['msg'] = 'would restart %s' % service
        module.exit_json(**result)

    log = Log(run_command, service, params['logfile'])
    rc, out, err = run_command(['systemctl', 'restart', service])
    if rc != 0:
        result['changed'] = False
        result['port_owner'] = processes.port_owner(params['port'])
        result['msg'] = ('Cannot restart %s: systemctl restart said "%s"; no new process was started%s'
                         % (service, (err or out or 'exit %d' % rc).strip(), _still(result['port_owner'])))
        module.fail_json(**result)

    deadline = time.time() + params['timeout']
    errors_in_a_row = 0
    after = before
    while True:
        after = processes.unit_status(run_command, service)
        result['restarted'] = (after['InvocationID'] != before['InvocationID'] and bool(after['InvocationID'])
                               and after['ActiveState'] == 'active')
        if result['restarted']:
            result['http_status'] = transport.version_info_status(params['url'])
            owner = processes.port_owner_of_unit(params['port'], after['ControlGroup'])
            result['port_owner'] = owner
            ours = owner is not None and owner['in_service'] is not False
            if result['http_status'] == 200 and ours:
                result['answering'] = True
                break
            errors_in_a_row = errors_in_a_row + 1 if result['http_status'] >= 500 else 0
            if errors_in_a_row >= 3:
                break
        if time.time() >= deadline:
            break
        time.sleep(POLL)
    result['after'] = unit_view(after)
    lines = log.since(after['InvocationID'])
    result['log'] = excerpt(lines)
    result['not_loaded'] = odoo_modules.not_loaded(lines, params['module'])

    if not result['restarted']:
        result['port_owner'] = processes.port_owner(params['port'])
        result['msg'] = ('Cannot prove the restart of %s: systemd did not start a new process within %d s '
                         '(InvocationID %s, now %s, state %s)%s'
                         % (service, params['timeout'], before['InvocationID'] or 'none',
                            after['InvocationID'] or 'none', after['ActiveState'], _still(result['port_owner'])))
        module.fail_json(**result)
    owner = result['port_owner']
    if not result['answering']:
        if owner is not None and owner.get('in_service') is False:
            why = 'the port %d is held by another process, %s' % (params['port'], processes.describe(owner))
        elif result['http_status']:
            why = 'it answers version_info with HTTP %d' % result['http_status']
        else:
            why = 'nothing answers %s' % params['url']
        result['msg'] = ('%s restarted (pid %d) but Odoo does not answer as that unit within %d s: %s'
                         % (service, after['MainPID'], params['timeout'], why))
        module.fail_json(**result)
    if params['module'] and params['module'] in result['not_loaded']:
        result['msg'] = ('%s restarted (pid %d) and answers, but Odoo did not load %s: it logged that it skipped it '
                         'or could not load it (is its folder readable by the service user?): %s'
                         % (service, after['MainPID'], params['module'], ' | '.join(result['log'])))
        module.fail_json(**result)
    result['msg'] = ('restarted %s: new process %d (was %s), answering on port %d'
                     % (service, after['MainPID'], before['MainPID'] or 'none', params['port']))
    result['proven'] = True
    module.exit_json(**result)


def _still(owner):
    if owner is None or owner.get('unreadable'):
        return ''
    return '; the process answering the port is still %s, with the code it loaded before' % processes.describe(owner)


if __name__ == '__main__':
    main()
