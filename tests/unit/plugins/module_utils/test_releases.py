# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release table (module_utils/releases.py) against the vendor's releases as recorded in vendor-releases.json.

The facts file is tests/fixtures/vendor-releases.json, a copy of ../shared/docs/ground-truth-data/vendor-releases.json
(the copy is checked against the shared file when that is present). Every expectation below is derived from it, not
written by hand: the fields each release defines, their selection values, the declared range, the module name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import releases as r

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
FACTS_FILE = os.path.join(ROOT, 'tests', 'fixtures', 'vendor-releases.json')
SHARED_FILE = os.path.join(ROOT, '..', 'shared', 'docs', 'ground-truth-data', 'vendor-releases.json')

with open(FACTS_FILE) as handle:
    FACTS = json.load(handle)['releases']
SUPPORTED = [version for version in FACTS if version not in r.UNSUPPORTED]


def brand_fields(version):
    """The fields of the release whose name carries the brand (``lyra_`` in the facts' build)."""
    return dict((name, spec) for name, spec in FACTS[version]['fields'].items() if name.startswith('lyra_'))


def table_fields(version):
    """Every brand field the table says the release has: settings, and the fields that hold none."""
    facts = r.release(version)
    fields = set(r.settings(version, 'lyra').values())
    fields.update(name.replace('{brand}', 'lyra') for name in r.COMMON_OTHER_FIELDS)
    for feature in facts['features']:
        fields.update(name.replace('{brand}', 'lyra') for name in r.FEATURE_OTHER_FIELDS.get(feature, ()))
    return fields


@pytest.mark.skipif(not os.path.exists(SHARED_FILE), reason='the shared ground-truth folder is not on this machine')
def test_the_copy_is_the_shared_file():
    with open(SHARED_FILE) as handle:
        assert json.load(handle)['releases'] == FACTS


def test_every_public_release_is_in_the_table_in_order():
    assert [row[0] for row in r.RELEASES] == list(FACTS)


@pytest.mark.parametrize('version', SUPPORTED)
def test_declared_range_and_module(version):
    facts = r.release(version)
    assert facts['range'] == FACTS[version]['declared_range']
    assert facts['exact'] and facts['release'] == version
    assert FACTS[version]['module'] == 'payment_lyra'


@pytest.mark.parametrize('version', SUPPORTED)
def test_payment_methods_exactly_where_the_release_creates_them(version):
    """The feature ``payment_methods`` is the releases whose data files create Odoo 17's payment methods."""
    creates = 'data/payment_method_data.xml' in FACTS[version]['data_files']
    assert ('payment_methods' in r.release(version)['features']) is creates


@pytest.mark.parametrize('version', SUPPORTED)
def test_fields_of_each_release(version):
    assert table_fields(version) == set(brand_fields(version))


@pytest.mark.parametrize('version', SUPPORTED)
def test_selection_values_of_each_form(version):
    form = r.form_of(r.release(version))
    fields = brand_fields(version)
    if form is None:
        assert 'lyra_payment_data_entry_mode' not in fields
        return
    values = r.FORM_VALUES[form]
    assert sorted(values['entry_mode'].values()) == sorted(fields['lyra_payment_data_entry_mode']['selection_values'])
    assert sorted(values['entry_mode']) == sorted(r.ENTRY_MODES)
    for option in ('pop_in', 'compact_mode'):
        field = fields['lyra_%s_%s' % (form, option)]
        assert sorted(values['embedded_form.' + option].values()) == sorted(field['selection'])
        assert values['embedded_form.' + option][False] == field['default']
    assert sorted(r.THEMES) == sorted(fields['lyra_%s_theme' % form]['selection'])


def test_unsupported_release_is_refused_with_its_reason():
    with pytest.raises(r.ReleaseError, match='1.0.0 is not supported: the module is payment_payzen'):
        r.release('1.0.0')
    assert FACTS['1.0.0']['module'] == 'payment_payzen' and FACTS['1.0.0']['declared_range'] is None


@pytest.mark.parametrize('version, judged', [
    ('16.0.3.1.1', '3.1.1'),     # as a database records it
    ('3.1.2', '3.1.1'),          # a patched build: the newest earlier release of its line
    ('4.3.1', '4.3.0'),          # a release newer than the table
    ('4.1.5', '4.1.0'),
    ('3.1.1-broken-start', '3.1.1'),  # a patched build of a release: judged as it (exact: its version is)
])
def test_versions_not_in_the_table(version, judged):
    facts = r.release(version)
    assert facts['release'] == judged and facts['exact'] is (r.addon_version(version) == judged)


@pytest.mark.parametrize('version', ['0.9.0', '5.0.0', 'x', '', None])
def test_versions_that_cannot_be_placed(version):
    with pytest.raises(r.ReleaseError, match='Cannot place addon version'):
        r.release(version)


def test_the_migrations_of_each_release_are_the_folders_it_ships():
    assert r.MIGRATIONS == dict((version, tuple(facts['migrations'])) for version, facts in FACTS.items()
                                if facts.get('migrations'))


@pytest.mark.parametrize('installed, version, series, expected', [
    ('16.0.3.0.3', '3.1.1', '16.0', ['16.0.3.1.0']),    # 3.0.3 -> 3.1.1: the 3.1.0 migration runs
    ('16.0.3.0.3', '3.1.0', '16.0', ['16.0.3.1.0']),    # at most the new version: 16.0.3.1.0 itself
    ('16.0.3.1.0', '3.1.1', '16.0', []),                # above the installed version only
    ('16.0.3.1.1', '3.1.1', '16.0', []),                # no version change
    ('17.0.4.1.0', '4.3.0', '17.0', ['17.0.4.2.0']),    # the 18.0 and 19.0 folders are above 17.0.4.3.0
    ('18.0.4.2.1', '4.3.0', '18.0', []),
    ('18.0.4.1.0', '4.2.1', '18.0', ['18.0.4.2.0']),
    ('16.0.3.0.3', '3.1.1-broken-start', '16.0', ['16.0.3.1.0']),   # a patched build: its release's folders
    ('16.0.3.0.3', '3.0.3', '16.0', []),                # a release without migrations
    (None, '3.1.1', '16.0', []),                        # an install runs none
])
def test_the_migrations_an_upgrade_runs(installed, version, series, expected):
    assert r.migrations_run(installed, version, series) == expected


def test_ranges_by_release_not_by_line():
    # the line ranges would accept all of these; the releases' own ranges do not
    assert not r.fits_series('1.1.1', 13)
    assert r.fits_series('1.2.0', 13) and not r.fits_series('1.2.0', 14)
    assert not r.fits_series('4.0.0', 18)
    assert r.fits_series('4.1.0', 18) and not r.fits_series('4.1.0', 19)
    assert r.fits_series('4.3.0', 19)


def test_releases_with_a_setting():
    assert r.releases_with('rest.test_password') == '3.1.0-3.1.1, 4.2.0-4.3.0'
    assert r.releases_with('gateway_url') == '1.1.0-3.0.3, 4.0.0'
    assert r.releases_with('shop_id') == '1.1.0-4.3.0'
    # derived from the facts: the releases whose fields hold the setting's field
    for path in r.all_setting_paths():
        having = [version for version in SUPPORTED if path in r.settings(version, 'lyra')]
        assert all(r.settings(version, 'lyra')[path] in brand_fields(version) for version in having)
        assert r.releases_with(path) == r.spans(having)


def test_series_releases():
    assert r.for_series(16) == ['3.0.0', '3.0.1', '3.0.2', '3.0.3', '3.1.0', '3.1.1']
    assert r.for_series(19) == ['4.3.0']
    assert r.for_series(13) == ['1.2.0', '1.2.1', '1.2.2', '1.2.3', '1.2.4', '1.2.5', '1.2.6']
    assert r.for_series(20) == []


def test_the_documented_release_table_is_the_table():
    """docs/provider-settings.md, "By addon release": each row's ranges and settings are the table's."""
    with open(os.path.join(ROOT, 'docs', 'provider-settings.md')) as handle:
        text = handle.read()
    section = text[text.index('### By addon release'):]
    rows = [line for line in section.splitlines() if line.startswith('| ') and line[2].isdigit()]
    documented = []
    for row in rows:
        cells = [cell.strip() for cell in row.strip('|').split('|')]
        first, last = (cells[0].split('–') + [cells[0]])[:2]
        if first == '1.0.0':
            continue
        documented.append((first, last, cells[1].strip('`'), cells[2] == 'yes', cells[3] == 'yes',
                           cells[4].strip('`').replace('_*', '') if cells[4] != '—' else None))
    expected = []
    for version in SUPPORTED:
        facts = r.release(version)
        names = r.settings(version, 'lyra')
        key = (facts['range'], 'gateway_url' in names, 'rest.test_password' in names, r.form_of(facts))
        if expected and expected[-1][1] == key:
            expected[-1][0][1] = version
        else:
            expected.append(([version, version], key))
    assert documented == [(span[0], span[1]) + key for span, key in expected]


@pytest.mark.parametrize('version, modules', [
    ('1.1.0', ['pkg_resources']), ('2.0.5', ['pkg_resources']), ('3.0.3', ['pkg_resources']),
    ('3.1.0', ['pkg_resources', 'requests']), ('4.0.0', ['pkg_resources', 'requests']),
    ('4.1.0', ['pkg_resources', 'requests']), ('4.3.0', ['pkg_resources', 'requests']),
    ('3.1.2', ['pkg_resources', 'requests']),
])
def test_the_python_modules_each_release_imports(version, modules):
    """Ground truth 9: every release imports pkg_resources; 3.1.0 on, every 4.x included, also requests."""
    found = r.python_imports(version)
    assert [item['module'] for item in found] == modules
    assert dict((item['module'], item['debian']) for item in found) == dict(
        (module, {'pkg_resources': 'python3-setuptools', 'requests': 'python3-requests'}[module]) for module in modules)


@pytest.mark.parametrize('before, after, dropped', [
    ('3.0.3', '3.1.0', ['gateway_url']), ('4.0.0', '4.1.0', ['gateway_url']), ('4.1.0', '4.2.0', []),
    ('16.0.3.1.0', '16.0.3.1.1', []), ('3.1.1', '3.0.3', ['embedded_form.compact_mode', 'embedded_form.payment_attempts',
                                                          'embedded_form.pop_in', 'embedded_form.theme', 'entry_mode',
                                                          'rest.prod_password', 'rest.public_production_key',
                                                          'rest.public_test_key', 'rest.sha256_prod_key',
                                                          'rest.sha256_test_key', 'rest.test_password']),
    ('nonsense', '3.1.0', []),
])
def test_the_settings_an_upgrade_drops(before, after, dropped):
    """From the vendor's fields: 3.0.3 -> 3.1.0 and 4.0.0 -> 4.1.0 lose the gateway URL; 4.1.0 -> 4.2.0 only adds."""
    assert r.settings_dropped(before, after) == dropped
    if before != 'nonsense':    # the gateway URL one, against the vendor's fields themselves
        old, new = (brand_fields(r.release(version)['release']) for version in (before, after))
        assert ('gateway_url' in dropped) == ('lyra_gateway_url' in old and 'lyra_gateway_url' not in new)
