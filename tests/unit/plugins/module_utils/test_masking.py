# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""masking: host-read secrets are masked where they stand as values; only strong ones everywhere."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import masking

STRONG = 'Zq7-kP2x!vR9wE'


@pytest.mark.parametrize('secret, weak', [
    ('odoo', True), ('admin', True), ('Odoo2024', False), ('abcdefghij', True), ('s3cr', True),
    ('postgres', True), (STRONG, False), ('correct-horse-battery', False),
])
def test_weak_secrets(secret, weak):
    assert masking.is_weak(secret) is weak


def test_a_weak_secret_leaves_paths_and_names_intact():
    text = ('Cannot install payment_systempay in /var/lib/odoo/addons/16.0: user odoo cannot read it '
            '(odoo.service, /etc/odoo/odoo.conf)')
    assert masking.mask(text, ['odoo']) == text


@pytest.mark.parametrize('text, expected', [
    ('db_password = odoo', 'db_password = ********'),
    ('  admin_passwd:odoo\n', '  admin_passwd:********\n'),
    ("{'db_password': 'odoo', 'db_user': 'odoo'}", "{'db_password': '********', 'db_user': 'odoo'}"),
    ('PGPASSWORD=odoo psql -U odoo', 'PGPASSWORD=******** psql -U odoo'),
    ('postgresql://odoo:odoo@db.example/odoo', 'postgresql://odoo:********@db.example/odoo'),
    ('/usr/bin/odoo --db_password odoo -c /etc/odoo/odoo.conf',
     '/usr/bin/odoo --db_password ******** -c /etc/odoo/odoo.conf'),
    ('/usr/bin/odoo --db_password=odoo', '/usr/bin/odoo --db_password=********'),
    ('/usr/bin/odoo -r odoo -w odoo', '/usr/bin/odoo -r odoo -w ********'),
    ('["/usr/bin/odoo", "--db_password", "odoo"]', '["/usr/bin/odoo", "--db_password", "********"]'),
    ('host=localhost user=odoo password=odoo dbname=shop1', 'host=localhost user=odoo password=******** dbname=shop1'),
])
def test_a_weak_secret_is_masked_where_it_stands_as_a_value(text, expected):
    assert masking.mask(text, ['odoo']) == expected


def test_a_strong_secret_is_masked_everywhere():
    text = 'connection to %s failed (password %s); /srv/%s/x' % (STRONG, STRONG, STRONG)
    assert STRONG not in masking.mask(text, [STRONG])
    assert masking.mask(text, [STRONG]).count(masking.MASK) == 3


def test_longest_first_and_nothing_to_mask():
    assert masking.mask('db_password = odoo2', ['odoo', 'odoo2']) == 'db_password = ********'
    assert masking.mask(None, ['x']) == '' and masking.mask('plain', []) == 'plain'
