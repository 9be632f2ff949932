# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""payment_provider, driven through main() against the real Odoo stand-in run locally.

One template host a generation (Odoo 16 + addon 3.1.1, 15 + 2.0.5, 12 + 1.2.6, 17 + 4.3.0), built once per test
file: database shop1 (and shop2 on 16) with ``account`` and ``website_sale``, the addon installed by the stand-in's own
CLI. Every test works on a fresh host holding copies of those databases. What the module did is read through the
stand-in (``odoo shell`` on the record's xml id), never through the module; the field names expected on each
generation are written out here, not taken from the collection's generation table.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import getpass
import importlib.util
import json
import os

import pytest

from ansible.module_utils import basic
from ansible_collections.systempay.odoo.plugins.module_utils import db_state
from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.modules import odoo_info
from ansible_collections.systempay.odoo.plugins.modules import payment_provider
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import exit_json, run_module
from ansible_collections.systempay.odoo.tests.unit.standin_host import StandinHost, standin_helpers

KEY_TEST = 'kT3stSecret4711xyz'
KEY_PROD = 'kPr0dSecret9876abc'
REST = dict(test_password='restTestPw-5f1c9a', prod_password='restProdPw-88d2e1',
            public_test_key='87654321:testpublickey_Qw7Er9Ty', public_production_key='87654321:publickey_Zx3Cv5Bn',
            sha256_test_key='sha256TestKey-a1b2c3d4', sha256_prod_key='sha256ProdKey-e5f6a7b8')
SECRETS = [KEY_TEST, KEY_PROD] + list(REST.values())
GENERATIONS = {'16.0': '3.1.1', '15.0': '2.0.5', '12.0': '1.2.6', '17.0': '4.3.0'}
MODULES = 'base,account,website_sale'
PASSWORD = 'admin'

# The same settings for every generation; what only some generations have is added by settings_for().
BASE = dict(
    title='Carte bancaire', mode='test', published=True, shop_id='87654321', key_test=KEY_TEST,
    sign_algo='SHA-1', language='fr', available_languages=['fr', 'en'], capture_delay=3,
    validation_mode='manual', card_types=['CB', 'VISA'], threeds_min_amount='50.00',
    redirect=dict(enabled=True, success_timeout=10, success_message='Merci', error_timeout=20,
                  error_message='Echec'),
    return_mode='POST',
    messages=dict(pre='Avant', pending='En attente', auth='Autorise', done='Fait', cancel='Annule'),
    journal='BNK1', specific_countries=['FR', 'BE'],
)
GATEWAY = 'https://paiement.example.test/vads-payment/'

# Field values expected after converging BASE, per generation (relations as codes or names), written out by hand
# from ground truth 4 and 7 and the guide; not from plugins/module_utils/generations.py.
ADDON = dict(
    systempay_site_id='87654321', systempay_key_test=KEY_TEST, systempay_sign_algo='SHA-1', systempay_language='fr',
    systempay_available_languages=['en', 'fr'], systempay_capture_delay='3', systempay_validation_mode='1',
    systempay_payment_cards=['CB', 'VISA'], systempay_threeds_min_amount='50', systempay_redirect_enabled='1',
    systempay_redirect_success_timeout='10', systempay_redirect_success_message='Merci',
    systempay_redirect_error_timeout='20', systempay_redirect_error_message='Echec', systempay_return_mode='POST',
    name='Carte bancaire', journal_id=['BNK1'], pre_msg='Avant', pending_msg='En attente', done_msg='Fait',
    cancel_msg='Annule',
)
REST_FIELDS = dict(systempay_test_password=REST['test_password'], systempay_prod_password=REST['prod_password'],
                   systempay_public_test_key=REST['public_test_key'],
                   systempay_public_production_key=REST['public_production_key'],
                   systempay_sha256_test_key=REST['sha256_test_key'], systempay_sha256_prod_key=REST['sha256_prod_key'])
# entry_mode embedded and the form's options (pop-in, classic theme, compact, 2 attempts), as each release spells
# them (vendor-releases.json: 3.1.1 smartform_*, pop-in no/yes; 4.3.0 embedded_*, pop-in 0/1)
SMARTFORM_FIELDS = dict(systempay_payment_data_entry_mode='smartform', systempay_smartform_pop_in='yes',
                        systempay_smartform_theme='classic', systempay_smartform_compact_mode='1',
                        systempay_smartform_payment_attempts='2')
EMBEDDED_FIELDS = dict(systempay_payment_data_entry_mode='embedded', systempay_embedded_pop_in='1',
                       systempay_embedded_theme='classic', systempay_embedded_compact_mode='1',
                       systempay_embedded_payment_attempts='2')
EXPECTED = {
    '16.0': dict(ADDON, state='test', is_published=True, auth_msg='Autorise', available_country_ids=['BE', 'FR'],
                 website_id=['My Website'], payment_icon_ids=['VISA'], **dict(REST_FIELDS, **SMARTFORM_FIELDS)),
    '17.0': dict(ADDON, state='test', is_published=True, auth_msg='Autorise', available_country_ids=['BE', 'FR'],
                 website_id=['My Website'], **dict(REST_FIELDS, **EMBEDDED_FIELDS)),
    '15.0': dict(ADDON, state='test', auth_msg='Autorise', country_ids=['BE', 'FR'], website_id=['My Website'],
                 payment_icon_ids=['VISA'], systempay_gateway_url=GATEWAY),
    '12.0': dict(ADDON, environment='test', website_published=True, post_msg='Autorise', specific_countries=True,
                 country_ids=['BE', 'FR'], payment_icon_ids=['VISA'], systempay_gateway_url=GATEWAY),
}
XMLID = {'16.0': 'payment_systempay.payment_provider_systempay', '17.0': 'payment_systempay.payment_provider_systempay',
         '15.0': 'payment_systempay.payment_acquirer_systempay', '12.0': 'payment_systempay.payment_acquirer_systempay'}


def settings_for(series, **changes):
    settings = json.loads(json.dumps(BASE))
    if series in ('16.0', '17.0'):
        settings.update(rest=dict(REST), entry_mode='embedded',
                        embedded_form=dict(pop_in=True, theme='classic', compact_mode=True, payment_attempts=2))
    if series in ('12.0', '15.0'):
        settings['gateway_url'] = GATEWAY
    if series != '12.0':       # the stand-in's Odoo 12 has no website_id (see test_missing_field_*)
        settings['website'] = 'My Website'
    if series != '17.0':       # Odoo 17 has no payment icons
        settings['payment_icons'] = ['VISA']
    settings.update(changes)
    return settings


class SeriesHost(StandinHost):
    """A stand-in host claiming an Odoo series."""

    def __init__(self, root, series):
        standin_helpers.Host.__init__(self, root, series)
        self._running = None
        self.series = series


@pytest.fixture(scope='module')
def templates(tmp_path_factory, fixtures):
    """series -> a host with shop1 (and shop2 on 16) and the addon of that generation installed."""
    hosts = {}
    for series, version in GENERATIONS.items():
        host = SeriesHost(tmp_path_factory.mktemp('tpl' + series.replace('.', '')), series)
        host.put_addon(fixtures.unpacked(version))
        for db in ('shop1', 'shop2') if series == '16.0' else ('shop1',):
            host.create_db(db, MODULES)
            result = host.odoo('-d', db, '-i', 'payment_systempay', '--stop-after-init', '--without-demo=all')
            assert result.returncode == 0, host.read_log()
        hosts[series] = host
    return hosts


def _isolate(monkeypatch, units, host):
    """Discovery finds no systemd unit; processes the module starts use ``host``'s databases."""
    monkeypatch.setattr(discovery, 'UNIT_DIRS', (str(units),))
    monkeypatch.delenv('ODOO_RC', raising=False)
    for key, value in host.environ().items():
        monkeypatch.setenv(key, value)


@pytest.fixture(scope='module')
def converged(tmp_path_factory, templates):
    """series -> a host whose databases hold settings_for(series) (made once, on first use, by the module)."""
    hosts = {}

    def get(series):
        if series not in hosts:
            root = tmp_path_factory.mktemp('conv' + series.replace('.', ''))
            host = SeriesHost(root / 'host', series)
            host.copy_databases(templates[series])
            host.put_addon(templates[series].addons)
            (root / 'units').mkdir()
            with pytest.MonkeyPatch.context() as monkeypatch:
                monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
                _isolate(monkeypatch, root / 'units', host)
                run_module(payment_provider, args(host, settings_for(series), databases=host.databases()))
            hosts[series] = host
        return hosts[series]
    return get


@pytest.fixture
def make_host(tmp_path, monkeypatch, templates, converged):
    """A fresh host with copies of the databases of the template (``converged=False``) or converged host."""
    hosts = []
    units = tmp_path / 'no-units'
    units.mkdir()

    def make(series='16.0', converged_first=False, shared=False):
        if shared:      # the converged host itself, for tests that must write nothing (and assert it)
            host = converged(series)
            _isolate(monkeypatch, units, host)
            return host
        template = converged(series) if converged_first else templates[series]
        host = SeriesHost(tmp_path / ('host%d' % len(hosts)), series)
        host.copy_databases(template)
        host.put_addon(template.addons)
        _isolate(monkeypatch, units, host)
        hosts.append(host)
        return host
    yield make
    for host in hosts:
        host.stop()


@pytest.fixture
def argvs(monkeypatch):
    """Every command line the module runs (to prove no secret is on one)."""
    seen = []
    original = basic.AnsibleModule.run_command

    def spy(self, args, *a, **kw):
        seen.append(list(args) if isinstance(args, (list, tuple)) else [args])
        return original(self, args, *a, **kw)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', spy)
    return seen


def args(host, settings, **kwargs):
    base = dict(binary=host.bin, config=host.conf, user=getpass.getuser(), settings=settings,
                databases=['shop1', 'shop2'] if host.series == '16.0' else ['shop1'])
    base.update(kwargs)
    return base


def rpc_args(host, settings, **kwargs):
    return args(host, settings, transport='rpc', login='admin', password=PASSWORD, **kwargs)


_READ = '''
import json
rec = env.ref(%(xmlid)r)
out = {}
for name in %(fields)r + ['write_date']:
    value = rec[name]
    if hasattr(value, '_ids'):
        value = sorted(str(r.code if 'code' in r._fields else r.name) for r in value)
    out[name] = value
print('RECORD=' + json.dumps(out, default=str))
'''


def read_record(host, db, fields=None):
    """The provider record's fields as the stand-in has them (relations as sorted codes or names)."""
    fields = sorted(fields or EXPECTED[host.series])
    result = host.shell(db, _READ % {'xmlid': XMLID[host.series], 'fields': fields})
    for line in result.stdout.splitlines():
        if line.startswith('RECORD='):
            return json.loads(line[len('RECORD='):])
    raise AssertionError(result.stderr)


_SNAPSHOTS = {}


def converged_record(host):
    """shop1 of the converged host of this series, read once (every copy starts equal to it)."""
    if host.series not in _SNAPSHOTS:
        _SNAPSHOTS[host.series] = read_record(host, 'shop1', all_fields(host))
    return _SNAPSHOTS[host.series]


def all_fields(host):
    return sorted(set(EXPECTED[host.series]) | {'systempay_key_prod', 'systempay_site_id'})


def param(host, db, key):
    """``[web.base.url, web.base.url.freeze]`` as the stand-in has them (``key`` is web.base.url)."""
    result = host.shell(db, "import json\nget = env['ir.config_parameter'].get_param\n"
                            "print('PARAM=' + json.dumps([get(%r), get(%r)]))" % (key, key + '.freeze'))
    return [json.loads(line[6:]) for line in result.stdout.splitlines() if line.startswith('PARAM=')][0]


def strip_html(value):
    return value[3:-4] if isinstance(value, str) and value.startswith('<p>') and value.endswith('</p>') else value


def assert_converged(host, db):
    record = read_record(host, db)
    record.pop('write_date')
    assert dict((k, strip_html(v)) for k, v in record.items()) == EXPECTED[host.series]


# -- converge on each generation --------------------------------------------------------------------
@pytest.mark.parametrize('series', ['16.0', '15.0', '12.0', '17.0'])
def test_converge_then_rerun_changes_nothing(make_host, series):
    host = make_host(series)
    dbs = ['shop1', 'shop2'] if series == '16.0' else ['shop1']
    result = run_module(payment_provider, args(host, settings_for(series), databases=dbs))
    assert result['changed'] is True
    assert [entry['name'] for entry in result['databases']] == dbs
    entry = result['databases'][0]
    assert entry['record']['xmlid'] == XMLID[series] and entry['changed'] is True
    assert (entry['action'], entry['mode'], entry['published']) == ('update', 'test', True)
    assert entry['model'] == ('payment.provider' if series in ('16.0', '17.0') else 'payment.acquirer')
    stamps = {}
    for db in dbs:
        assert_converged(host, db)
        stamps[db] = read_record(host, db, ['name'])['write_date']

    again = run_module(payment_provider, args(host, settings_for(series), databases=dbs))
    assert again['changed'] is False
    assert all(entry['changed_fields'] == [] and entry['changed'] is False for entry in again['databases'])
    assert [(e['action'], e['mode'], e['published']) for e in again['databases']] == [('none', 'test', True)] * len(dbs)
    assert dict((db, read_record(host, db, ['name'])['write_date']) for db in dbs) == stamps   # no write


def test_converge_over_rpc_on_16_and_rerun(make_host):
    host = make_host('16.0')
    host.start()
    result = run_module(payment_provider, rpc_args(host, settings_for('16.0')))
    assert result['changed'] is True
    assert_converged(host, 'shop1')
    assert_converged(host, 'shop2')
    again = run_module(payment_provider, rpc_args(host, settings_for('16.0'), databases=['all']))
    assert again['changed'] is False and [e['name'] for e in again['databases']] == ['shop1', 'shop2']


def test_rpc_on_15_only_writes_what_differs(make_host):
    host = make_host('15.0')
    host.start()
    result = run_module(payment_provider, rpc_args(host, settings_for('15.0'), databases=['shop1']))
    assert result['changed'] is True
    assert_converged(host, 'shop1')
    result = run_module(payment_provider, rpc_args(host, settings_for('15.0', title='Autre titre'),
                                                   databases=['shop1']))
    assert result['databases'][0]['changed_fields'] == ['name']
    assert result['databases'][0]['diff'] == {'before': {'name': 'Carte bancaire'}, 'after': {'name': 'Autre titre'}}


def test_overrides_per_database(make_host):
    host = make_host('16.0')
    override = dict(database='shop2', settings=dict(shop_id='11223344', title='Boutique 2'))
    result = run_module(payment_provider, args(host, settings_for('16.0'), overrides=[override]))
    assert result['changed'] is True
    assert read_record(host, 'shop1', ['systempay_site_id', 'name'])['systempay_site_id'] == '87654321'
    shop2 = read_record(host, 'shop2', ['systempay_site_id', 'name'])
    assert (shop2['systempay_site_id'], shop2['name']) == ('11223344', 'Boutique 2')


# -- mode and production ----------------------------------------------------------------------------
@pytest.mark.parametrize('series, field, test_value, prod_value', [
    ('16.0', 'state', 'test', 'enabled'),
    ('15.0', 'state', 'test', 'enabled'),
    ('12.0', 'environment', 'test', 'prod'),
])
def test_switch_to_production(make_host, series, field, test_value, prod_value):
    host = make_host(series, converged_first=True)
    before = read_record(host, 'shop1', all_fields(host))
    assert before[field] == test_value

    refused = run_module(payment_provider, args(host, settings_for(series, mode='production'),
                                                databases=['shop1']), fails=True)
    assert 'settings.key_production is required with mode production' in refused['msg']
    refused = run_module(payment_provider, args(host, settings_for(series, mode='production', key_production=KEY_PROD),
                                                databases=['shop1'], ipn_probe_passed=False), fails=True)
    assert 'settings.mode production is refused: the IPN probe of this shop did not pass' in refused['msg']
    assert read_record(host, 'shop1', all_fields(host)) == before

    done = run_module(payment_provider, args(host, settings_for(series, mode='production', key_production=KEY_PROD),
                                             databases=['shop1'], ipn_probe_passed=True))
    assert sorted(done['databases'][0]['changed_fields']) == sorted([field, 'systempay_key_prod'])
    assert (done['databases'][0]['action'], done['databases'][0]['mode']) == ('update', 'production')
    after = read_record(host, 'shop1', all_fields(host))
    assert after.pop(field) == prod_value and after.pop('systempay_key_prod') == KEY_PROD
    assert after.pop('write_date') != before.pop('write_date')
    assert after == dict((k, v) for k, v in before.items() if k not in (field, 'systempay_key_prod'))


def test_unpublished_on_15_is_state_disabled(make_host):
    host = make_host('15.0')
    result = run_module(payment_provider, args(host, settings_for('15.0', published=False), databases=['shop1']))
    assert read_record(host, 'shop1', ['state'])['state'] == 'disabled'
    assert (result['databases'][0]['mode'], result['databases'][0]['published']) == ('disabled', False)
    run_module(payment_provider, args(host, settings_for('15.0'), databases=['shop1']))
    assert read_record(host, 'shop1', ['state'])['state'] == 'test'


# -- bad values -------------------------------------------------------------------------------------
BAD = [
    (dict(shop_id='1234567'), 'settings.shop_id must be the 8 digits'),
    (dict(sign_algo='SHA-512'), 'sign_algo'),
    (dict(language='xx'), 'language'),
    (dict(return_mode='PUT'), 'return_mode'),
    (dict(validation_mode='auto'), 'validation_mode'),
    (dict(redirect=dict(success_timeout=301)), 'settings.redirect.success_timeout must be between 0 and 300'),
    (dict(redirect=dict(error_timeout=-1)), 'settings.redirect.error_timeout must be between 0 and 300'),
    (dict(threeds_min_amount=-5), 'settings.threeds_min_amount must be a non-negative amount'),
    (dict(key_test=''), 'settings.key_test is empty'),
    (dict(card_types=['CB', 'NOPE']), "settings.card_types: 'NOPE' not found in systempay.card"),
    (dict(available_languages=['fr', 'xx']), "settings.available_languages has 'xx'"),
    (dict(website='No such website'), "settings.website: 'No such website' not found in website"),
    (dict(specific_countries=['France']), "settings.specific_countries has 'France'"),
    (dict(gateway_url='https://x.test/'), 'settings.gateway_url is not a setting of addon release 3.1.1 (releases '
     'that have it: 1.1.0-3.0.3, 4.0.0) (the module records version 16.0.3.1.1)'),
    (dict(messages=dict(error='x')), 'settings.messages.error is not available on Odoo 16'),
    (dict(shopid='12345678'), 'settings.shopid (did you mean settings.shop_id?)'),
]


@pytest.mark.parametrize('change, message', BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_values_are_refused_and_nothing_is_written(make_host, change, message):
    host = make_host('16.0', shared=True)
    before = converged_record(host)
    settings = settings_for('16.0')
    for name, value in change.items():
        if isinstance(value, dict) and isinstance(settings.get(name), dict):
            settings[name] = dict(settings[name], **value)
        else:
            settings[name] = value
    settings['title'] = 'A title that must not be written'
    result = run_module(payment_provider, args(host, settings, databases=['shop1']), fails=True)
    assert message in result['msg']
    assert read_record(host, 'shop1', all_fields(host)) == before


def test_rest_keys_are_refused_on_15(make_host):
    host = make_host('15.0', shared=True)
    result = run_module(payment_provider, args(host, settings_for('15.0', rest=dict(test_password='x' * 12))),
                        fails=True)
    assert ('settings.rest.test_password is not a setting of any addon release made for Odoo 15 (releases that have '
            'it: 3.1.0-3.1.1, 4.2.0-4.3.0)') in result['msg']


def test_misspelt_secret_name_hides_its_value(make_host):
    host = make_host('16.0', shared=True)
    result = run_module(payment_provider, args(host, settings_for('16.0', key_prodution=KEY_PROD)), fails=True)
    assert result['msg'] == ('Cannot configure the payment provider: unknown setting settings.key_prodution '
                             '(did you mean settings.key_production?)')
    assert KEY_PROD not in json.dumps(result)


# -- secrets, check mode, diff ----------------------------------------------------------------------
def test_secrets_appear_nowhere(make_host, argvs, capfd):
    host = make_host('16.0', converged_first=True)
    settings = settings_for('16.0', mode='production', key_production=KEY_PROD)
    result = run_module(payment_provider, args(host, settings), diff=True)
    again = run_module(payment_provider, args(host, settings_for('16.0', mode='test', key_production=KEY_PROD,
                                                                 rest=dict(REST, test_password='newRestPw-0000'))),
                       diff=True)
    captured = capfd.readouterr()
    text = json.dumps([result, again]) + captured.out + captured.err + json.dumps(argvs)
    assert argvs and all('shell' in argv or '--version' in argv for argv in argvs if host.bin in argv)
    for secret in SECRETS + ['newRestPw-0000']:
        assert secret not in text
    diff = again['databases'][0]['diff']
    assert diff['before']['systempay_test_password'] == '********'
    assert diff['after']['systempay_test_password'] == '******** (changed)'
    assert 'systempay_test_password' in again['databases'][0]['changed_fields']
    assert read_record(host, 'shop1', ['systempay_test_password'])['systempay_test_password'] == 'newRestPw-0000'


def test_check_mode_only_reads_and_reports_the_diff(make_host):
    host = make_host('16.0')
    before = read_record(host, 'shop1', all_fields(host))
    result = run_module(payment_provider, args(host, settings_for('16.0'), web_base_url='https://shop.example.com'),
                        check_mode=True, diff=True)
    assert result['changed'] is True
    entry = result['databases'][0]
    assert entry['msg'].startswith('would change')
    assert (entry['action'], entry['mode'], entry['published']) == ('would_update', 'test', True)
    assert 'systempay_key_test' in entry['changed_fields'] and 'ir.config_parameter:web.base.url' in entry['changed_fields']
    # relations by the name or code the settings give them, not by id
    diff = entry['diff']
    assert (diff['before']['journal_id'], diff['after']['journal_id']) == (False, 'Bank')
    assert (diff['before']['website_id'], diff['after']['website_id']) == (False, 'My Website')
    assert sorted(diff['after']['available_country_ids']) == ['BE', 'FR']
    assert diff['after']['payment_icon_ids'] == ['VISA']
    assert entry['diff']['before']['systempay_key_test'] == '********'     # the addon's demo key, masked
    assert entry['diff']['after']['name'] == 'Carte bancaire'
    assert result['diff']['after']['shop1'] == entry['diff']['after']
    assert result['databases'][1]['changed'] is True
    assert read_record(host, 'shop1', all_fields(host)) == before
    assert param(host, 'shop1', 'web.base.url')[1] is False


def test_web_base_url_is_set_and_frozen(make_host):
    host = make_host('16.0')
    result = run_module(payment_provider, args(host, {'title': 'Carte'}, databases=['shop1'],
                                               web_base_url='https://shop.example.com/'))
    assert sorted(result['databases'][0]['changed_fields']) == [
        'ir.config_parameter:web.base.url', 'ir.config_parameter:web.base.url.freeze', 'name']
    assert param(host, 'shop1', 'web.base.url') == ['https://shop.example.com', 'True']
    again = run_module(payment_provider, args(host, {'title': 'Carte'}, databases=['shop1'],
                                              web_base_url='https://shop.example.com'))
    assert again['changed'] is False


# -- generations we have not met ----------------------------------------------------------------------
def test_missing_field_on_this_host_fails_clearly(make_host):
    host = make_host('12.0')      # the stand-in's Odoo 12 payment.acquirer has no website_id
    before = read_record(host, 'shop1', all_fields(host))
    result = run_module(payment_provider, args(host, settings_for('12.0', website='My Website')), fails=True)
    assert result['msg'] == ('Cannot configure the provider in database shop1: field website_id (setting website) is '
                             'missing from payment.acquirer on this host (Odoo 12, addon line 1.x): a generation this '
                             'collection has not met; nothing written')
    assert read_record(host, 'shop1', all_fields(host)) == before


def test_a_renamed_field_fails_before_any_write(make_host, monkeypatch):
    host = make_host('16.0')
    real = generations.provider_facts

    def renamed(series, brand='systempay', release=None):
        facts = real(series, brand, release)
        facts['fields']['shop_id'] = 'systempay_shop_identifier'    # what a future addon line might do
        return facts
    monkeypatch.setattr(generations, 'provider_facts', renamed)
    before = read_record(host, 'shop1', all_fields(host))
    result = run_module(payment_provider, args(host, settings_for('16.0')), fails=True)
    assert 'field systempay_shop_identifier (setting shop_id) is missing from payment.provider' in result['msg']
    assert [entry['msg'] for entry in result['databases']][1] == 'not processed: database shop1 failed'
    assert [(e['action'], e['mode']) for e in result['databases']] == [('failed', None), ('skipped', None)]
    assert read_record(host, 'shop1', all_fields(host)) == before


def test_addon_not_installed(make_host):
    host = make_host('16.0')
    host.create_db('shop3', MODULES)
    result = run_module(payment_provider, args(host, {'shop_id': '12345678'}, databases=['shop3']), fails=True)
    assert result['msg'] == ('Cannot configure the provider in database shop3: the module payment_systempay is not '
                             'installed there (state: uninstalled); install it in that database first (odoo_module, '
                             'systempay_odoo_databases), or leave the database out')


@pytest.mark.parametrize('transport', ['cli', 'rpc'])
def test_database_without_the_payment_model_is_named_not_a_raw_error(make_host, transport):
    """A database with only base has no payment.provider model at all: KeyError over the CLI, "Object ... doesn't
    exist" over XML-RPC. The message says the module is not installed there."""
    host = make_host('16.0')
    host.create_db('bare', 'base')
    make_args = rpc_args if transport == 'rpc' else args
    if transport == 'rpc':
        host.start()
    result = run_module(payment_provider, make_args(host, {'shop_id': '12345678'}, databases=['bare']), fails=True)
    assert result['msg'].startswith('Cannot configure the provider in database bare: the module payment_systempay is '
                                    'not installed there (state: uninstalled)'), result['msg']
    assert 'KeyError' not in result['msg'] and "doesn't exist" not in result['msg']


def test_two_bad_values_are_reported_together(make_host):
    host = make_host('16.0')
    before = read_record(host, 'shop1', all_fields(host))
    settings = settings_for('16.0', journal='NOPE', card_types=['CB', 'NOPECARD'])
    result = run_module(payment_provider, args(host, settings, databases=['shop1']), fails=True)
    assert "settings.journal: 'NOPE' not found in account.journal" in result['msg'], result['msg']
    assert "settings.card_types: 'NOPECARD' not found in systempay.card" in result['msg'], result['msg']
    assert result['msg'].endswith('; nothing written')
    assert read_record(host, 'shop1', all_fields(host)) == before


def test_every_invalid_argument_is_reported_at_once(make_host):
    host = make_host('16.0')
    result = run_module(payment_provider, args(host, {'sign_algo': 'SHA-512', 'language': 'xx'}), fails=True)
    assert 'value of sign_algo must be one of: HMAC-SHA-256, SHA-1, got: SHA-512' in result['msg'], result['msg']
    assert 'value of language must be one of: ' in result['msg'] and 'got: xx' in result['msg'], result['msg']


def test_validate_only_checks_values_and_databases_and_reads_no_database(make_host):
    host = make_host('16.0')
    host.start()
    before = read_record(host, 'shop1', all_fields(host))
    checked = args(host, settings_for('16.0'), databases=['shop1', 'nosuchdb'], validate_only=True)
    result = run_module(payment_provider, checked, fails=True)
    assert result['msg'].startswith('Cannot configure the payment provider: database nosuchdb is not among the '
                                    'databases of this Odoo ('), result['msg']
    result = run_module(payment_provider, args(host, dict(settings_for('16.0'), shop_id='1234'), validate_only=True),
                        fails=True)
    assert "settings.shop_id must be the 8 digits of the shop id" in result['msg']
    ok = run_module(payment_provider, args(host, settings_for('16.0'), validate_only=True))
    assert ok['changed'] is False and ok['databases'] == [] and 'settings valid for databases shop1, shop2' in ok['msg']
    assert read_record(host, 'shop1', all_fields(host)) == before


# -- the gather stage's read (odoo_info read_databases) ------------------------------------------------
def _loads(host):
    path = os.path.join(host.root, 'registry-loads.log')
    with open(path) as f:
        return len(f.read().splitlines())


@pytest.mark.parametrize('series', ['15.0', '12.0', '17.0'])
def test_gather_s_read_finds_a_converged_host_unchanged_on_every_generation(make_host, series):
    host = make_host(series, converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    loads = _loads(host)
    again = run_module(payment_provider, args(host, settings_for(series), odoo_facts=facts), check_mode=True)
    assert again['changed'] is False and [e['action'] for e in again['databases']] == ['none']
    assert _loads(host) == loads


def test_with_gather_s_read_a_converged_host_is_compared_without_starting_odoo(make_host):
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    # the keys are never in the gathered facts, only digests of them
    text = json.dumps(facts)
    assert not [secret for secret in SECRETS if secret in text]
    assert facts['database_states']['shop1']['provider']['record']['systempay_key_test'].startswith('pbkdf2-sha256$')
    loads = _loads(host)
    again = run_module(payment_provider, args(host, settings_for('16.0'), odoo_facts=facts), check_mode=True)
    assert again['changed'] is False
    assert [(e['action'], e['mode'], e['published']) for e in again['databases']] == [('none', 'test', True)] * 2
    assert _loads(host) == loads                 # no Odoo process read a database
    # another key is a change (masked), and so is another country; still read from gather's state
    changed = run_module(payment_provider, args(host, settings_for('16.0', key_test='another-Key-0042',
                                                                   specific_countries=['FR']),
                                                odoo_facts=facts), check_mode=True, diff=True)
    entry = changed['databases'][0]
    assert sorted(entry['changed_fields']) == ['available_country_ids', 'systempay_key_test']
    assert entry['diff']['before']['systempay_key_test'] == '********'
    assert 'another-Key-0042' not in json.dumps(changed)
    assert _loads(host) == loads
    # the real run writes the difference and reads it back (that read starts Odoo), as without gather's read
    written = run_module(payment_provider, args(host, settings_for('16.0', key_test='another-Key-0042'),
                                                odoo_facts=facts))
    assert [e['changed_fields'] for e in written['databases']] == [['systempay_key_test']] * 2
    assert read_record(host, 'shop1', ['systempay_key_test'])['systempay_key_test'] == 'another-Key-0042'


def test_a_read_without_digests_says_which_keys_are_set_and_the_provider_step_does_not_take_it(make_host):
    # odoo_info digests: false (site.yml without provider_settings): no PBKDF2 for a run that compares no key; the
    # provider step, which compares keys, reads such a database itself and answers as with a read that digests
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell',
                                       digests=False))
    assert facts['digests'] is False
    assert not [secret for secret in SECRETS if secret in json.dumps(facts)]
    state = facts['database_states']['shop1']
    assert state['salt'] is None and state['provider']['record']['systempay_key_test'] == db_state.UNDIGESTED
    loads = _loads(host)
    planned = run_module(payment_provider, args(host, settings_for('16.0', key_test='another-Key-0042'),
                                                odoo_facts=facts, validate_only=True))
    assert planned['planned'] is False and planned['databases'] == []
    assert _loads(host) == loads
    checked = run_module(payment_provider, args(host, settings_for('16.0', key_test='another-Key-0042'),
                                                odoo_facts=facts), check_mode=True)
    assert [(e['name'], e['action'], e['changed_fields']) for e in checked['databases']] == \
        [('shop1', 'would_update', ['systempay_key_test']), ('shop2', 'would_update', ['systempay_key_test'])]
    assert _loads(host) > loads                  # its own read of each database
    same = run_module(payment_provider, args(host, settings_for('16.0'), odoo_facts=facts), check_mode=True)
    assert same['changed'] is False


def test_a_name_gather_s_rows_do_not_have_is_refused_as_without_them(make_host):
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    with_state = run_module(payment_provider, args(host, settings_for('16.0', specific_countries=['FR', 'ZZ']),
                                                   odoo_facts=facts), check_mode=True, fails=True)
    without = run_module(payment_provider, args(host, settings_for('16.0', specific_countries=['FR', 'ZZ'])),
                         check_mode=True, fails=True)
    assert with_state['msg'] == without['msg']
    assert "'ZZ' not found in res.country" in with_state['msg']


def test_the_plan_stage_compares_every_database_from_gather_s_read_as_check_mode_does(make_host):
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    before = read_record(host, 'shop1', all_fields(host))
    loads = _loads(host)
    wanted = settings_for('16.0', key_test='another-Key-0042')
    planned = run_module(payment_provider, args(host, wanted, odoo_facts=facts, validate_only=True))
    checked = run_module(payment_provider, args(host, wanted, odoo_facts=facts), check_mode=True)
    assert planned['planned'] is True and planned['changed'] is False
    assert planned['read_salts'] == dict((db, facts['database_states'][db]['salt']) for db in ('shop1', 'shop2'))
    assert planned['databases'] == checked['databases']
    assert [(e['name'], e['action'], e['changed_fields']) for e in planned['databases']] == \
        [('shop1', 'would_update', ['systempay_key_test']), ('shop2', 'would_update', ['systempay_key_test'])]
    assert 'another-Key-0042' not in json.dumps(planned)
    # no Odoo process started, nothing written
    assert _loads(host) == loads
    assert read_record(host, 'shop1', all_fields(host)) == before


def test_the_diff_names_the_related_records_with_or_without_gather_s_read(make_host):
    """From gather's read (every record of each related model), a relation's before and after are both names or
    codes; Odoo's own read gives a many2one's name, and a record the settings do not name is named over that read
    too (it reads every record of the related model, as gather does)."""
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    wanted = settings_for('16.0', specific_countries=['FR'], journal='INV')
    planned = run_module(payment_provider, args(host, wanted, odoo_facts=facts), check_mode=True, diff=True)
    diff = planned['databases'][0]['diff']
    assert (sorted(diff['before']['available_country_ids']), diff['after']['available_country_ids']) == \
        (['BE', 'FR'], ['FR'])
    assert (diff['before']['journal_id'], diff['after']['journal_id']) == ('Bank', 'Customer Invoices')
    read = run_module(payment_provider, args(host, wanted), check_mode=True, diff=True)
    diff = read['databases'][0]['diff']
    assert (diff['before']['journal_id'], diff['after']['journal_id']) == ('Bank', 'Customer Invoices')
    assert (sorted(diff['before']['available_country_ids']), diff['after']['available_country_ids']) == \
        (['BE', 'FR'], ['FR'])


def test_the_plan_stage_leaves_to_later_what_gather_s_read_cannot_answer(make_host):
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    loads = _loads(host)
    # a card gather's rows do not hold: not refused here (the addon's upgrade may bring it), not planned
    unknown = run_module(payment_provider, args(host, settings_for('16.0', card_types=['ZZCARD']),
                                                odoo_facts=facts, validate_only=True))
    assert unknown['planned'] is False and unknown['databases'] == [] and unknown['read_salts'] == {}
    # a database gather did not read: not planned either, and no Odoo process reads it now
    del facts['database_states']['shop2']
    partial = run_module(payment_provider, args(host, settings_for('16.0'), odoo_facts=facts, validate_only=True))
    assert partial['planned'] is False and partial['databases'] == []
    assert _loads(host) == loads
    # without gather's read: the values only
    bare = run_module(payment_provider, args(host, settings_for('16.0'), validate_only=True))
    assert bare['planned'] is False


def test_the_plan_stage_refuses_a_website_journal_or_country_gather_s_read_does_not_have(make_host):
    """No step of a run creates websites, journals or countries: a name gather's read of a database does not hold
    is refused in the plan stage, before any change, naming the databases; also where the run would install the
    module first (shop9: Odoo's provider model is there, so gather read those rows). No Odoo process started."""
    host = make_host('16.0', converged_first=True)
    host.create_db('shop9', MODULES)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    loads = _loads(host)
    everywhere = ['shop1', 'shop2', 'shop9']
    result = run_module(payment_provider, args(host, settings_for('16.0', specific_countries=['FR', 'ZZ']),
                                               databases=everywhere, odoo_facts=facts, release='3.1.1',
                                               validate_only=True), fails=True)
    assert result['msg'] == ("Cannot configure the payment provider: settings.specific_countries: 'ZZ' not found in "
                             "res.country (found: FR) (databases shop1, shop2, shop9); nothing written")
    result = run_module(payment_provider, args(host, settings_for('16.0', journal='NOPE', website='Other Shop'),
                                               databases=['shop9'], odoo_facts=facts, release='3.1.1',
                                               validate_only=True), fails=True)
    assert result['msg'] == ("Cannot configure the payment provider: settings.website: 'Other Shop' not found in "
                             "website (database shop9); settings.journal: 'NOPE' not found in account.journal "
                             "(database shop9); nothing written")
    assert _loads(host) == loads
    good = run_module(payment_provider, args(host, settings_for('16.0'), databases=everywhere, odoo_facts=facts,
                                             release='3.1.1', validate_only=True))
    assert good['planned'] is True


def test_the_plan_stage_plans_an_upgrade_to_a_release_only_when_none_of_its_migrations_runs(make_host):
    """With O(release) (site.yml's plan stage before new addon files), a database is planned from gather's read only
    when the upgrade to that release runs none of its migration scripts, which may rewrite the provider's row: 3.1.1
    ships migrations/16.0.3.1.0, which runs for a database recording 3.0.3, not for one recording 3.1.0 or 3.1.1."""
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    wanted = settings_for('16.0', key_test='another-Key-0042')
    same = run_module(payment_provider, args(host, wanted, odoo_facts=facts, release='3.1.1', validate_only=True))
    assert same['planned'] is True
    assert [(e['name'], e['changed_fields']) for e in same['databases']] == \
        [('shop1', ['systempay_key_test']), ('shop2', ['systempay_key_test'])]

    def recording(version):
        states = copy.deepcopy(facts['database_states'])
        states['shop2']['modules']['payment_systempay']['latest_version'] = version
        return dict(facts, database_states=states)
    assert run_module(payment_provider, args(host, wanted, odoo_facts=recording('16.0.3.1.0'), release='3.1.1',
                                             validate_only=True))['planned'] is True
    migrating = run_module(payment_provider, args(host, wanted, odoo_facts=recording('16.0.3.0.3'), release='3.1.1',
                                                  validate_only=True))
    assert migrating['planned'] is False and migrating['databases'] == [] and migrating['read_salts'] == {}


def test_a_value_odoo_does_not_keep_fails_the_database_naming_the_field(make_host, monkeypatch):
    """The record is read back after the writes, in the same Odoo process: a value Odoo stores otherwise (here the
    write is altered on its way, as an override of the addon could) fails the database, naming the field with the
    value read and the value wanted; the keys stay masked."""
    host = make_host('16.0', converged_first=True)
    original = transport.CliTransport.batch

    def altered(self, db, calls, commit=False):
        calls = copy.deepcopy(calls)
        for call in calls:
            if call['method'] == 'write' and 'systempay_site_id' in (call['args'][0] if call['args'] else {}):
                call['args'][0]['systempay_site_id'] = '11111111'
        return original(self, db, calls, commit)
    monkeypatch.setattr(transport.CliTransport, 'batch', altered)
    result = run_module(payment_provider, args(host, settings_for('16.0', shop_id='22223333',
                                                                  key_test='another-Key-0042'),
                                               databases=['shop1']), fails=True)
    assert ("Cannot configure the provider in database shop1: read back after the write, systempay_site_id "
            "('11111111', not '22223333') did not keep the value written") in result['msg']
    assert 'another-Key-0042' not in json.dumps(result)
    assert read_record(host, 'shop1', ['systempay_site_id'])['systempay_site_id'] == '11111111'


def test_a_write_and_its_read_back_take_one_odoo_process(make_host):
    """From gather's read, a database whose settings differ costs one Odoo process (one registry load, seconds on
    real Odoo): the writes and the read back of what they stored, in one call."""
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    loads = _loads(host)
    done = run_module(payment_provider, args(host, settings_for('16.0', key_test='another-Key-0042'),
                                             databases=['shop1'], odoo_facts=facts))
    assert [(e['action'], e['changed_fields']) for e in done['databases']] == [('update', ['systempay_key_test'])]
    assert _loads(host) == loads + 1
    assert read_record(host, 'shop1', ['systempay_key_test'])['systempay_key_test'] == 'another-Key-0042'


def _as_read(value, expected):
    """A planned ``after`` value in read_record()'s form (relations as sorted lists), the secrets as given."""
    if value == payment_provider.provider.MASK:
        return expected if isinstance(expected, str) and expected in SECRETS else value
    if isinstance(expected, list) and isinstance(value, str):
        return [value]
    return value


@pytest.mark.parametrize('series', ['16.0', '17.0'])
def test_a_database_the_run_installs_is_planned_as_the_run_leaves_it(make_host, series):
    """A database without the module (shop9): the plan stage (validate_only with O(release)) and check mode (with
    O(fresh_installs)) plan each field the settings touch with the value it holds after the run, since no provider
    record exists before the install. Then the install and the real run: the record holds exactly those values,
    and a check-mode run afterwards finds nothing to change."""
    host = make_host(series)
    host.create_db('shop9', MODULES)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    assert host.module_state('shop9') != 'installed'
    version = GENERATIONS[series]
    wanted = settings_for(series)
    url = 'https://shop9.example.test'
    loads = _loads(host)
    planned = run_module(payment_provider, args(host, wanted, databases=['shop9'], odoo_facts=facts, release=version,
                                                web_base_url=url, validate_only=True))
    assert _loads(host) == loads                 # from gather's read alone
    assert planned['planned'] is True
    [entry] = planned['databases']
    assert (entry['action'], entry['changed'], entry['mode'], entry['published']) == \
        ('would_update', True, 'test', True)
    assert entry['notes'][0] == (
        'the module is installed by this run first (release %s): these are the values the provider holds after the '
        'run; the real run writes those that differ from the values the install gives' % version)
    assert not [secret for secret in SECRETS if secret in json.dumps(planned)]
    after = entry['diff']['after']
    assert set(value for key, value in entry['diff']['before'].items() if not key.startswith('ir.')) == \
        {payment_provider.INSTALL_VALUE}
    assert (after['ir.config_parameter:web.base.url'], after['ir.config_parameter:web.base.url.freeze']) == \
        (url, 'True')
    if series == '17.0':
        assert after['payment_methods'] == 'CB, VISA'
    # check mode, told the module step would install it there: the same plan, read or taken from gather's read
    for given in (dict(odoo_facts=facts), {}):
        checked = run_module(payment_provider, args(host, wanted, databases=['shop9'], release=version,
                                                    web_base_url=url, fresh_installs=['shop9'], **given),
                             check_mode=True, diff=True)
        assert checked['databases'] == planned['databases']
    assert host.module_state('shop9') != 'installed'

    result = host.odoo('-d', 'shop9', '-i', 'payment_systempay', '--stop-after-init', '--without-demo=all')
    assert result.returncode == 0, host.read_log()
    done = run_module(payment_provider, args(host, wanted, databases=['shop9'], release=version, web_base_url=url,
                                             fresh_installs=['shop9']))
    assert done['databases'][0]['action'] == 'update'
    record = read_record(host, 'shop9', all_fields(host))
    record.pop('write_date')
    record = dict((field, strip_html(value)) for field, value in record.items())
    planned_fields = dict((field, _as_read(value, EXPECTED[series].get(field))) for field, value in after.items()
                          if field in EXPECTED[series])
    assert planned_fields == dict((field, record[field]) for field in planned_fields)
    assert set(EXPECTED[series]) <= set(after)
    assert param(host, 'shop9', 'web.base.url') == [url, 'True']
    again = run_module(payment_provider, args(host, wanted, databases=['shop9'], web_base_url=url), check_mode=True)
    assert again['changed'] is False


def test_the_plan_of_a_fresh_install_names_a_card_type_without_a_payment_method(make_host):
    """Odoo 17 with 4.3.0: the plan of a database the run installs in gives the brands the payment form will show,
    and says which card type has no payment method in the release (its name is looked up after the install)."""
    host = make_host('17.0')
    host.create_db('shop9', MODULES)
    planned = run_module(payment_provider, args(host, dict(PLAIN, card_types=['VISA', 'MAESTRO']), databases=['shop9'],
                                                release='4.3.0', fresh_installs=['shop9']), check_mode=True, diff=True)
    [entry] = planned['databases']
    assert entry['diff']['after']['payment_methods'] == 'VISA'
    assert ('no payment method for card type MAESTRO in this release: the payment form shows no logo for it'
            in entry['notes'])


@pytest.mark.parametrize('series, fresh_mode', [('16.0', 'smartform'), ('17.0', 'embedded')])
def test_the_plan_of_a_fresh_install_without_rest_keys_sets_redirect(make_host, series, fresh_mode):
    host = make_host(series)
    host.create_db('shop9', MODULES)
    version = GENERATIONS[series]
    planned = run_module(payment_provider, args(host, PLAIN, databases=['shop9'], release=version,
                                                fresh_installs=['shop9']), check_mode=True, diff=True)
    [entry] = planned['databases']
    assert entry['diff']['after'][FIELD] == 'redirect'
    # over XML-RPC (no program on the host asked for): the same plan
    host.start()
    over_rpc = run_module(payment_provider, rpc_args(host, PLAIN, databases=['shop9'], release=version,
                                                     fresh_installs=['shop9']), check_mode=True, diff=True)
    assert over_rpc['databases'] == planned['databases']
    host.stop()
    assert entry['notes'][1] == (
        'entry mode set to redirect: the fresh install of %s started with %s, which needs the REST keys of mode test '
        '(%s not given); give them with settings.entry_mode to keep the embedded form'
        % (version, fresh_mode, MISSING_TEST_KEYS))
    result = host.odoo('-d', 'shop9', '-i', 'payment_systempay', '--stop-after-init', '--without-demo=all')
    assert result.returncode == 0, host.read_log()
    assert read_record(host, 'shop9', [FIELD])[FIELD] == fresh_mode
    run_module(payment_provider, args(host, PLAIN, databases=['shop9'], release=version, fresh_installs=['shop9']))
    record = read_record(host, 'shop9', sorted(field for field in entry['diff']['after']))
    assert record[FIELD] == 'redirect' and record['systempay_site_id'] == PLAIN['shop_id']
    assert record['systempay_key_test'] == KEY_TEST and record['state'] == 'test'


# -- settings by addon release (vendor-releases.json; module_utils/releases.py) -------------------------
def test_the_plan_stage_refuses_a_setting_the_recorded_release_lacks(make_host):
    """Without a release given, each database is checked against the version it records, from gather's read,
    before any change: 3.1.1 has no gateway URL. Nothing is started, nothing written."""
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    loads = _loads(host)
    result = run_module(payment_provider, args(host, settings_for('16.0', gateway_url='https://x.test/'),
                                               odoo_facts=facts, validate_only=True), fails=True)
    assert result['msg'] == (
        'Cannot configure the payment provider: settings.gateway_url is not a setting of addon release 3.1.1 '
        '(releases that have it: 1.1.0-3.0.3, 4.0.0) (databases shop1, shop2 record version 16.0.3.1.1); '
        'nothing written')
    assert _loads(host) == loads


@pytest.mark.parametrize('release, change, message', [
    # the release the run leaves in place is what counts, not the one installed (3.1.1 here)
    ('3.0.3', dict(), 'settings.rest.test_password is not a setting of addon release 3.0.3 (releases that have '
                      'it: 3.1.0-3.1.1, 4.2.0-4.3.0)'),
    ('3.0.3', dict(rest=None, entry_mode=None, embedded_form=None, gateway_url='https://x.test/'), None),
    ('4.3.0', dict(), 'release: Addon release 4.3.0 declares Odoo_17-19, which leaves Odoo 16.0 out'),
    ('1.0.0', dict(), 'release: Addon release 1.0.0 is not supported: the module is payment_payzen'),
    ('3.1.1', dict(embedded_form=dict(payment_attempts='many')),
     'settings.embedded_form.payment_attempts must be a number of extra payment attempts (0 to 99)'),
])
def test_a_release_given_is_checked_before_anything_is_read(make_host, release, change, message):
    host = make_host('16.0', shared=True)
    loads = _loads(host)
    settings = settings_for('16.0')
    settings.update(change)
    settings = dict((name, value) for name, value in settings.items() if value is not None)
    result = run_module(payment_provider, args(host, settings, release=release, validate_only=True),
                        fails=message is not None)
    if message is None:
        assert result['changed'] is False and 'settings valid' in result['msg']
    else:
        assert message in result['msg']
    assert _loads(host) == loads


@pytest.mark.parametrize('mode, field_value', [
    ('smartform', 'smartform'),
    ('embedded_extended_with_logos', 'smartform_extended_with_logos'),
])
def test_the_entry_mode_is_written_as_the_release_spells_it(make_host, mode, field_value):
    host = make_host('16.0', converged_first=True)
    result = run_module(payment_provider, args(host, settings_for('16.0', entry_mode=mode), databases=['shop1']),
                        check_mode=True, diff=True)
    entry = result['databases'][0]
    if field_value == 'smartform':      # the neutral "embedded" of the converged record, spelt the 3.1.x way
        assert entry['changed'] is False
    else:
        assert entry['diff']['after'] == {'systempay_payment_data_entry_mode': field_value}


# -- the embedded form's REST keys and the fresh-install entry mode ---------------------------------------
FIELD = 'systempay_payment_data_entry_mode'
PLAIN = dict(mode='test', shop_id='87654321', key_test=KEY_TEST)
MISSING_TEST_KEYS = 'settings.rest.test_password, settings.rest.public_test_key, settings.rest.sha256_test_key'


@pytest.mark.parametrize('series, fresh_mode', [('16.0', 'smartform'), ('17.0', 'embedded')])
def test_a_fresh_install_without_rest_keys_is_set_to_redirect_and_says_why(make_host, series, fresh_mode):
    """The fixture starts a fresh install with the embedded form (ground truth 9); with no REST keys given nor set,
    the database where the module was just installed is set to redirect, with a note; a run after that changes
    nothing, and a database not freshly installed is left as it is."""
    host = make_host(series)
    assert read_record(host, 'shop1', [FIELD])[FIELD] == fresh_mode
    result = run_module(payment_provider, args(host, PLAIN, databases=['shop1'], fresh_installs=['shop1']))
    [entry] = result['databases']
    assert read_record(host, 'shop1', [FIELD])[FIELD] == 'redirect'
    assert FIELD in entry['changed_fields']
    version = GENERATIONS[series]
    assert entry['notes'] == [
        'entry mode set to redirect: the fresh install of %s started with %s, which needs the REST keys of mode test '
        '(%s not given); give them with settings.entry_mode to keep the embedded form'
        % (version, fresh_mode, MISSING_TEST_KEYS)]
    assert entry['notes'][0] in entry['msg']
    again = run_module(payment_provider, args(host, PLAIN, databases=['shop1']))
    assert again['changed'] is False and again['databases'][0]['notes'] == []
    if series == '16.0':
        other = run_module(payment_provider, args(host, PLAIN, databases=['shop2']))
        assert read_record(host, 'shop2', [FIELD])[FIELD] == fresh_mode and other['databases'][0]['notes'] == []


def test_a_fresh_install_keeps_the_embedded_form_when_its_keys_are_given(make_host):
    host = make_host('16.0')
    settings = dict(PLAIN, rest=dict(test_password=REST['test_password'], public_test_key=REST['public_test_key'],
                                     sha256_test_key=REST['sha256_test_key']))
    result = run_module(payment_provider, args(host, settings, databases=['shop1'], fresh_installs=['shop1']))
    assert read_record(host, 'shop1', [FIELD])[FIELD] == 'smartform'
    assert result['databases'][0]['notes'] == [] and FIELD not in result['databases'][0]['changed_fields']


@pytest.mark.parametrize('series', ['16.0', '17.0'])
def test_an_embedded_mode_without_its_rest_keys_is_refused_naming_them(make_host, series):
    host = make_host(series)
    before = read_record(host, 'shop1', [FIELD, 'state'])
    settings = dict(PLAIN, entry_mode='embedded_extended_with_logos', rest=dict(test_password=REST['test_password']))
    result = run_module(payment_provider, args(host, settings, databases=['shop1']), fails=True)
    assert ('settings.entry_mode embedded_extended_with_logos needs the REST keys of mode test, which the embedded '
            'form is built with: settings.rest.public_test_key, settings.rest.sha256_test_key are not given and not '
            'set in database shop1; give them, or leave entry_mode out (or set it to redirect)') in result['msg']
    assert read_record(host, 'shop1', [FIELD, 'state']) == before
    # production needs the production keys, whatever the test keys
    settings = dict(PLAIN, mode='production', key_production=KEY_PROD, entry_mode='embedded', rest=dict(REST))
    del settings['rest']['public_production_key']
    result = run_module(payment_provider, args(host, settings, databases=['shop1']), fails=True)
    assert 'needs the REST keys of mode production' in result['msg']
    assert 'settings.rest.public_production_key is not given and not set in database shop1' in result['msg']
    assert read_record(host, 'shop1', [FIELD, 'state']) == before


def test_keys_already_set_in_the_database_count_and_the_plan_stage_refuses_before_anything_starts(make_host):
    """The converged databases hold the REST keys: embedded needs none given there. In a fresh one, the plan stage
    refuses from gather's read alone (nothing started, nothing written)."""
    host = make_host('16.0', converged_first=True)
    result = run_module(payment_provider, args(host, dict(PLAIN, entry_mode='embedded'), databases=['shop1']),
                        check_mode=True)
    assert result['databases'][0]['action'] in ('none', 'would_update')
    fresh = make_host('16.0')
    fresh.start()
    facts = run_module(odoo_info, dict(binary=fresh.bin, config=fresh.conf, read_databases=['all'], read_with='shell'))
    loads = _loads(fresh)
    result = run_module(payment_provider, args(fresh, dict(PLAIN, entry_mode='embedded'), odoo_facts=facts,
                                               validate_only=True, release='3.1.1'), fails=True)
    assert result['msg'] == (
        'Cannot configure the payment provider: settings.entry_mode embedded needs the REST keys of mode test, which '
        'the embedded form is built with: %s are not given and not set in databases shop1, shop2; give them, or '
        'leave entry_mode out (or set it to redirect); nothing written' % MISSING_TEST_KEYS)
    assert _loads(fresh) == loads


# -- the installments record (<brand>multi) --------------------------------------------------------------
INSTALLMENTS = dict(count=4, period=15, first='40', mode='test', published=True)
# the installments record after INSTALLMENTS (vendor-releases.json: the multi_* fields are Char), with the shop's id
# and test key taken from the settings; the mode and publish fields per generation (ground truth 4, 7)
MULTI = dict(systempay_multi_count='4', systempay_multi_period='15', systempay_multi_first='40',
             systempay_site_id='87654321', systempay_key_test=KEY_TEST, systempay_sign_algo='SHA-1')
MULTI_STATUS = {'16.0': dict(state='test', is_published=True), '17.0': dict(state='test', is_published=True),
                '15.0': dict(state='test'), '12.0': dict(environment='test', website_published=True)}


def read_multi(host, db, fields):
    """The installments record's ``fields`` in ``db``."""
    return host_record(host, XMLID[host.series] + 'multi', fields, db)


@pytest.mark.parametrize('series', ['16.0', '12.0'])
def test_the_installments_record_is_set_with_the_shop_s_keys_and_read_back(make_host, series):
    host = make_host(series, converged_first=True)
    expected = dict(MULTI, **MULTI_STATUS[series])
    assert read_multi(host, 'shop1', expected) != expected     # the addon's data: 3 installments, 30 days
    before = read_record(host, 'shop1', all_fields(host))
    result = run_module(payment_provider, args(host, settings_for(series, installments=INSTALLMENTS),
                                               databases=['shop1']), diff=True)
    entry = result['databases'][0]
    assert result['changed'] is True and entry['action'] == 'update'
    assert entry['installments'] == dict(managed=True, record=dict(xmlid=XMLID[series] + 'multi',
                                                                   id=entry['installments']['record']['id']),
                                         mode='test', published=True, action='update', summary='test, published')
    assert 'installments.systempay_multi_count' in entry['changed_fields']
    assert entry['diff']['after']['installments.systempay_key_test'] == '******** (changed)'
    assert read_multi(host, 'shop1', expected) == expected
    # the provider record is as it was (converged), the keys are nowhere in the result
    assert dict((k, v) for k, v in read_record(host, 'shop1', all_fields(host)).items() if k != 'write_date') == \
        dict((k, v) for k, v in before.items() if k != 'write_date')
    assert not [secret for secret in SECRETS if secret in json.dumps(result)]
    again = run_module(payment_provider, args(host, settings_for(series, installments=INSTALLMENTS),
                                              databases=['shop1']))
    assert again['changed'] is False and again['databases'][0]['installments']['action'] == 'none'


def test_installments_left_out_are_not_managed_and_reported_as_gather_read_them(make_host):
    host = make_host('16.0', converged_first=True)
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    assert facts['database_states']['shop1']['installments']['record']['systempay_multi_count'] == '3'
    multi_before = read_multi(host, 'shop1', dict(MULTI, state=1, is_published=1))
    result = run_module(payment_provider, args(host, settings_for('16.0'), odoo_facts=facts))
    assert [e['installments'] for e in result['databases']] == [dict(
        managed=False, record=None, mode='test', published=False, action='none',
        summary='not managed (test, not published)')] * 2
    # without gather's read, it is not read just for the report
    bare = run_module(payment_provider, args(host, settings_for('16.0')))
    assert bare['databases'][0]['installments']['summary'] == 'not managed'
    assert read_multi(host, 'shop1', dict(MULTI, state=1, is_published=1)) == multi_before


@pytest.mark.parametrize('change, message', [
    (dict(count=1), 'settings.installments.count must be 2 or more'),
    (dict(period=0), 'settings.installments.period must be 1 or more'),
    (dict(first='100'), 'settings.installments.first must be the first payment as a percentage of the total'),
    (dict(first='half'), "settings.installments.first must be the first payment as a percentage of the total, above 0 "
                         "and below 100, or empty for equal installments, not 'half'"),
    (dict(mode='production'), 'settings.key_production is required with installments.mode production'),
    (dict(counts=3), 'settings.installments.counts (did you mean settings.installments.count?)'),
])
def test_bad_installments_are_refused_and_nothing_is_written(make_host, change, message):
    host = make_host('16.0', shared=True)
    before = read_multi(host, 'shop1', dict(MULTI, state=1, is_published=1))
    result = run_module(payment_provider, args(host, settings_for('16.0', installments=dict(INSTALLMENTS, **change)),
                                               databases=['shop1']), fails=True)
    assert message in result['msg']
    assert read_multi(host, 'shop1', dict(MULTI, state=1, is_published=1)) == before


def test_installments_on_a_release_without_that_record_are_refused_naming_the_releases(make_host):
    host = make_host('12.0', shared=True)
    settings = settings_for('12.0', installments=dict(mode='test'))
    result = run_module(payment_provider, args(host, settings, release='1.1.1', validate_only=True), fails=True)
    assert ('settings.installments.mode is not a setting of addon release 1.1.1 (releases that have it: '
            '1.2.0-4.3.0)') in result['msg']


# -- every setting of each release, on the series it is made for ---------------------------------------------
FIXTURES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'fixtures')
# release x series pairs of issue 13 (1.2.6 on 12 and 14, the acquirer's environment vs state; 3.0.3 and 4.0.0 with
# the gateway URL; 4.1.0 with neither it nor the REST keys; 3.1.1 and 4.3.0 with the REST keys and embedded form)
# Each over the CLI; the releases whose selections have lazy labels (4.2.0 on) also over XML-RPC, where Odoo cannot
# send those labels (ground truth 10).
RELEASE_PAIRS = [('1.2.6', '12.0', 'cli'), ('1.2.6', '14.0', 'cli'), ('2.0.5', '15.0', 'cli'),
                 ('3.0.3', '16.0', 'cli'), ('3.1.1', '16.0', 'cli'), ('4.0.0', '17.0', 'cli'),
                 ('4.1.0', '18.0', 'cli'), ('4.3.0', '18.0', 'cli'), ('4.3.0', '17.0', 'rpc'),
                 ('4.2.0', '18.0', 'rpc'), ('1.2.6', '12.0', 'rpc')]
# the settings of every field of a release, and the values stored (shared with molecule/provider_releases)
_spec = importlib.util.spec_from_file_location('release_settings', os.path.join(FIXTURES_DIR, 'release_settings.py'))
release_settings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(release_settings)
RELEASE_SECRETS = dict(key_test=KEY_TEST, key_prod=KEY_PROD, rest=REST)
nest = release_settings.nest


def release_host(tmp_path, monkeypatch, fixtures, version, series, transport):
    """``(host, args maker)``: a new host of ``series`` whose shop1 has the fixture of ``version`` installed; over
    XML-RPC (``transport`` rpc) its server is running."""
    host = SeriesHost(tmp_path / 'host', series)
    host.put_addon(fixtures.unpacked(version))
    host.create_db('shop1', MODULES)
    assert host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init',
                     '--without-demo=all').returncode == 0, host.read_log()
    units = tmp_path / 'units'
    units.mkdir()
    _isolate(monkeypatch, units, host)
    if transport == 'rpc':
        host.start()
        return host, rpc_args
    return host, args


@pytest.mark.parametrize('version, series, transport', RELEASE_PAIRS,
                         ids=['%s-on-%s-%s' % pair for pair in RELEASE_PAIRS])
def test_every_setting_of_the_release_is_set_and_read_back(tmp_path, monkeypatch, fixtures, version, series,
                                                           transport):
    """The release's fields come from vendor-releases.json; each one that holds a setting is set through the
    module and read back from the record (the installments record for the multi_* ones); a re-run changes
    nothing; a setting of another release is refused, naming the releases that have it, with nothing written.
    Over XML-RPC (``rpc``) too on 4.2.0 on, whose language and entry mode labels Odoo cannot send (ground truth 10),
    and on 12.0, which has no ir.model.fields.selection."""
    table, without = release_settings.every_setting(version, RELEASE_SECRETS)
    assert without == []       # every field has its setting
    host, make_args = release_host(tmp_path, monkeypatch, fixtures, version, series, transport)
    flat = dict((path, given) for path, given, dummy in table.values())
    flat.update(mode='test')
    flat['installments.mode'] = 'test'
    result = run_module(payment_provider, make_args(host, nest(flat), databases=['shop1']))
    assert result['changed'] is True and result['databases'][0]['action'] == 'update'
    xmlid = 'payment_systempay.payment_%s_systempay' % ('provider' if float(series) >= 16 else 'acquirer')
    names = ['systempay_' + suffix for suffix in table]
    provider_fields = [name for name in names if '_multi_' not in name]
    multi_fields = [name for name in names if '_multi_' in name]
    record = host_record(host, xmlid, provider_fields)
    multi = host_record(host, xmlid + 'multi', multi_fields)
    stored = dict(('systempay_' + suffix, row[2]) for suffix, row in table.items())
    assert dict(record, **multi) == stored
    again = run_module(payment_provider, make_args(host, nest(flat), databases=['shop1']))
    assert again['changed'] is False
    # a setting of another release
    other, value = release_settings.another_release_s_setting(version)
    wrong = dict(flat, **{other: value})
    refused = run_module(payment_provider, make_args(host, nest(wrong), databases=['shop1']), fails=True)
    assert '%s is not a setting of' % other in refused['msg'] and 'releases that have it' in refused['msg']
    assert host_record(host, xmlid, provider_fields) == record


def host_record(host, xmlid, fields, db='shop1'):
    """The ``fields`` of the record ``xmlid`` in ``db``, as the stand-in has them (without ``write_date``)."""
    result = host.shell(db, _READ % {'xmlid': xmlid, 'fields': sorted(fields)})
    for line in result.stdout.splitlines():
        if line.startswith('RECORD='):
            record = json.loads(line[len('RECORD='):])
            record.pop('write_date')
            return record
    raise AssertionError(result.stderr)


_METHODS = '''
import json
rows = env['payment.method'].with_context(active_test=False).search([('code', '=like', 'systempay%')])
provider = env.ref('payment_systempay.payment_provider_systempay')
own = env.ref('payment_systempay.payment_method_systempay')
print('METHODS=' + json.dumps({'active': sorted(r.code for r in rows if r.active and r.primary_payment_method_id == own),
                               'offered': provider.payment_method_ids.ids == [own.id] and own.active,
                               'cards': sorted(provider.systempay_payment_cards.mapped('code'))}))
'''


def host_methods(host, db='shop1'):
    """The card brands active under the provider's own payment method, whether the provider offers that method, and
    the provider's card types field, as the stand-in has them."""
    result = host.shell(db, _METHODS)
    for line in result.stdout.splitlines():
        if line.startswith('METHODS='):
            return json.loads(line[len('METHODS='):])
    raise AssertionError(result.stderr)


@pytest.mark.parametrize('series, transport', [('17.0', 'cli'), ('18.0', 'rpc')])
def test_card_types_decide_the_payment_methods_the_form_shows(tmp_path, monkeypatch, fixtures, series, transport):
    """Odoo 17+ with a 4.x release (ground truth 10): the payment form shows the methods a provider offers and their
    active brands. card_types sets the field and the brands: those given active, the others archived; with no card
    type, the brands the addon's install activates. Planned in check mode, reported in the diff, read back, and a
    re-run changes nothing."""
    host, make_args = release_host(tmp_path, monkeypatch, fixtures, '4.3.0', series, transport)
    installed = host_methods(host)
    assert installed == {'active': ['systempayamex', 'systempaycb', 'systempaymastercard', 'systempayvisa'],
                         'offered': True, 'cards': []}
    settings = {'card_types': ['VISA', 'E-CARTEBLEUE']}
    planned = run_module(payment_provider, make_args(host, settings, databases=['shop1']), check_mode=True, diff=True)
    [entry] = planned['databases']
    assert entry['action'] == 'would_update' and 'payment_methods' in entry['changed_fields']
    assert (entry['diff']['before']['payment_methods'], entry['diff']['after']['payment_methods']) == (
        'CB, VISA, MASTERCARD, AMEX', 'VISA, E-CARTEBLEUE')
    assert host_methods(host) == installed
    done = run_module(payment_provider, make_args(host, settings, databases=['shop1']), diff=True)
    assert done['changed'] is True and done['databases'][0]['action'] == 'update'
    assert host_methods(host) == {'active': ['systempayecartebleue', 'systempayvisa'], 'offered': True,
                                  'cards': ['E-CARTEBLEUE', 'VISA']}
    assert run_module(payment_provider, make_args(host, settings, databases=['shop1']))['changed'] is False
    if transport == 'cli':
        # planned from the gather stage's read alone: no Odoo process reads the methods again
        host.start()
        facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
        loads = _loads(host)
        other = run_module(payment_provider, args(host, {'card_types': ['CB']}, databases=['shop1'],
                                                  odoo_facts=facts), check_mode=True, diff=True)
        assert other['databases'][0]['diff']['after']['payment_methods'] == 'CB'
        assert _loads(host) == loads
    # no card type: the platform offers the contract's cards, the form the addon's default brands
    back = run_module(payment_provider, make_args(host, {'card_types': []}, databases=['shop1']), diff=True)
    assert back['databases'][0]['diff']['after']['payment_methods'] == 'CB, VISA, MASTERCARD, AMEX'
    assert host_methods(host) == installed
