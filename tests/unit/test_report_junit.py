# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report role's JUnit XML (roles/report/templates/report.junit.xml.j2), rendered as the template module does
(Jinja2, trim_blocks) from records shaped like record.json.j2's, and read back the way GitLab and Jenkins read
JUnit: <testsuites> holding one <testsuite> per host whose tests/failures/errors counts match its <testcase>
elements, a failed <testcase> holding one <failure> with a message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from xml.etree import ElementTree

import jinja2

TEMPLATE = os.path.join(os.path.dirname(__file__), '..', '..', 'roles', 'report', 'templates', 'report.junit.xml.j2')


def record(host, status='ok', error='', databases=(), probes=(), action='upgraded', restart=True):
    return {'host': host, 'series': '16.0', 'status': status, 'error': error, 'check_mode': False,
            'addon': {'module': 'payment_systempay', 'dest': '/var/lib/odoo/addons/16.0', 'before': '3.1.0',
                      'after': '3.1.1', 'action': action, 'archive_version': '3.1.1', 'archive_range': 'Odoo_16'},
            'config_changed_keys': [], 'restart': restart, 'databases': list(databases), 'probes': list(probes),
            'probe_msg': ''}


def db(name, action='upgrade', msg='', provider_action=None):
    return {'name': name, 'action': action, 'version_before': '16.0.3.1.0', 'version_after': '16.0.3.1.1',
            'msg': msg, 'provider_mode': 'test' if provider_action else None, 'provider_action': provider_action}


def render(records):
    with open(TEMPLATE) as handle:
        template = jinja2.Environment(trim_blocks=True, undefined=jinja2.StrictUndefined).from_string(handle.read())
    return template.render(__report_records=records, report_name='systempay-odoo-report')


def cases_of(suite):
    return {case.get('name'): case for case in suite.findall('testcase')}


def test_the_counts_match_and_each_failure_carries_its_message_and_fix():
    records = [
        record('fleet-a', databases=[db('shop1', provider_action='update')],
               probes=[{'url': 'https://a.example', 'verdict': 'OK', 'ok': True, 'fix': '', 'notify_url': ''}]),
        record('fleet-b', status='failed', action='rolled back', restart=False,
               error='odoo.service restarted (pid 9) but Odoo does not answer as that unit within 30 s: HTTP 500 <&>.\n'
                     'Rolled back: the previous addon files (3.1.0) are in place again "quoted"'),
        record('fleet-c', status='failed', error='Cannot upgrade payment_systempay in database shop2: exit 255',
               databases=[db('shop1'), db('shop2', action='failed', msg='exit 255')]),
        record('fleet-d', status='failed', error='the IPN probe failed',
               probes=[{'url': 'https://d.example', 'verdict': 'NOT_FOUND', 'ok': False,
                        'fix': 'set dbfilter = ^shop1$', 'notify_url': ''}]),
    ]
    root = ElementTree.fromstring(render(records).encode('utf-8'))
    assert root.tag == 'testsuites'
    suites = {suite.get('name'): suite for suite in root.findall('testsuite')}
    assert list(suites) == ['fleet-a', 'fleet-b', 'fleet-c', 'fleet-d']
    for suite in suites.values():
        cases = suite.findall('testcase')
        assert int(suite.get('tests')) == len(cases)
        assert int(suite.get('failures')) == sum(1 for case in cases if case.find('failure') is not None)
        assert int(suite.get('errors')) == 0
        for case in cases:
            assert case.get('classname') == suite.get('name')
            assert len(case.findall('failure')) <= 1
    assert int(root.get('tests')) == sum(int(s.get('tests')) for s in suites.values()) == 6 + 3 + 5 + 4
    assert int(root.get('failures')) == 3
    a = cases_of(suites['fleet-a'])
    assert list(a) == ['addon', 'config', 'restart', 'module shop1', 'settings shop1', 'probe https://a.example']
    assert all(case.find('failure') is None for case in a.values())
    b = cases_of(suites['fleet-b'])
    failure = b['addon'].find('failure')
    assert failure.get('message') == records[1]['error']           # escaped in the file, intact once parsed
    assert b['restart'].find('system-out').text == 'not restarted'
    c = cases_of(suites['fleet-c'])
    assert c['module shop2'].find('failure').get('message') == 'exit 255'
    assert records[2]['error'] in c['module shop2'].find('failure').text
    assert c['addon'].find('failure') is None and c['module shop1'].find('failure') is None
    d = cases_of(suites['fleet-d'])
    failure = d['probe https://d.example'].find('failure')
    assert failure.get('message') == 'NOT_FOUND: https://d.example' and 'Fix: set dbfilter = ^shop1$' in failure.text


def test_an_empty_run_is_still_a_valid_report():
    root = ElementTree.fromstring(render([]).encode('utf-8'))
    assert (root.tag, root.get('tests'), root.get('failures'), root.findall('testsuite')) == ('testsuites', '0', '0', [])
