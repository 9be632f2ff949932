# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The generation table against the facts of docs (ground truth sections 1, 4, 7)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import generations as g


@pytest.mark.parametrize('text, expected', [
    ('Odoo_10-14', (10, 14)),
    ('Odoo_15', (15, 15)),
    ('Odoo_16', (16, 16)),
    ('Odoo_17-19', (17, 19)),
    ('Odoo_10-12', (10, 12)),          # the seed's archive
    ('Systempay_Odoo_17-19', (17, 19)),
    (' Odoo_16 ', (16, 16)),
])
def test_parse_range(text, expected):
    assert g.parse_range(text) == expected


@pytest.mark.parametrize('text', ['', None, 'Odoo16', 'Odoo_', 'Odoo_14-10', 'odoo_16', 'Odoo_16-', 'Odoo_1a'])
def test_parse_range_refuses(text):
    with pytest.raises(g.GenerationError, match='Cannot parse declared Odoo range'):
        g.parse_range(text)


@pytest.mark.parametrize('series, major', [
    ('16.0', 16), ('16', 16), (16, 16), (16.0, 16), ('saas~16.1', 16), ('10.0', 10), ('19.0', 19),
])
def test_parse_series(series, major):
    assert g.parse_series(series) == major


@pytest.mark.parametrize('series', ['', 'sixteen', None, True, '16.0.1.2'])
def test_parse_series_refuses(series):
    with pytest.raises(g.GenerationError):
        g.parse_series(series)


@pytest.mark.parametrize('text, series, included', [
    ('Odoo_10-14', '10.0', True),
    ('Odoo_10-14', '14.0', True),
    ('Odoo_10-14', '15.0', False),
    ('Odoo_10-13', '16.0', False),   # the measured wrong push of ground truth 1
    ('Odoo_16', '16.0', True),
    ('Odoo_16', '17.0', False),
    ('Odoo_17-19', '18.0', True),
    ('Odoo_17-19', '9.0', False),
])
def test_range_includes(text, series, included):
    assert g.range_includes(text, series) is included


@pytest.mark.parametrize('series, line, declared', [
    ('10.0', '1', 'Odoo_10-14'),
    ('12.0', '1', 'Odoo_10-14'),
    ('14.0', '1', 'Odoo_10-14'),
    ('15.0', '2', 'Odoo_15'),
    ('16.0', '3', 'Odoo_16'),
    ('17.0', '4', 'Odoo_17-19'),
    ('19.0', '4', 'Odoo_17-19'),
])
def test_line_for_series(series, line, declared):
    chosen = g.line_for_series(series)
    assert (chosen['line'], chosen['range']) == (line, declared)
    # the line's own declared range includes the series it is chosen for
    assert g.range_includes(chosen['range'], series)


@pytest.mark.parametrize('series', ['9.0', '20.0', '8'])
def test_line_for_series_outside(series):
    with pytest.raises(g.GenerationError, match='outside the supported 10-19'):
        g.line_for_series(series)


def test_lines_cover_supported_range_without_gap_or_overlap():
    covered = []
    for line in g.ADDON_LINES:
        covered.extend(range(line['first'], line['last'] + 1))
        assert g.parse_range(line['range']) == (line['first'], line['last'])
    assert covered == list(range(10, 20))
    assert g.SUPPORTED_MAJORS == tuple(range(10, 20))


@pytest.mark.parametrize('version, series, fits', [
    ('1.2.6', '14.0', True),
    ('1.2.6', '16.0', False),
    ('2.0.5', '15.0', True),
    ('3.1.1', '16.0', True),
    ('3.1.1', '17.0', False),
    ('4.1.0', '18.0', True),
    ('3.1.1-broken-start', '16.0', True),
    # by release, not by line (vendor-releases.json declared ranges): the line ranges accepted these
    ('4.1.0', '19.0', False),
    ('4.0.0', '18.0', False),
    ('1.1.1', '13.0', False),
    ('1.2.0', '14.0', False),
    ('4.3.0', '19.0', True),
    ('1.0.0', '12.0', False),      # not supported: payment_payzen, no declared range
])
def test_version_fits_series(version, series, fits):
    assert g.version_fits_series(version, series) is fits


@pytest.mark.parametrize('version, requires', [
    ('1.2.6', ()),
    ('2.0.5', ()),
    ('3.1.1', ('account',)),     # ground truth 3: -i exits 255 without account, the manifest says only payment
    ('4.3.1', ('account',)),     # the vendor's 4.x code extends account.payment.method, depends on payment only
])
def test_modules_a_line_needs_without_declaring_them(version, requires):
    assert g.line_of_version(version)['requires'] == requires


@pytest.mark.parametrize('version', ['', '5.0.0', 'x.1', None])
def test_line_of_unknown_version(version):
    with pytest.raises(g.GenerationError, match='Cannot place addon version'):
        g.line_of_version(version)


@pytest.mark.parametrize('name, expected', [
    ('Systempay_Odoo_16_v3.1.1.zip', {'brand': 'systempay', 'range': 'Odoo_16', 'first': 16, 'last': 16,
                                      'version': '3.1.1', 'line': '3'}),
    ('files/Systempay_Odoo_10-14_v1.2.6.zip', {'brand': 'systempay', 'range': 'Odoo_10-14', 'first': 10,
                                               'last': 14, 'version': '1.2.6', 'line': '1'}),
    ('Payzen_Odoo_17-19_v4.1.0.zip', {'brand': 'payzen', 'range': 'Odoo_17-19', 'first': 17, 'last': 19,
                                      'version': '4.1.0', 'line': '4'}),
])
def test_parse_archive_name(name, expected):
    assert g.parse_archive_name(name) == expected


@pytest.mark.parametrize('name', ['Systempay_Odoo_16_3.1.1.zip', 'Systempay_Odoo_16_v3.1.1.tar.gz',
                                  'payment_systempay.zip', 'Systempay_Odoo_v3.1.1.zip'])
def test_parse_archive_name_refuses(name):
    with pytest.raises(g.GenerationError, match='Cannot parse archive name'):
        g.parse_archive_name(name)


@pytest.mark.parametrize('series, model, type_field, mode_field, publish_field', [
    ('10.0', 'payment.acquirer', 'provider', 'environment', 'website_published'),
    ('12.0', 'payment.acquirer', 'provider', 'environment', 'website_published'),
    ('13.0', 'payment.acquirer', 'provider', 'state', None),
    ('14.0', 'payment.acquirer', 'provider', 'state', None),
    ('15.0', 'payment.acquirer', 'provider', 'state', None),
    ('16.0', 'payment.provider', 'code', 'state', 'is_published'),
    ('17.0', 'payment.provider', 'code', 'state', 'is_published'),
    ('19.0', 'payment.provider', 'code', 'state', 'is_published'),
])
def test_model_facts(series, model, type_field, mode_field, publish_field):
    facts = g.model_facts(series)
    assert (facts['model'], facts['type_field'], facts['mode_field'], facts['publish_field']) == \
        (model, type_field, mode_field, publish_field)


def test_mode_values():
    assert g.model_facts('12.0')['mode_values'] == ['test', 'prod']
    assert g.model_facts('13.0')['mode_values'] == ['disabled', 'enabled', 'test']


@pytest.mark.parametrize('series', ['9.0', '20.0'])
def test_model_facts_outside(series):
    with pytest.raises(g.GenerationError):
        g.model_facts(series)


def test_model_facts_returns_a_copy():
    g.model_facts('16.0')['mode_values'].append('x')
    assert g.model_facts('16.0')['mode_values'] == ['disabled', 'enabled', 'test']
