"""The collection's fixture addons (tests/fixtures/addons, built by build.py) on the stand-in:
IPN behaviours of ground truth section 5 (16, 3.x) and section 7 (15, 2.x), and the broken builds."""
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import xmlrpc.client
import zipfile

import pytest

BUILD = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'addons', 'build.py')
IPN = '/payment/systempay/ipn'

pytestmark = pytest.mark.skipif(not os.path.isfile(BUILD), reason='fixture addons not available')


@pytest.fixture(scope='module')
def zips(tmp_path_factory):
    out = tmp_path_factory.mktemp('fixtures')
    subprocess.run([sys.executable, BUILD, '--brand', 'systempay', '--out', str(out)], check=True,
                   capture_output=True)
    return {name.rsplit('_v', 1)[1][:-4]: os.path.join(str(out), name)
            for name in os.listdir(str(out)) if name.endswith('.zip')}


def install_zip(host, path):
    target = os.path.join(host.addons, 'payment_systempay')
    if os.path.exists(target):
        shutil.rmtree(target)
    with zipfile.ZipFile(path) as archive:
        assert {n.split('/')[0] for n in archive.namelist()} == {'payment_systempay'}
        archive.extractall(host.addons)


@pytest.mark.parametrize('version', ['3.1.0', '3.1.1'])
def test_3x_ipn_on_16(host, zips, version):
    install_zip(host, zips[version])
    host.create_db('shop1', 'website_sale,account')
    assert host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init').returncode == 0
    with host.server():
        [mod] = host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'payment_systempay')],
                             fields=['latest_version', 'state'])
        assert mod == {'id': mod['id'], 'latest_version': '16.0.' + version, 'state': 'installed'}
        status, headers, body = host.http('GET', IPN)
        assert (status, headers['Allow']) == (405, 'OPTIONS, POST') and '405 Method Not Allowed' in body
        status, headers, body = host.http('HEAD', IPN)
        assert (status, headers['Allow'], body) == (405, 'OPTIONS, POST', '')
        status, headers, body = host.http('POST', IPN, data=b'')
        assert (status, headers['Content-Type'], body) == (200, 'text/html; charset=utf-8', 'Bad request received.')
        # a REST-shaped notification of an order whose cycle is not closed (ground truth 9 and 10)
        rest = urllib.parse.urlencode({'kr-answer': json.dumps({'orderCycle': 'OPEN'}), 'kr-hash': '0' * 64,
                                       'kr-hash-algorithm': 'sha256_hmac'}).encode()
        assert host.http('POST', IPN, data=rest)[::2] == (200, 'Payment failure.')


def test_3x_needs_account_on_16(host, zips):
    install_zip(host, zips['3.1.1'])
    host.create_db('shop1', 'payment')
    assert host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init').returncode == 255
    assert "Model 'account.payment.method' does not exist in registry." in host.read_log()


def test_wrong_generation_on_16(host, zips):
    install_zip(host, zips['2.0.5'])
    host.create_db('shop1', 'website_sale,account')
    assert host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init').returncode == 255
    assert "No module named 'odoo.addons.payment.models.payment_acquirer'" in host.read_log()


def test_2x_on_15(make_host, zips):
    host = make_host('15.0')
    install_zip(host, zips['2.0.5'])
    host.create_db('shop1', 'website_sale,payment_systempay')
    with host.server():
        status, headers, _body = host.http('GET', IPN)
        assert (status, headers['Allow']) == (405, 'POST')
        status, _headers, body = host.http('POST', IPN, data=b'')
        assert status == 500 and '500 Internal Server Error' in body


def test_broken_builds(host, zips):
    install_zip(host, zips['3.1.1'])
    host.create_db('shop1', 'website_sale,account,payment_systempay')
    install_zip(host, zips['3.1.1-broken-install'])
    assert host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init').returncode == 255
    install_zip(host, zips['3.1.1-broken-start'])
    assert host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init').returncode == 255
    with host.server() as proc:
        assert host.http('POST', IPN, data=b'')[0] == 500
        assert host.jsonrpc('/web/webclient/version_info')[0] == 500
        assert proc.poll() is None
    assert "No module named 'fixture_missing_sdk'" in host.read_log()
    install_zip(host, zips['3.1.1'])
    with host.server():
        [mod] = host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'payment_systempay')],
                             fields=['latest_version'])
        assert mod['latest_version'] == '16.0.3.1.1'



@pytest.mark.parametrize('series,version,fresh', [('16.0', '3.1.1', 'smartform'), ('17.0', '4.3.0', 'embedded')])
def test_entry_mode_after_a_fresh_install(make_host, zips, series, version, fresh):
    """Ground truth 9: a fresh install starts with the embedded form (smartform on 3.1.x, embedded on 4.2+), and an
    upgrade keeps what the record holds (the redirect default of an upgrade only fills a column the upgrade adds:
    test_modules.py, test_upgrade_fills_a_new_column_with_its_default_computed_during_the_upgrade)."""
    host = make_host(series)
    install_zip(host, zips[version])
    host.create_db('shop1', 'website_sale,account,payment_systempay')
    field = 'systempay_payment_data_entry_mode'
    with host.server():
        [row] = host.execute('shop1', 'payment.provider', 'search_read', [('code', '=', 'systempay')], fields=[field])
        assert row[field] == fresh
    assert host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init').returncode == 0
    with host.server():
        [row] = host.execute('shop1', 'payment.provider', 'search_read', [('code', '=', 'systempay')], fields=[field])
        assert row[field] == fresh


@pytest.mark.parametrize('series,old,new', [('16.0', '3.0.3', '3.1.0'), ('17.0', '4.1.0', '4.2.0')])
def test_an_upgrade_that_adds_the_entry_mode_gives_the_existing_record_redirect(make_host, zips, series, old, new):
    """vendor-releases.json: 3.0.3 and 4.1.0 have no entry mode, 3.1.0 and 4.2.0 have it; ground truth 9: the records
    that exist when the upgrade adds it get redirect (a fresh install gets the embedded form)."""
    host = make_host(series)
    install_zip(host, zips[old])
    host.create_db('shop1', 'website_sale,account,payment_systempay')
    field = 'systempay_payment_data_entry_mode'
    with host.server():
        described = host.execute('shop1', 'payment.provider', 'fields_get', [], attributes=['type'])
        assert field not in described and 'systempay_test_password' not in described
    install_zip(host, zips[new])
    assert host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init').returncode == 0
    with host.server():
        [row] = host.execute('shop1', 'payment.provider', 'search_read', [('code', '=', 'systempay')],
                             fields=[field, 'systempay_test_password'])
        assert (row[field], row['systempay_test_password']) == ('redirect', False)
        [mod] = host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'payment_systempay')],
                             fields=['latest_version'])
        assert mod['latest_version'] == '%s.%s' % (series, new)


@pytest.mark.parametrize('series,version,lazy', [('17.0', '4.3.0', True), ('17.0', '4.1.0', False),
                                                 ('16.0', '3.1.1', False)])
def test_lazy_labels_of_the_releases_from_4_2_0_break_fields_get_over_xmlrpc(make_host, zips, series, version, lazy):
    """Ground truth 10 (Odoo 17 + 4.3.0): XML-RPC fields_get of the language fails, "cannot marshal <class
    'odoo.tools.translate._lt'> objects"; releases before 4.2.0 answer. Either way the values of the provider's list
    selections are in ir.model.fields.selection and those of the method-given ones (language, entry mode) are not."""
    host = make_host(series)
    install_zip(host, zips[version])
    host.create_db('shop1', 'website_sale,account,payment_systempay')
    with host.server():
        call = lambda: host.execute('shop1', 'payment.provider', 'fields_get', ['systempay_language'],  # noqa: E731
                                    attributes=['type', 'selection'])
        if lazy:
            with pytest.raises(xmlrpc.client.Fault) as info:
                call()
            assert "TypeError: cannot marshal <class 'odoo.tools.translate._lt'> objects" in info.value.faultString
        else:
            assert [code for code, _label in call()['systempay_language']['selection']][:3] == ['cn', 'de', 'es']
        rows = host.execute('shop1', 'ir.model.fields.selection', 'search_read',
                            [('field_id.model', '=', 'payment.provider'),
                             ('field_id.name', 'in', ['systempay_sign_algo', 'systempay_language',
                                                      'systempay_payment_data_entry_mode'])],
                            fields=['value'])
        assert [row['value'] for row in rows] == ['SHA-1', 'SHA-256']


@pytest.mark.parametrize('series,version', [('17.0', '4.3.0'), ('18.0', '4.1.0')])
def test_4x_payment_methods_after_install(make_host, zips, series, version):
    """Ground truth 10 (Odoo 17 + 4.3.0): the addon creates 15 payment.method records; active after install: the two
    primaries, cb, visa, mastercard, amex and the four multi* card ones; the provider is linked to its own method
    only, and the method lists it among its providers."""
    host = make_host(series)
    install_zip(host, zips[version])
    host.create_db('shop1', 'website_sale,account,payment_systempay')
    with host.server():
        methods = host.execute('shop1', 'payment.method', 'search_read', [('code', '=like', 'systempay%')],
                               fields=['code', 'active', 'provider_ids'], context={'active_test': False})
        [provider] = host.execute('shop1', 'payment.provider', 'search_read', [('code', '=', 'systempay')],
                                  fields=['payment_method_ids'])
    assert len(methods) == 15
    assert sorted(m['code'][len('systempay'):] for m in methods if not m['active']) == \
        ['applepay', 'ecartebleue', 'paypal', 'visaelectron', 'vpay']
    [own] = [m for m in methods if m['code'] == 'systempay']
    assert provider['payment_method_ids'] == [own['id']] and own['provider_ids'] == [provider['id']]


def test_the_broken_migration_build_leaves_its_committed_changes(pg_host, pg_cluster, zips):
    """3.1.1-broken-migrate over 3.1.0: -u exits 255, the module stays at 3.1.0, and what its migration committed
    stays: the provider row disabled, an attachment pointing to a new file of the filestore (the old file is left)."""
    install_zip(pg_host, zips['3.1.0'])
    pg_host.create_db('shop1', 'website_sale,account,payment_systempay')
    pg_host.shell('shop1', "env['ir.attachment'].create({'name': 'invoice.txt', 'raw': b'invoice 1'}); "
                           "env.cr.commit()")
    filestore = os.path.join(pg_host.data_dir, 'filestore', 'shop1')
    before = sorted(os.path.join(root, name) for root, dummy, names in os.walk(filestore) for name in names)
    install_zip(pg_host, zips['3.1.1-broken-migrate'])
    assert pg_host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init').returncode == 255
    assert 'BROKEN ON PURPOSE: the migration of 3.1.1-broken-migrate fails after its commit (from 16.0.3.1.0)' \
        in pg_host.read_log()
    assert pg_cluster.sql("SELECT latest_version FROM ir_module_module WHERE name = 'payment_systempay'",
                          'shop1').strip() == '16.0.3.1.0'
    assert pg_cluster.sql("SELECT state FROM payment_provider WHERE code = 'systempay'", 'shop1').strip() == 'disabled'
    after = sorted(os.path.join(root, name) for root, dummy, names in os.walk(filestore) for name in names)
    assert set(before) < set(after) and len(after) == len(before) + 1
    assert 'rewritten by the migration' in pg_host.shell('shop1', '''
        import base64
        print(base64.b64decode(env['ir.attachment'].search([]).datas).decode())
    ''').stdout
