# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""service_restart (odoo_service, addon_install's restart): what Odoo logged since the restart, and the proof from
the unit, the port and version_info (systemd itself is driven in the molecule scenarios `proofs`, `upgrade` and
`default`)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.module_utils import service_restart

# As Odoo 16 logs them (graph.add_modules, then loading.load_modules), and as the stand-in does.
SKIPPED = [
    '2026-12-04 10:00:00,000 41 INFO shop1 odoo.modules.loading: loading 60 modules...',
    '2026-12-04 10:00:00,001 41 WARNING shop1 odoo.modules.graph: module payment_systempay: not installable, skipped',
    "2026-12-04 10:00:00,002 41 ERROR shop1 odoo.modules.loading: Some modules are not loaded, some dependencies or "
    "manifest may be missing: ['other_mod', 'payment_systempay']",
]


def test_skipped_and_not_loaded_modules_are_read_from_the_log():
    assert odoo_modules.not_loaded(SKIPPED, 'payment_systempay') == ['payment_systempay', 'other_mod']
    assert odoo_modules.not_loaded(SKIPPED, skipped_only=True) == ['payment_systempay']
    assert odoo_modules.not_loaded(SKIPPED[:1], 'payment_systempay') == []


def test_the_log_file_is_read_from_where_it_ended_before_the_restart(tmp_path):
    path = tmp_path / 'odoo-server.log'
    path.write_text('old line of an earlier run: ERROR something\n')
    log = service_restart.Log(None, 'odoo.service', str(path))
    with open(str(path), 'a') as handle:
        handle.write('\n'.join(SKIPPED) + '\n')
    assert log.since('any') == SKIPPED
    assert service_restart.excerpt(log.since('any')) == SKIPPED[1:]


def test_the_journal_is_read_for_this_invocation_only():
    seen = []

    def run(argv):
        seen.append(argv)
        return 0, '\n'.join(SKIPPED), ''
    assert service_restart.Log(run, 'odoo.service', None).since('abc123') == SKIPPED
    assert seen == [['journalctl', '_SYSTEMD_INVOCATION_ID=abc123', '--no-pager', '--output', 'cat']]


class Unit(object):
    """A systemd unit as ``systemctl show`` and ``systemctl restart`` answer for it, and what listens on its port."""

    def __init__(self, restart_rc=0, starts=True, answers=(200,)):
        self.invocation = 'inv-1'
        self.restart_rc = restart_rc
        self.starts = starts
        self.answers = list(answers)
        self.commands = []

    def run(self, argv):
        self.commands.append(argv)
        if argv[:2] == ['systemctl', 'restart']:
            if self.restart_rc == 0 and self.starts:
                self.invocation = 'inv-2'
            return self.restart_rc, '', 'Job for odoo.service failed.' if self.restart_rc else ''
        if argv[:2] == ['systemctl', 'show']:
            return 0, ('ActiveState=active\nMainPID=%d\nInvocationID=%s\nControlGroup=/system.slice/odoo.service\n'
                       % (40 if self.invocation == 'inv-1' else 41, self.invocation)), ''
        return 1, '', 'unexpected %s' % argv

    def version_info(self, url):
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def unit(monkeypatch):
    def make(**kwargs):
        made = Unit(**kwargs)
        monkeypatch.setattr(service_restart.transport, 'version_info_status', made.version_info)
        monkeypatch.setattr(service_restart.processes, 'port_owner_of_unit', lambda port, cgroup: {
            'pid': 41, 'user': 'odoo', 'command': '/usr/bin/odoo', 'cgroup': cgroup, 'unit': 'odoo.service',
            'in_service': True})
        monkeypatch.setattr(service_restart.processes, 'port_owner', lambda port: None)
        monkeypatch.setattr(service_restart, 'POLL', 0)
        return made
    return make


def prove(unit, logfile=None, timeout=5, **kwargs):
    return service_restart.restart_and_prove(unit.run, 'odoo', 'http://127.0.0.1:8069', 8069, timeout=timeout,
                                             logfile=logfile, module='payment_systempay', **kwargs)


def test_a_restart_is_proven_by_a_new_invocation_answering_version_info_from_the_unit(unit):
    odoo = unit(answers=(0, 503, 200))
    result = prove(odoo)
    assert (result['proven'], result['restarted'], result['answering'], result['changed']) == (True, True, True, True)
    assert result['before']['invocation_id'] == 'inv-1' and result['after']['invocation_id'] == 'inv-2'
    assert result['msg'] == 'restarted odoo.service: new process 41 (was 40), answering on port 8069'
    assert ['systemctl', 'restart', 'odoo.service'] in odoo.commands


def test_what_did_not_hold_is_said_and_nothing_raises(unit, tmp_path):
    result = prove(unit(restart_rc=1))
    assert (result['proven'], result['changed']) == (False, False)
    assert result['msg'].startswith('Cannot restart odoo.service: systemctl restart said "Job for odoo.service failed."')

    result = prove(unit(starts=False), timeout=0)
    assert (result['proven'], result['restarted']) == (False, False)
    assert result['msg'].startswith('Cannot prove the restart of odoo.service: systemd did not start a new process '
                                    'within 0 s (InvocationID inv-1, now inv-1')

    # three 5xx in a row end the wait long before the timeout
    odoo = unit(answers=(500,))
    result = prove(odoo, timeout=3600)
    assert (result['proven'], result['restarted'], result['answering']) == (False, True, False)
    assert result['msg'].endswith('does not answer as that unit within 3600 s: it answers version_info with HTTP 500')
    assert len([argv for argv in odoo.commands if argv[:2] == ['systemctl', 'show']]) == 4

    # answering, but the addon skipped in the lines of this start (and only of this start)
    log = tmp_path / 'odoo-server.log'
    log.write_text('an earlier start: module payment_systempay: not installable, skipped\n')
    odoo = unit()
    real_run = odoo.run

    def run_and_log(argv):
        if argv[:2] == ['systemctl', 'restart']:
            with open(str(log), 'a') as handle:
                handle.write('\n'.join(SKIPPED) + '\n')
        return real_run(argv)
    odoo.run = run_and_log
    result = prove(odoo, logfile=str(log))
    assert (result['proven'], result['restarted'], result['answering']) == (False, True, True)
    assert result['not_loaded'] == ['payment_systempay', 'other_mod']
    assert 'but Odoo did not load payment_systempay' in result['msg']
    assert result['log'] == SKIPPED[1:]

    log.write_text('')
    assert prove(unit(), logfile=str(log))['proven'] is True


def test_check_mode_restarts_nothing(unit):
    odoo = unit()
    result = prove(odoo, check_mode=True)
    assert (result['changed'], result['proven'], result['msg']) == (True, False, 'would restart odoo.service')
    assert [argv[:2] for argv in odoo.commands] == [['systemctl', 'show']]
