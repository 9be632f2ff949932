# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the summary of `make demo` from what the run left: the run report (JSON) and the play recap of its log.

Usage: demo_summary.py REPORT_JSON SITE_LOG

Reads only those two files: every line comes from the report role's record of the host (addon, config, restart,
databases, provider mode, IPN probes) or from Ansible's recap (changed count), so the summary cannot say more than
the run did.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import sys

RECAP_RE = re.compile(r'^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)'
                      r'\s+failed=(?P<failed>\d+)')
ANSI_RE = re.compile(r'\x1b\[[0-9;]*m')


def recap(log_path):
    """``{host: {ok, changed, unreachable, failed}}`` from the last PLAY RECAP of the log."""
    found = {}
    with open(log_path, errors='replace') as handle:
        for line in handle:
            match = RECAP_RE.match(ANSI_RE.sub('', line).strip())
            if match:
                found[match.group('host')] = dict((key, int(match.group(key)))
                                                  for key in ('ok', 'changed', 'unreachable', 'failed'))
    return found


def _said(action):
    """A module's or provider's action as a person reads it (``none``: nothing to do)."""
    return 'unchanged' if action == 'none' else action


def lines(record, counts, report_json):
    addon = record['addon']
    out = ['run         playbooks/site.yml: changed=%s failed=%s%s' % (
        counts.get('changed', '?'), counts.get('failed', '?'),
        '  (nothing changed on the host: a no-op)' if counts.get('changed') == 0 else '')]
    version = addon.get('after') or addon.get('before') or 'none'
    where = (' in ' + addon['dest']) if addon.get('dest') else ''
    out.append('addon       %s %s: %s%s' % (addon.get('module'), version, addon.get('action'), where))
    if addon.get('settings_dropped'):
        out.append('            settings %s has no field for (their values stay unused): %s'
                   % (version, ', '.join(addon['settings_dropped'])))
    out.append('config      %s' % (('changed ' + ', '.join(record['config_changed_keys']))
                                   if record['config_changed_keys'] else 'unchanged'))
    out.append('restart     %s' % ('yes (proven: a new Odoo process of the unit answers)' if record['restart'] else 'no'))
    for db in record['databases']:
        out.append('database    %s: module %s (%s -> %s), provider %s (%s), web.base.url %s' % (
            db['name'], _said(db['action']), db['version_before'] or 'not installed', db['version_after'] or 'not installed',
            db['provider_mode'] or 'not set', _said(db['provider_action']) or 'not run',
            db.get('web_base_url') or 'not read'))
        for note in db.get('provider_notes') or []:
            out.append('            %s' % note)
    for probe in record['probes']:
        verdict = probe['verdict']
        if probe['ok'] and probe.get('platform_reachable') is False:
            verdict += (': the route answers as the payment addon\'s. Not proven: that the payment platform can reach a'
                        ' shop there (a loopback address, plain http): real shops are probed at their public https URL')
        elif not probe['ok']:
            verdict += ': ' + probe['fix']
        out.append('IPN probe   %s: %s' % (probe['url'], verdict))
    if record.get('probe_msg'):
        out.append('IPN probe   %s' % record['probe_msg'])
    out.append('status      %s%s' % (record['status'], (': ' + record['error']) if record['error'] else ''))
    stem = report_json[:-len('.json')]
    out.append('report      %s.json, .md, .junit.xml' % stem)
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    report_json, log_path = argv[1:]
    with open(report_json) as handle:
        report = json.load(handle)
    counts = recap(log_path)
    for record in report['hosts']:
        print('\n'.join(lines(record, counts.get(record['host'], {}), report_json)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
