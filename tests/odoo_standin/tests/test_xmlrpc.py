"""XML-RPC (ground truth section 3; Odoo 16 odoo/service/{common,db,model}.py and
base/controllers/rpc.py xmlrpc_handle_exception_int)."""
import xmlrpc.client

import pytest

from standin_helpers import make_provider_addon


@pytest.fixture
def shop(host):
    make_provider_addon(host.addons)
    host.create_db('shop1', 'account,payment_systempay')
    host.create_db('shop2', 'base')
    host.write_conf(dbfilter='^shop1$')
    with host.server():
        yield host


def fault(call):
    with pytest.raises(xmlrpc.client.Fault) as info:
        call()
    return info.value


def test_common(shop):
    common = shop.rpc('common')
    assert common.version() == {'server_version': '16.0', 'server_version_info': [16, 0, 0, 'final', 0, ''],
                                'server_serie': '16.0', 'protocol_version': 1}
    assert common.authenticate('shop1', 'admin', 'admin', {}) == 2
    assert common.login('shop1', 'admin', 'admin') == 2
    assert common.authenticate('shop1', 'admin', 'wrong', {}) is False
    err = fault(lambda: common.authenticate('nosuchdb', 'admin', 'admin', {}))
    assert err.faultCode == 1
    assert 'FATAL:  database "nosuchdb" does not exist' in err.faultString


def test_db_service_ignores_dbfilter(shop):
    assert shop.rpc('db').list() == ['shop1', 'shop2']
    assert shop.rpc('db').server_version() == '16.0'


def test_object_crud_and_validation(shop):
    ids = shop.execute('shop1', 'payment.provider', 'search', [('code', '=', 'systempay')])
    assert len(ids) == 1
    assert shop.execute('shop1', 'payment.provider', 'write', ids, {'state': 'enabled', 'is_published': True})
    [row] = shop.execute('shop1', 'payment.provider', 'read', ids, ['state', 'is_published'])
    assert row['state'] == 'enabled' and row['is_published'] is True
    err = fault(lambda: shop.execute('shop1', 'payment.provider', 'write', ids, {'foo': 1}))
    assert err.faultCode == 1
    assert err.faultString.rstrip().endswith("ValueError: Invalid field 'foo' on model 'payment.provider'")
    err = fault(lambda: shop.execute('shop1', 'payment.provider', 'write', ids, {'systempay_sign_algo': 'SHA-512'}))
    assert err.faultString.rstrip().endswith(
        "ValueError: Wrong value for payment.provider.systempay_sign_algo: 'SHA-512'")
    desc = shop.execute('shop1', 'payment.provider', 'fields_get', ['systempay_sign_algo', 'company_id'],
                        attributes=['type', 'selection', 'relation', 'required'])
    assert desc['systempay_sign_algo']['selection'] == [['SHA-1', 'SHA-1'], ['SHA-256', 'HMAC-SHA-256']]
    assert desc['company_id'] == {'type': 'many2one', 'relation': 'res.company', 'required': True}
    new_id = shop.execute('shop1', 'res.partner', 'create', {'name': 'Buyer', 'country_id': 1})
    assert shop.execute('shop1', 'res.partner', 'search_count', [('name', 'ilike', 'buy')]) == 1
    assert isinstance(new_id, int)


def test_domains_and_refs(shop):
    fr = shop.execute('shop1', 'ir.model.data', 'search_read', [('module', '=', 'base'), ('name', '=', 'fr')],
                      fields=['res_id'])[0]['res_id']
    assert shop.execute('shop1', 'res.country', 'search', ['|', ('code', '=', 'FR'), ('code', '=', 'DE')],
                        order='code desc') == shop.execute('shop1', 'res.country', 'search',
                                                           [('code', 'in', ['FR', 'DE'])], order='code desc')
    assert fr in shop.execute('shop1', 'res.country', 'search', [('code', '=', 'FR')])
    assert shop.execute('shop1', 'res.country', 'search', [('code', 'not in', ['FR']), ('id', '=', fr)]) == []


def test_fault_codes(shop):
    err = fault(lambda: shop.execute('shop1', 'res.partner', '_private'))
    assert err.faultCode == 4
    assert err.faultString == 'Private methods (such as _private) cannot be called remotely.'
    err = fault(lambda: shop.rpc('object').execute_kw('shop1', 2, 'bad', 'res.partner', 'search', [[]]))
    assert (err.faultCode, err.faultString) == (3, 'Access Denied')
    err = fault(lambda: shop.execute('shop1', 'ir.module.module', 'button_upgrade',
                                     shop.execute('shop1', 'ir.module.module', 'search', [('name', '=', 'sale')])))
    assert err.faultCode == 2 and "Can not upgrade module 'sale'. It is not installed." in err.faultString
    err = fault(lambda: shop.execute('shop1', 'no.such.model', 'search', []))
    assert (err.faultCode, err.faultString) == (2, "Object no.such.model doesn't exist")


def test_none_result_fails_but_is_committed(shop):
    pid = shop.execute('shop1', 'res.partner', 'create', {'name': 'X'})
    err = fault(lambda: shop.execute('shop1', 'res.partner', 'toggle_active', [pid]))
    assert err.faultCode == 1
    assert 'cannot marshal None unless allow_none is enabled' in err.faultString
    assert shop.execute('shop1', 'res.partner', 'search', [('id', '=', pid)]) == []   # now inactive


def test_config_parameters(shop):
    assert shop.execute('shop1', 'ir.config_parameter', 'get_param', 'web.base.url') == \
        'http://localhost:%d' % shop.port
    assert shop.execute('shop1', 'ir.config_parameter', 'get_param', 'nope') is False
    assert shop.execute('shop1', 'ir.config_parameter', 'set_param', 'web.base.url', 'https://shop.example') == \
        'http://localhost:%d' % shop.port
    assert shop.execute('shop1', 'ir.config_parameter', 'set_param', 'new.key', 'v') is False


def test_list_db_false(host):
    host.create_db('shop1')
    host.write_conf(list_db='False')
    with host.server():
        err = fault(lambda: host.rpc('db').list())
    assert (err.faultCode, err.faultString) == (3, 'Access Denied')
