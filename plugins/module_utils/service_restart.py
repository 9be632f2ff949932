# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Restart Odoo's systemd unit and prove, from what runs, that a new process of it answers with a module loaded.

Used by :mod:`odoo_service` (a task of its own) and by :mod:`addon_install` (its ``restart`` option: the swap and the
restart in one call, when nothing else changes between them). :func:`restart_and_prove` never fails the task: it
returns what held and what did not (``proven``, ``restarted``, ``msg``), and the caller decides.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.module_utils import processes
from ansible_collections.systempay.odoo.plugins.module_utils import transport

POLL = 1.0
_ERROR_RE = re.compile(r'ERROR|CRITICAL|Traceback|Exception|Error|not installable')


def argument_spec():
    """The options that say which unit to restart and how to prove it (odoo_service's, addon_install's ``restart``)."""
    return dict(
        service=dict(type='str', required=True),
        url=dict(type='str', required=True),
        port=dict(type='int', required=True),
        timeout=dict(type='int', default=120),
        logfile=dict(type='path'),
    )


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


def unit_name(service):
    return service if service.endswith('.service') else service + '.service'


def empty_result():
    return dict(changed=False, proven=False, restarted=False, answering=False, before={}, after={}, port_owner=None,
                http_status=0, not_loaded=[], log=[], msg='')


def restart_and_prove(run_command, service, url, port, timeout=120, logfile=None, module=None, check_mode=False):
    """Restart ``service`` and prove it (docs of odoo_service); the result of odoo_service, never an exception."""
    service = unit_name(service)
    result = empty_result()
    try:
        before = processes.unit_status(run_command, service)
    except discovery.DiscoveryError as exc:
        result['msg'] = to_native(exc)
        return result
    result['before'] = unit_view(before)
    result['changed'] = True
    if check_mode:
        result['msg'] = 'would restart %s' % service
        return result

    log = Log(run_command, service, logfile)
    rc, out, err = run_command(['systemctl', 'restart', service])
    if rc != 0:
        result['changed'] = False
        result['port_owner'] = processes.port_owner(port)
        result['msg'] = ('Cannot restart %s: systemctl restart said "%s"; no new process was started%s'
                         % (service, (err or out or 'exit %d' % rc).strip(), _still(result['port_owner'])))
        return result

    deadline = time.time() + timeout
    errors_in_a_row = 0
    after = before
    while True:
        after = processes.unit_status(run_command, service)
        result['restarted'] = (after['InvocationID'] != before['InvocationID'] and bool(after['InvocationID'])
                               and after['ActiveState'] == 'active')
        if result['restarted']:
            result['http_status'] = transport.version_info_status(url)
            owner = processes.port_owner_of_unit(port, after['ControlGroup'])
            result['port_owner'] = owner
            ours = owner is not None and owner['in_service'] is not False
            if result['http_status'] == 200 and ours:
                result['answering'] = True
                break
            # an Odoo that answers 5xx three times in a row will not get better by waiting
            errors_in_a_row = errors_in_a_row + 1 if result['http_status'] >= 500 else 0
            if errors_in_a_row >= 3:
                break
        if time.time() >= deadline:
            break
        time.sleep(POLL)
    result['after'] = unit_view(after)
    lines = log.since(after['InvocationID'])
    result['log'] = excerpt(lines)
    result['not_loaded'] = odoo_modules.not_loaded(lines, module)

    if not result['restarted']:
        result['port_owner'] = processes.port_owner(port)
        result['msg'] = ('Cannot prove the restart of %s: systemd did not start a new process within %d s '
                         '(InvocationID %s, now %s, state %s)%s'
                         % (service, timeout, before['InvocationID'] or 'none',
                            after['InvocationID'] or 'none', after['ActiveState'], _still(result['port_owner'])))
        return result
    owner = result['port_owner']
    if not result['answering']:
        if owner is not None and owner.get('in_service') is False:
            why = 'the port %d is held by another process, %s' % (port, processes.describe(owner))
        elif result['http_status']:
            why = 'it answers version_info with HTTP %d' % result['http_status']
        else:
            why = 'nothing answers %s' % url
        result['msg'] = ('%s restarted (pid %d) but Odoo does not answer as that unit within %d s: %s'
                         % (service, after['MainPID'], timeout, why))
        return result
    if module and module in result['not_loaded']:
        result['msg'] = ('%s restarted (pid %d) and answers, but Odoo did not load %s: it logged that it skipped it '
                         'or could not load it (is its folder readable by the service user?): %s'
                         % (service, after['MainPID'], module, ' | '.join(result['log'])))
        return result
    result['msg'] = ('restarted %s: new process %d (was %s), answering on port %d'
                     % (service, after['MainPID'], before['MainPID'] or 'none', port))
    result['proven'] = True
    return result


def _still(owner):
    if owner is None or owner.get('unreadable'):
        return ''
    return '; the process answering the port is still %s, with the code it loaded before' % processes.describe(owner)
