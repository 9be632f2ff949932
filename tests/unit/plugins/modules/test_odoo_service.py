# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""odoo_service: the pieces that read what Odoo logged since the restart (the restart itself needs systemd and is
driven in the molecule scenarios `proofs`, `upgrade` and `default`)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.modules import odoo_service

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
    log = odoo_service.Log(None, 'odoo.service', str(path))
    with open(str(path), 'a') as handle:
        handle.write('\n'.join(SKIPPED) + '\n')
    assert log.since('any') == SKIPPED
    assert odoo_service.excerpt(log.since('any')) == SKIPPED[1:]


def test_the_journal_is_read_for_this_invocation_only():
    seen = []

    def run(argv):
        seen.append(argv)
        return 0, '\n'.join(SKIPPED), ''
    assert odoo_service.Log(run, 'odoo.service', None).since('abc123') == SKIPPED
    assert seen == [['journalctl', '_SYSTEMD_INVOCATION_ID=abc123', '--no-pager', '--output', 'cat']]
