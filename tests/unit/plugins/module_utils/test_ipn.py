# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IPN probe's module_utils without a network: what is sent (``ipn_notify``: URL, form, signature), the classifier
(``ipn_verdicts``) on synthetic answers, and the shops as a database gives them (``ipn_shops``).

The signature is checked against the fixture addon's own implementation (``tests/fixtures/addons/src/common/
helpers/signature.py``, written independently from ground truth section 5), not against ipn_notify.py itself. Answers of
real Odoo 16 (ground-truth-data/odoo16-http-observations.json) are replayed through the classifier when the shared
file is there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import ipn_notify
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_shops
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_verdicts
from ansible_collections.systempay.odoo.plugins.module_utils import transport

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FIXTURE_SIGNATURE = os.path.join(ROOT, 'tests', 'fixtures', 'addons', 'src', 'common', 'helpers', 'signature.py')
OBSERVATIONS = os.path.join(ROOT, '..', 'shared', 'docs', 'ground-truth-data', 'odoo16-http-observations.json')
ROUTE = '/payment/systempay/ipn'
URL = 'https://shop1.example.com' + ROUTE


def answer(status, body='', method='POST', elapsed=0.05, **headers):
    return dict(method=method, status=status, phrase='', body=body, elapsed=elapsed, error=None,
                headers=dict((name.replace('_', '-').lower(), value) for name, value in headers.items()))


def failure(error, phase='connect', detail='x'):
    return dict(method='POST', status=None, phrase='', body='', elapsed=1.0, error=error, phase=phase, detail=detail,
                headers={})


def ctx(generation=None, facts=None, host='shop1.example.com', **more):
    line, family = ipn_notify.addon_family(generation)
    base = dict(brand='systempay', probe_url='https://%s%s' % (host, ROUTE), host=host, port=443, path_route=ROUTE,
                timeout=35, family=family, line=line, signed=False, facts=facts or {}, db_param=False)
    base.update(more)
    return base


GET_405 = answer(405, 'Method Not Allowed', method='GET', allow='OPTIONS, POST')
GET_405_15 = answer(405, 'Method Not Allowed', method='GET', allow='POST')


def verdict(post, get=None, **kwargs):
    return ipn_verdicts.classify(post, get, ctx(**kwargs))


# -- what is sent ---------------------------------------------------------------------------------
@pytest.mark.parametrize('given, probed, ipn_given', [
    ('https://shop1.example.com', URL, False),
    ('https://shop1.example.com/', URL, False),
    ('HTTPS://Shop1.Example.com:443/', URL, False),
    ('http://shop1.example.com:8069/odoo/', 'http://shop1.example.com:8069/odoo' + ROUTE, False),
    ('https://shop1.example.com/?lang=fr#top', URL, False),
    (URL, URL, True),
    (URL + '?db=shop1', URL + '?db=shop1', True),
    ('http://[::1]:8069', 'http://[::1]:8069' + ROUTE, False),
])
def test_target(given, probed, ipn_given):
    where = ipn_notify.target(given)
    assert (where['probe_url'], where['ipn_given']) == (probed, ipn_given)


def test_target_parts_and_credentials():
    where = ipn_notify.target('https://admin:s3cret@shop1.example.com', brand='payzen')
    assert where['url'] == 'https://admin:********@shop1.example.com'
    assert where['probe_url'] == 'https://shop1.example.com/payment/payzen/ipn'
    assert (where['host'], where['port'], where['path'], where['credentials']) == \
        ('shop1.example.com', 443, '/payment/payzen/ipn', True)


@pytest.mark.parametrize('given', ['shop1.example.com', 'ftp://shop1.example.com', '', 'https://', 'http://h:99999'])
def test_target_refuses_what_is_not_a_url(given):
    with pytest.raises(ipn_notify.IpnError):
        ipn_notify.target(given)


def test_brand_is_checked():
    with pytest.raises(ipn_notify.IpnError, match='lower-case'):
        ipn_notify.route('Sys Tempay')


def _fixture_signature():
    spec = importlib.util.spec_from_file_location('fixture_signature', FIXTURE_SIGNATURE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('algo', ['SHA-1', 'HMAC-SHA-256', 'SHA-256'])
def test_signature_matches_the_fixture_addons_independent_check(algo):
    fields = ipn_notify.notification('systempay-probe-0123', site_id='12345678', mode='TEST', key='1111111111111111',
                                     algo=algo, now=0)
    fixture = _fixture_signature()
    assert fixture.matches(fields, '1111111111111111', 'SHA-1' if algo == 'SHA-1' else 'SHA-256')
    assert not fixture.matches(fields, '2222222222222222', 'SHA-1' if algo == 'SHA-1' else 'SHA-256')


def test_signature_rule_by_hand():
    fields = {'vads_b': '2', 'vads_a': '1', 'other': 'x'}
    assert ipn_notify.signed_text(fields, 'K') == '1+2+K'
    # Vectors made with coreutils and openssl: printf '1+2+K' | sha1sum; ... | openssl dgst -sha256 -hmac K -binary | base64
    assert ipn_notify.sign(fields, 'K', 'SHA-1') == '3613b63fea1e99fbf3f4071a34bae3d36addb307'
    assert ipn_notify.sign(fields, 'K', 'HMAC-SHA-256') == 'E7euUoSFAihZuPzsLMZUByZDHuI+wcRtE6UzEKuMn1g='
    with pytest.raises(ipn_notify.IpnError):
        ipn_notify.sign(fields, 'K', 'MD5')


def test_notification_fields():
    fields = ipn_notify.notification('systempay-probe-ab', now=0)
    assert fields == {'vads_site_id': '00000000', 'vads_ctx_mode': 'TEST', 'vads_trans_status': 'ABANDONED',
                      'vads_order_id': 'systempay-probe-ab', 'vads_trans_id': fields['vads_trans_id'],
                      'vads_amount': '100', 'vads_currency': '978', 'vads_trans_date': '19700101000000'}
    assert len(fields['vads_trans_id']) == 6 and int(fields['vads_trans_id']) < 900000
    assert 'signature' in ipn_notify.notification('r', key='k')
    with pytest.raises(ipn_notify.IpnError):
        ipn_notify.notification('r', mode='INTEGRATION')


def test_probe_references_are_unique_and_cannot_be_an_order():
    refs = set(ipn_notify.probe_reference() for dummy in range(100))
    assert len(refs) == 100 and all(ref.startswith('systempay-probe-') and len(ref) == 40 for ref in refs)


@pytest.mark.parametrize('generation, expected', [
    (None, (None, None)), ('', (None, None)),
    ('12.0', ('1', 'payment.acquirer')), ('15.0', ('2', 'payment.acquirer')), (15, ('2', 'payment.acquirer')),
    ('16.0', ('3', 'payment.provider')), ('saas~17.1', ('4', 'payment.provider')),
    ('1.2.6', ('1', 'payment.acquirer')), ('2.0.5', ('2', 'payment.acquirer')), ('3.1.1', ('3', 'payment.provider')),
    ('4', ('4', 'payment.provider')),
])
def test_addon_family_from_the_generation_table(generation, expected):
    assert ipn_notify.addon_family(generation) == expected


@pytest.mark.parametrize('generation', ['9.0', '20.0', '5.0.1', 'sixteen'])
def test_addon_family_refuses_unknown_generations(generation):
    with pytest.raises(ipn_notify.IpnError, match='expect_generation'):
        ipn_notify.addon_family(generation)


# -- database selection (Odoo 16 http.db_filter) ----------------------------------------------------
@pytest.mark.parametrize('facts, host, selected, how', [
    (dict(databases=['shop1', 'shop2']), 'shop1.example.com', ['shop1', 'shop2'], 'none'),
    (dict(databases=['shop1', 'shop2'], dbfilter='^%d$'), 'www.shop1.example.com', ['shop1'], 'dbfilter'),
    (dict(databases=['shop1', 'shop2'], dbfilter='^%d$'), 'shop3.example.com', [], 'dbfilter'),
    (dict(databases=['shop1', 'shop2'], dbfilter='^shop'), 'x.example.com', ['shop1', 'shop2'], 'dbfilter'),
    (dict(databases=['a', 'b.example.com'], dbfilter='^%h$'), 'b.example.com', ['b.example.com'], 'dbfilter'),
    (dict(databases=['shop1', 'shop2'], db_name='shop2'), 'x', ['shop2'], 'db_name'),
    (dict(databases=['shop1', 'shop2'], dbfilter='^shop1$', db_name='shop2'), 'x', ['shop1'], 'dbfilter'),
    (dict(databases=2), 'x', None, 'none'),
])
def test_databases_for(facts, host, selected, how):
    dummy, got, rule = ipn_verdicts.databases_for(facts, host)
    assert (got, rule) == (selected, how)


# -- the classifier -------------------------------------------------------------------------------
def test_ok_on_the_addons_answer():
    result = verdict(answer(200, 'Bad request received.'), GET_405, signed=True, generation='16.0')
    assert result['verdict'] == 'OK' and 'signed test notification' in result['reason']
    assert 'test AND production' in result['fix'] and result['notes'] == []


def test_ok_without_get_when_the_body_is_the_addons():
    assert verdict(answer(200, 'Bad request received.\n'))['verdict'] == 'OK'


def test_ok_with_an_unknown_text_only_when_the_get_proves_the_route():
    result = verdict(answer(200, 'OK'), GET_405)
    assert result['verdict'] == 'OK' and 'not one the collection knows' in result['notes'][0]
    assert verdict(answer(200, 'OK'))['verdict'] == 'UNEXPECTED'
    assert verdict(answer(200, 'OK'), answer(405, allow='GET, HEAD', method='GET'))['verdict'] == 'UNEXPECTED'


def test_provider_answer_on_an_acquirer_generation_is_noted():
    result = verdict(answer(200, 'Bad request received.'), GET_405_15, generation='15.0')
    assert result['verdict'] == 'OK' and 'expect_generation says addon line 2' in result['notes'][0]


@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_redirects_are_redirect(status):
    result = verdict(answer(status, location='https://www.shop1.example.com' + ROUTE))
    assert result['verdict'] == 'REDIRECT'
    assert 'Declare https://www.shop1.example.com%s instead of %s' % (ROUTE, URL) in result['fix']
    assert 'does not follow redirects' in result['reason']


def test_303_is_redirect_303():
    result = verdict(answer(303, location=ROUTE + '/'))
    assert result['verdict'] == 'REDIRECT_303'
    assert 'calls again with GET' in result['reason'] and '(405)' in result['reason']
    assert 'Declare %s/ instead' % URL in result['fix']


def test_redirect_without_location_or_off_the_route():
    assert 'without a Location' in verdict(answer(302))['reason']
    result = verdict(answer(302, location='/web/login?redirect=%2Fpayment'))
    assert result['verdict'] == 'REDIRECT' and 'https://shop1.example.com/web/login' in result['fix']
    assert 'exempt %s' % ROUTE in result['fix']


def test_redirect_fix_reports_the_check_of_the_location():
    checked = dict(verdict='MAINTENANCE', reason='it answers 503.')
    result = verdict(answer(301, location='https://www.shop1.example.com' + ROUTE), location_check=checked)
    assert result['fix'].endswith('But https://www.shop1.example.com%s itself answers MAINTENANCE: it answers 503.'
                                  % ROUTE)


def test_404_two_databases_without_dbfilter_names_the_fix():
    facts = dict(databases=['shop1', 'shop2'], dbfilter='', db_name=None)
    result = verdict(answer(404), answer(404, method='GET'), facts=facts)
    assert result['verdict'] == 'NOT_FOUND'
    assert 'Odoo serves 2 databases (shop1, shop2) and has neither dbfilter nor db_name' in result['reason']
    assert result['fix'] == ('Set dbfilter = ^%d$ (the first label of shop1.example.com, shop1, is a database name) '
                             'in the [options] of odoo.conf and restart Odoo.')


def test_404_two_databases_host_not_named_after_a_database():
    facts = dict(databases=['shop1', 'shop2'], dbfilter='', installed_in=['shop2'])
    result = verdict(answer(404), facts=facts, host='boutique.example.com')
    assert result['fix'] == ('Set dbfilter = ^shop2$ (the database with payment_systempay installed) in the [options] '
                             'of odoo.conf and restart Odoo.')
    result = verdict(answer(404), facts=dict(databases=3), host='boutique.example.com')
    assert 'Odoo serves 3 databases' in result['reason'] and '^%d$' in result['fix'] and '^<database>$' in result['fix']


def test_404_dbfilter_selecting_none_or_several():
    result = verdict(answer(404), facts=dict(databases=['shop1', 'shop2'], dbfilter='^%d$'), host='shop3.example.com')
    assert 'dbfilter = ^%d$ selects no database for the host shop3.example.com' in result['reason']
    result = verdict(answer(404), facts=dict(databases=['shop1', 'shop2'], dbfilter='^shop'))
    assert 'selects 2 databases (shop1, shop2)' in result['reason']


def test_404_module_not_installed_in_the_selected_database():
    facts = dict(databases=['shop1'], dbfilter='', installed_in=[])
    result = verdict(answer(404), facts=facts)
    assert 'serves the database shop1' in result['reason'] and 'not installed in it' in result['reason']
    assert result['fix'].startswith('Install payment_systempay in the database shop1')
    facts = dict(databases=['shop1'], installed_in=['shop1'])
    assert 'a proxy or another application' in verdict(answer(404), facts=facts)['reason']
    assert 'not installed (or not loaded)' in verdict(answer(404), facts=dict(databases=['shop1']))['reason']


def test_404_db_param_does_not_help():
    assert '?db= in the URL does not choose' in verdict(answer(404), db_param=True)['reason']


def test_405_to_the_post():
    result = verdict(answer(405, allow='GET, HEAD'))
    assert result['verdict'] == 'METHOD_NOT_ALLOWED' and '(Allow: GET, HEAD)' in result['reason']


@pytest.mark.parametrize('status, headers, words', [
    (401, dict(www_authenticate='Basic realm="Restricted"'), 'Basic authentication, realm "Restricted"'),
    (401, {}, 'asks for a login:'),
    (403, {}, 'IP filtering'),
])
def test_auth_required(status, headers, words):
    result = verdict(answer(status, **headers))
    assert result['verdict'] == 'AUTH_REQUIRED' and words in result['reason']


def test_maintenance():
    result = verdict(answer(503, '<h1>Maintenance</h1>'))
    assert result['verdict'] == 'MAINTENANCE' and 'at most 4 times, 15 minutes apart' in result['fix']


@pytest.mark.parametrize('generation, get, expected, words', [
    ('15.0', GET_405_15, 'OK', 'addon line 2 (Odoo 15 and older)'),
    ('1.2.6', GET_405_15, 'OK', 'addon line 1'),
    ('15.0', None, 'SERVER_ERROR', 'without a GET answering 405'),
    ('15.0', answer(500, method='GET'), 'SERVER_ERROR', 'without a GET answering 405'),
    ('16.0', GET_405, 'SERVER_ERROR', 'answers 200 even to a notification'),
    (None, GET_405_15, 'SERVER_ERROR', 'set expect_generation to tell'),
    (None, None, 'SERVER_ERROR', 'unhandled error'),
])
def test_500_old_generation_needs_the_get_405(generation, get, expected, words):
    result = verdict(answer(500, 'Internal Server Error'), get, generation=generation)
    assert result['verdict'] == expected and words in result['reason']


@pytest.mark.parametrize('status', [502, 504, 520])
def test_other_server_errors(status):
    assert verdict(answer(status))['verdict'] == 'SERVER_ERROR'


@pytest.mark.parametrize('status', [400, 410, 429, 204])
def test_unexpected_answers(status):
    assert verdict(answer(status))['verdict'] == 'UNEXPECTED'


@pytest.mark.parametrize('error, phase, expected, words', [
    ('dns', 'connect', 'DNS', 'does not resolve'),
    ('refused', 'connect', 'CONNECTION_REFUSED', 'connection refused'),
    ('unreachable', 'connect', 'CONNECTION_REFUSED', 'No route'),
    ('timeout', 'connect', 'TIMEOUT', 'no TCP connection'),
    ('timeout', 'tls', 'TIMEOUT', 'no TLS handshake within 35 s'),
    ('timeout', 'answer', 'TIMEOUT', 'no answer within 35 s'),
    ('tls', 'tls', 'TLS', 'the platform rejects'),
    ('closed', 'answer', 'SERVER_ERROR', 'without an HTTP answer'),
    ('network', 'connect', 'CONNECTION_REFUSED', 'Cannot connect'),
])
def test_network_failures(error, phase, expected, words):
    result = verdict(failure(error, phase))
    assert result['verdict'] == expected and words in result['reason']


def test_slow_answer_beyond_the_ceiling_is_a_timeout():
    result = verdict(answer(200, 'Bad request received.', elapsed=40.0))
    assert result['verdict'] == 'TIMEOUT' and 'only after 40.0 s' in result['reason']


def test_every_verdict_is_known():
    assert set(ipn_verdicts.VERDICTS) >= set(['OK', 'REDIRECT', 'REDIRECT_303', 'NOT_FOUND', 'METHOD_NOT_ALLOWED',
                                              'AUTH_REQUIRED', 'MAINTENANCE', 'SERVER_ERROR', 'TLS', 'TIMEOUT',
                                              'CONNECTION_REFUSED', 'DNS'])


# -- comparisons ----------------------------------------------------------------------------------
def test_compare_with_stored_url_and_web_base_url():
    stored, base, notes = ipn_verdicts.compare(URL, 'http://localhost:8069' + ROUTE, 'https://shop1.example.com/')
    assert (stored, base) == (False, True) and 'fixed at install from web.base.url' in notes[0]
    stored, base, notes = ipn_verdicts.compare(URL, 'HTTPS://shop1.example.com:443' + ROUTE, 'http://shop1.example.com')
    assert (stored, base) == (True, False) and 'web.base.url is http://shop1.example.com' in notes[0]
    assert ipn_verdicts.compare(URL) == (None, None, [])


def test_summary_lists_failing_shops_only():
    probes = [dict(probe_url='a', verdict='OK', ok=True, fix='x'), dict(probe_url='b', verdict='DNS', ok=False, fix='y')]
    assert ipn_verdicts.summary(probes) == ['b: DNS: y']


# -- real Odoo 16 answers (ground truth data) -----------------------------------------------------------
def _observed(label, name):
    with open(OBSERVATIONS) as handle:
        for row in json.load(handle):
            if (row['label'], row['name']) == (label, name):
                headers = dict(allow=row['allow']) if row['allow'] else {}
                return answer(row['status'], row['body'], method=row['method'], **headers)
    raise KeyError((label, name))


@pytest.mark.skipif(not os.path.exists(OBSERVATIONS), reason='shared ground-truth data not available')
def test_real_odoo16_answers_replayed():
    single = verdict(_observed('d_single_db', 'ipn_POST_goodsig_unknownref'), _observed('d_single_db', 'ipn_GET'),
                     generation='16.0', signed=True)
    assert single['verdict'] == 'OK'
    facts = dict(databases=['shop1', 'shop2'], dbfilter='')
    several = verdict(_observed('e1_two_dbs_no_dbfilter', 'ipn_POST_goodsig_nocookie'),
                      _observed('e1_two_dbs_no_dbfilter', 'ipn_GET_nocookie'), generation='16.0', facts=facts)
    assert several['verdict'] == 'NOT_FOUND' and 'neither dbfilter nor db_name' in several['reason']


@pytest.mark.parametrize('url, local', [
    ('http://localhost:8069', True), ('http://LOCALHOST', True), ('http://shop.localhost:8069/', True),
    ('http://127.0.0.1:8069', True), ('http://127.1.2.3', True), ('http://[::1]:8069', True),
    ('http://0.0.0.0:8069', True), ('', True),
    ('https://shop.example.com', False), ('http://10.89.0.7:8080', False), ('https://localhost.example.com', False),
])
def test_local_urls_are_the_machine_itself(url, local):
    assert ipn_verdicts.is_local_url(url) is local


@pytest.mark.parametrize('url, reachable, said', [
    ('http://127.0.0.1:18069', False, ['127.0.0.1 names the machine the probe ran on (loopback)', 'plain http']),
    ('https://localhost/', False, ['localhost names the machine the probe ran on (loopback)']),
    ('https://10.89.0.7:8443', False, ['10.89.0.7 is not a public address']),
    ('http://192.168.1.20', False, ['192.168.1.20 is not a public address', 'plain http']),
    ('https://[fe80::1]/', False, ['fe80::1 is not a public address']),
    ('https://shop.example.com', None, []),
    ('http://shop.example.com', None, ['http://shop.example.com is plain http']),
    ('https://203.0.113.5', False, ['203.0.113.5 is not a public address']),   # documentation range
    ('https://100.64.0.9', False, ['100.64.0.9 is not a public address']),     # carrier-grade NAT
    ('https://93.184.215.14', None, []),
])
def test_what_the_address_alone_says_of_the_platform_s_reach(url, reachable, said):
    got, notes = ipn_verdicts.platform_reach(url)
    assert got is reachable
    assert len(notes) == len(said)
    for note, start in zip(notes, said):
        assert start in note
    if reachable is False:
        assert notes[0].endswith("Declare the shop's public address in the Back Office.")


def test_served_database_follows_dbfilter():
    facts = dict(databases=['shop1', 'shop2'], dbfilter='^%d$')
    assert ipn_verdicts.served_database(facts, 'shop2.example.com') == 'shop2'
    assert ipn_verdicts.served_database(facts, 'www.shop1.example.com') == 'shop1'
    assert ipn_verdicts.served_database(dict(databases=['shop1', 'shop2'], dbfilter=''), 'shop1.example.com') is None
    assert ipn_verdicts.served_database(dict(databases=['shop1']), 'anything') == 'shop1'
    assert ipn_verdicts.served_database({}, 'anything') is None


class FakeOdoo(object):
    """A transport whose batch answers from a table, and fails when the provider's field is read."""

    def __init__(self, installed):
        self.installed = installed
        self.batches = []

    def batch(self, db, calls, commit=False):
        self.batches.append([call['model'] + '.' + call['method'] for call in calls])
        assert commit is False
        results = []
        for call in calls:
            if call['model'] == 'ir.config_parameter':
                results.append('https://%s.example.com' % db)
            elif call['model'] == 'ir.module.module':
                results.append([dict(id=7, state='installed' if self.installed else 'uninstalled')])
            elif not self.installed:
                raise transport.TransportError('payment.provider.search_read failed in database %s: ValueError: '
                                               'Invalid field' % db, 'odoo')
            else:
                assert call['args'] == [[['code', '=', 'systempay']]] or call['args'] == [[('code', '=', 'systempay')]]
                results.append([dict(id=1, systempay_notify_url='https://%s.example.com/payment/systempay/ipn' % db)])
        return results


def test_read_shop_in_one_batch_and_again_without_the_addon_field():
    odoo = FakeOdoo(installed=True)
    assert ipn_shops.read_shop(odoo, 'shop1', series='16.0') == dict(
        name='shop1', web_base_url='https://shop1.example.com', local=False, module_state='installed',
        installed=True, notify_url='https://shop1.example.com/payment/systempay/ipn')
    assert odoo.batches == [['ir.config_parameter.get_param', 'ir.module.module.search_read',
                             'payment.provider.search_read']]
    bare = FakeOdoo(installed=False)
    entry = ipn_shops.read_shop(bare, 'shop2', series='16.0')
    assert entry['installed'] is False and entry['notify_url'] is None and entry['module_state'] == 'uninstalled'
    assert len(bare.batches) == 2 and len(bare.batches[1]) == 2
