# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/scripts/demo_summary.py: the summary `make demo` prints says what the run report and the play recap say,
and nothing more (a loopback probe is never shown as a shop the payment platform can reach)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os

SCRIPT = os.path.join(os.path.dirname(__file__), '..', 'scripts', 'demo_summary.py')
RECAP = ('PLAY RECAP *********\n'
         '\x1b[0;33msystempay-demo\x1b[0m             : \x1b[0;32mok=58\x1b[0m   changed=0    unreachable=0    '
         'failed=0    skipped=27   rescued=0    ignored=0   \n')


def load():
    spec = importlib.util.spec_from_file_location('demo_summary', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(probe_ok=True, reachable=False, action='none'):
    return {'host': 'systempay-demo', 'series': '16.0', 'status': 'ok', 'error': '', 'check_mode': False,
            'addon': {'module': 'payment_systempay', 'dest': '/var/lib/odoo/addons/16.0', 'before': '3.1.1',
                      'after': '3.1.1', 'action': 'unchanged', 'archive_version': '3.1.1', 'archive_range': 'Odoo_16'},
            'config_changed_keys': [], 'restart': False,
            'databases': [{'name': 'shop1', 'action': action, 'version_before': '16.0.3.1.1',
                           'version_after': '16.0.3.1.1', 'msg': '', 'provider_mode': 'test', 'provider_action': 'none',
                           'web_base_url': 'http://127.0.0.1:18069'}],
            'probes': [{'url': 'http://127.0.0.1:18069', 'verdict': 'OK' if probe_ok else 'NOT_FOUND', 'ok': probe_ok,
                        'fix': '' if probe_ok else 'Set dbfilter = ^shop1$ in odoo.conf and restart Odoo.',
                        'notify_url': '', 'platform_reachable': reachable}],
            'probe_msg': ''}


def summary(tmp_path, rec, recap=RECAP):
    report = tmp_path / 'systempay-odoo-report.json'
    report.write_text(json.dumps({'hosts': [rec]}))
    log = tmp_path / 'site.log'
    log.write_text(recap)
    module = load()
    return module.lines(rec, module.recap(str(log)).get(rec['host'], {}), str(report))


def test_a_no_op_run_says_so_from_the_recap(tmp_path):
    lines = summary(tmp_path, record())
    assert lines[0] == 'run         playbooks/site.yml: changed=0 failed=0  (nothing changed on the host: a no-op)'
    assert 'restart     no' in lines
    assert ('database    shop1: module unchanged (16.0.3.1.1 -> 16.0.3.1.1), provider test (unchanged), '
            'web.base.url http://127.0.0.1:18069') in lines
    assert lines[-1] == 'report      %s, .md, .junit.xml' % (tmp_path / 'systempay-odoo-report.json')


def test_a_loopback_probe_is_ok_for_the_route_only(tmp_path):
    probe = [line for line in summary(tmp_path, record()) if line.startswith('IPN probe')]
    assert len(probe) == 1
    assert probe[0].startswith('IPN probe   http://127.0.0.1:18069: OK: the route answers as the payment addon\'s. '
                               'Not proven: that the payment platform can reach a shop there')
    public = [line for line in summary(tmp_path, record(reachable=None)) if line.startswith('IPN probe')]
    assert public == ['IPN probe   http://127.0.0.1:18069: OK']


def test_a_failing_probe_shows_its_fix_and_a_missing_recap_shows_unknown_counts(tmp_path):
    lines = summary(tmp_path, record(probe_ok=False), recap='')
    assert lines[0] == 'run         playbooks/site.yml: changed=? failed=?'
    assert 'IPN probe   http://127.0.0.1:18069: NOT_FOUND: Set dbfilter = ^shop1$ in odoo.conf and restart Odoo.' in lines


def test_the_provider_notes_of_a_database_follow_its_line(tmp_path):
    rec = record(action='install')
    note = 'entry mode set to redirect: the fresh install of 3.1.1 started with smartform, which needs the REST keys'
    rec['databases'][0]['provider_notes'] = [note]
    lines = summary(tmp_path, rec)
    at = [index for index, line in enumerate(lines) if line.startswith('database    shop1')][0]
    assert lines[at + 1] == '            ' + note
