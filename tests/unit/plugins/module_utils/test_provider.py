# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure helpers of module_utils/provider.py and the provider field table of module_utils/generations.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import generations as g
from ansible_collections.systempay.odoo.plugins.module_utils import provider as p


# -- the field table (core fields written out from ground truth 1, 4, 7; the addon's from vendor-releases.json) ---
@pytest.mark.parametrize('series, release, model, xmlid, countries, auth, icons, gateway, rest', [
    ('12.0', '1.2.6', 'payment.acquirer', 'payment_systempay.payment_acquirer_systempay', 'country_ids', 'post_msg',
     'payment_icon_ids', 'systempay_gateway_url', None),
    ('14.0', '1.2.6', 'payment.acquirer', 'payment_systempay.payment_acquirer_systempay', 'country_ids', 'auth_msg',
     'payment_icon_ids', 'systempay_gateway_url', None),
    ('15.0', '2.0.5', 'payment.acquirer', 'payment_systempay.payment_acquirer_systempay', 'country_ids', 'auth_msg',
     'payment_icon_ids', 'systempay_gateway_url', None),
    ('16.0', '3.0.3', 'payment.provider', 'payment_systempay.payment_provider_systempay', 'available_country_ids',
     'auth_msg', 'payment_icon_ids', 'systempay_gateway_url', None),
    ('16.0', '3.1.1', 'payment.provider', 'payment_systempay.payment_provider_systempay', 'available_country_ids',
     'auth_msg', 'payment_icon_ids', None, 'systempay_test_password'),
    ('17.0', '4.0.0', 'payment.provider', 'payment_systempay.payment_provider_systempay', 'available_country_ids',
     'auth_msg', None, 'systempay_gateway_url', None),
    ('18.0', '4.1.0', 'payment.provider', 'payment_systempay.payment_provider_systempay', 'available_country_ids',
     'auth_msg', None, None, None),
    ('17.0', '4.3.0', 'payment.provider', 'payment_systempay.payment_provider_systempay', 'available_country_ids',
     'auth_msg', None, None, 'systempay_test_password'),
])
def test_provider_facts(series, release, model, xmlid, countries, auth, icons, gateway, rest):
    facts = g.provider_facts(series, release=release)
    fields = facts['fields']
    assert (facts['model'], facts['xmlid'], facts['release']['release']) == (model, xmlid, release)
    assert (fields['specific_countries'], fields['messages.auth'], fields['payment_icons']) == (countries, auth, icons)
    assert (fields['gateway_url'], fields['rest.test_password']) == (gateway, rest)
    assert fields['shop_id'] == 'systempay_site_id' and fields['key_production'] == 'systempay_key_prod'
    # mode and published (of either record) are the model's core fields, not the table's
    assert set(fields) >= set(p.SETTING_PATHS) - {'mode', 'published', 'installments.mode', 'installments.published'}


def test_provider_facts_by_release_form():
    assert g.provider_facts('16.0', release='3.1.1')['fields']['embedded_form.pop_in'] == 'systempay_smartform_pop_in'
    assert g.provider_facts('16.0', release='3.1.1')['form'] == 'smartform'
    assert g.provider_facts('18.0', release='4.2.0')['fields']['embedded_form.pop_in'] == 'systempay_embedded_pop_in'
    assert g.provider_facts('18.0', release='4.2.0')['form'] == 'embedded'
    assert g.provider_facts('17.0', release='4.0.0')['form'] is None
    # a database records 16.0.3.1.1
    assert g.provider_facts('16.0', release='16.0.3.1.1')['release']['release'] == '3.1.1'


def test_provider_facts_without_release_is_every_field_of_the_series():
    fields = g.provider_facts('16.0')['fields']
    assert fields['gateway_url'] and fields['rest.test_password'] and fields['embedded_form.theme']
    assert g.provider_facts('18.0')['fields']['gateway_url'] is None      # 4.0.0 declares Odoo_17 only
    assert g.provider_facts('16.0')['release'] is None


@pytest.mark.parametrize('series, release, message', [
    ('18.0', '4.0.0', 'Addon release 4.0.0 declares Odoo_17, which leaves Odoo 18.0 out'),
    ('14.0', '1.1.1', 'Addon release 1.1.1 declares Odoo_10-12, which leaves Odoo 14.0 out'),
    ('12.0', '1.0.0', 'Addon release 1.0.0 is not supported'),
    ('16.0', '9.9.9', 'Cannot place addon version 9.9.9'),
])
def test_provider_facts_refuses_a_release_off_the_series(series, release, message):
    with pytest.raises(g.GenerationError, match=message):
        g.provider_facts(series, release=release)


def test_provider_facts_old_series_and_brand():
    facts = g.provider_facts('12.0', 'payzen')
    assert facts['fields']['specific_countries_flag'] == 'specific_countries'
    assert facts['fields']['messages.error'] == 'error_msg'
    assert facts['fields']['shop_id'] == 'payzen_site_id'
    assert (facts['card_model'], facts['language_model'], facts['module']) == \
        ('payzen.card', 'payzen.language', 'payment_payzen')
    assert g.provider_facts('13.0')['fields']['messages.error'] is None
    with pytest.raises(g.GenerationError):
        g.provider_facts('16.0', 'Bad Brand')
    with pytest.raises(g.GenerationError):
        g.provider_facts('20.0')


# -- schema ------------------------------------------------------------------------------------------
def test_flatten_merge_and_secrets():
    base = {'shop_id': '12345678', 'redirect': {'enabled': True, 'success_timeout': 5}, 'title': None,
            'rest': {'test_password': 'pw-1234'}}
    merged = p.merge(base, {'redirect': {'success_timeout': 9, 'enabled': None}, 'title': 'T'})
    flat = p.flatten(merged)
    assert flat == {'shop_id': '12345678', 'redirect.enabled': True, 'redirect.success_timeout': 9, 'title': 'T',
                    'rest.test_password': 'pw-1234'}
    assert base['redirect']['success_timeout'] == 5
    assert p.secret_values(flat) == ['pw-1234']


def test_unknown_settings_suggest_the_closest_name():
    unknown = p.unknown_settings({'shopid': '1', 'redirect': {'enabeld': True}, 'zzz': 1, 'title': 'x'})
    assert [(path, hint) for path, _value, hint in unknown] == [
        ('settings.redirect.enabeld', 'redirect.enabled'), ('settings.shopid', 'shop_id'), ('settings.zzz', None)]
    msg = p.unknown_message(unknown)
    assert 'settings.shopid (did you mean settings.shop_id?)' in msg
    assert 'settings.zzz (no known setting is close' in msg
    assert p.unknown_message(p.unknown_settings({'key_prodution': 'x'}, 'overrides[shop2].settings')) == (
        'Cannot configure the payment provider: unknown setting overrides[shop2].settings.key_prodution '
        '(did you mean overrides[shop2].settings.key_production?)')


# -- checks ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('flat, message', [
    ({'shop_id': '1234567'}, 'settings.shop_id must be the 8 digits'),
    ({'mode': 'test'}, 'settings.key_test is required with mode test'),
    ({'mode': 'production', 'key_test': 'k'}, 'settings.key_production is required with mode production'),
    ({'key_test': ' '}, 'settings.key_test is empty'),
    ({'redirect.success_timeout': 301}, 'settings.redirect.success_timeout must be between 0 and 300'),
    ({'threeds_min_amount': -1}, 'settings.threeds_min_amount must be a non-negative amount'),
    ({'threeds_min_amount': True}, 'settings.threeds_min_amount must be a non-negative amount'),
    ({'capture_delay': 'x'}, 'settings.capture_delay must be a number of days'),
    ({'available_languages': ['xx']}, "settings.available_languages has 'xx'"),
    ({'card_types': ['visa']}, "settings.card_types has 'visa'"),
    ({'specific_countries': ['fra']}, "settings.specific_countries has 'fra'"),
    ({'gateway_url': 'ftp://x'}, 'settings.gateway_url must be an http(s) URL'),
    ({'title': ''}, 'settings.title is empty'),
])
def test_check_refuses(flat, message):
    errors = p.check(flat)
    assert len(errors) == 1 and errors[0].startswith(message)


def test_check_accepts_and_probe():
    flat = {'shop_id': '12345678', 'mode': 'production', 'key_production': 'k', 'threeds_min_amount': '0',
            'capture_delay': '', 'redirect.error_timeout': 300}
    assert p.check(flat) == []
    assert p.check(flat, ipn_probe_passed=True) == []
    assert p.check(flat, ipn_probe_passed=False) == [
        'settings.mode production is refused: the IPN probe of this shop did not pass (ipn_probe_passed is false)']
    assert p.check_url('https://shop.example.com') is None
    assert 'web_base_url' in p.check_url('shop.example.com')


def test_unavailable_and_missing_fields():
    facts = g.provider_facts('15.0')
    errors = p.unavailable({'rest.test_password': 'x', 'entry_mode': 'redirect', 'title': 'x'}, facts)
    assert errors == [
        'settings.entry_mode is not a setting of any addon release made for Odoo 15 (releases that have it: '
        '3.1.0-3.1.1, 4.2.0-4.3.0)',
        'settings.rest.test_password is not a setting of any addon release made for Odoo 15 (releases that have it: '
        '3.1.0-3.1.1, 4.2.0-4.3.0)']
    # by release: 3.0.3 on 16 has the gateway URL and no REST keys; a core field the series lacks says so
    errors = p.unavailable({'rest.test_password': 'x', 'gateway_url': 'u', 'messages.error': 'e'},
                           g.provider_facts('16.0', release='3.0.3'))
    assert errors == [
        'settings.messages.error is not available on Odoo 16: this Odoo series has no field for it',
        'settings.rest.test_password is not a setting of addon release 3.0.3 (releases that have it: '
        '3.1.0-3.1.1, 4.2.0-4.3.0)']
    assert p.unavailable({'embedded_form.theme': 'neon'}, g.provider_facts('16.0', release='3.1.2')) == []
    assert p.unavailable({'embedded_form.theme': 'neon'}, g.provider_facts('17.0', release='4.1.5')) == [
        'settings.embedded_form.theme is not a setting of addon release 4.1.5 (judged as 4.1.0, the newest public '
        'release before it) (releases that have it: 3.1.0-3.1.1, 4.2.0-4.3.0)']
    assert p.unavailable({'published': True}, facts) == [
        'settings.mode is required with published on Odoo 15 (publishing is state = enabled or test there)']
    needed = p.needed_fields({'title': 'x', 'published': True, 'mode': 'test'}, g.provider_facts('16.0'))
    assert needed == {'name': 'title', 'state': 'mode', 'is_published': 'published'}
    assert p.missing_fields(needed, {'name': {}, 'state': {}}, g.provider_facts('16.0')) == [
        'field is_published (setting published) is missing from payment.provider on this host (Odoo 16, addon line '
        '3.x): a generation this collection has not met']


# -- mode and publish mapping ----------------------------------------------------------------------------
@pytest.mark.parametrize('series, flat, current, expected', [
    ('12.0', {'mode': 'test', 'published': True}, None, {'environment': 'test', 'website_published': True}),
    ('12.0', {'mode': 'production'}, None, {'environment': 'prod'}),
    ('13.0', {'mode': 'production'}, None, {'state': 'enabled'}),
    ('15.0', {'mode': 'test', 'published': True}, None, {'state': 'test'}),
    ('15.0', {'mode': 'production', 'published': False}, None, {'state': 'disabled'}),
    ('15.0', {'published': True}, 'test', {}),
    ('16.0', {'mode': 'test', 'published': False}, None, {'state': 'test', 'is_published': False}),
    ('17.0', {'mode': 'production', 'published': True}, None, {'state': 'enabled', 'is_published': True}),
    ('16.0', {'published': True}, None, {'is_published': True}),
])
def test_state_values(series, flat, current, expected):
    assert p.state_values(flat, g.provider_facts(series), current) == expected


@pytest.mark.parametrize('series, values, expected', [
    ('12.0', {'environment': 'prod', 'website_published': True}, ('production', True)),
    ('12.0', {'environment': 'test', 'website_published': False}, ('test', False)),
    ('14.0', {'state': 'enabled'}, ('production', True)),
    ('15.0', {'state': 'disabled'}, ('disabled', False)),
    ('15.0', {'state': 'test'}, ('test', True)),
    ('16.0', {'state': 'enabled', 'is_published': False}, ('production', False)),
    ('17.0', {'state': 'test', 'is_published': True}, ('test', True)),
    ('16.0', {}, (None, None)),
])
def test_status(series, values, expected):
    assert p.status(values, g.provider_facts(series)) == expected


def test_state_values_needs_mode_to_publish_a_disabled_acquirer():
    with pytest.raises(p.SettingsError, match='settings.mode is required'):
        p.state_values({'published': True}, g.provider_facts('15.0'), 'disabled')


# -- values and comparison -------------------------------------------------------------------------------
@pytest.mark.parametrize('path, value, expected', [
    ('sign_algo', 'HMAC-SHA-256', 'SHA-256'), ('sign_algo', 'SHA-1', 'SHA-1'),
    ('validation_mode', 'backoffice', '-1'), ('validation_mode', 'automatic', '0'), ('validation_mode', 'manual', '1'),
    ('redirect.enabled', False, '0'), ('redirect.success_timeout', 7, '7'),
    ('threeds_min_amount', '50.00', '50'), ('threeds_min_amount', 49.9, '49.9'), ('threeds_min_amount', '', False),
    ('capture_delay', 3, '3'), ('capture_delay', '', False), ('title', '', False), ('title', 'T', 'T'),
])
def test_plain_value(path, value, expected):
    assert p.plain_value(path, value) == expected


def test_normalize_and_differences():
    assert p.normalize([3, 'Bank'], 'many2one') == 3
    assert p.normalize([5, 2], 'many2many') == (2, 5)
    assert p.normalize('<p>Merci</p>', 'html') == p.normalize('Merci', 'html') == 'Merci'
    assert p.normalize('<p>a</p><p>b</p>', 'html') == '<p>a</p><p>b</p>'
    assert p.normalize(False, 'char') == p.normalize('', 'char') == p.normalize(None, 'char')
    assert p.write_value([1, 2], 'many2many') == [(6, 0, [1, 2])]
    assert p.write_value('', 'char') is False
    current = {'name': 'A', 'systempay_key_test': 'old-secret', 'journal_id': [1, 'Bank'], 'pre_msg': '<p>x</p>'}
    target = {'name': 'B', 'systempay_key_test': 'new-secret', 'journal_id': 1, 'pre_msg': 'x'}
    types = {'name': 'char', 'systempay_key_test': 'char', 'journal_id': 'many2one', 'pre_msg': 'html'}
    changed, before, after = p.differences(current, target, types, {'systempay_key_test'})
    assert changed == ['name', 'systempay_key_test']
    assert before == {'name': 'A', 'systempay_key_test': '********'}
    assert after == {'name': 'B', 'systempay_key_test': '******** (changed)'}
    assert 'secret' not in repr((before, after))
