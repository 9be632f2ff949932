"""XML-RPC (ground truth section 3; Odoo 16 odoo/service/{common,db,model}.py and
base/controllers/rpc.py xmlrpc_handle_exception_int)."""
import re
import xmlrpc.client

import pytest

from standin_helpers import make_module, make_provider_addon


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


def test_datetimes_are_read_as_datetimes_and_answered_as_text(shop):
    """Odoo's read() gives datetime.datetime for a Datetime field (write_date); its XML-RPC marshaller
    (OdooMarshaller.dump_datetime) and JSON-RPC (date_utils.json_default) answer it as 'YYYY-MM-DD HH:MM:SS'."""
    [row] = shop.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'payment_systempay')],
                         fields=['write_date'])
    assert re.match(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$', row['write_date']), row
    result = shop.shell('shop1', """
        [row] = env['ir.module.module'].search_read([('name', '=', 'payment_systempay')], ['write_date'])
        print(type(row['write_date']).__name__, row['write_date'])
    """)
    assert result.stdout.split(None, 1) == ['datetime', row['write_date'] + '\n'], result.stderr


def test_list_db_false(host):
    host.create_db('shop1')
    host.write_conf(list_db='False')
    with host.server():
        err = fault(lambda: host.rpc('db').list())
    assert (err.faultCode, err.faultString) == (3, 'Access Denied')


LAZY_MODEL = '''
    from odoo import fields, models
    from odoo.tools.translate import _lt

    LABELS = {'en': _lt('English'), 'fr': _lt('French')}


    class Thing(models.Model):
        _name = 'thing.thing'
        _description = 'Thing'

        def _get_languages(self):
            return [(code, label) for code, label in LABELS.items()]

        language = fields.Selection(selection=_get_languages, string='Language')
        algo = fields.Selection([('SHA-1', 'SHA-1'), ('SHA-256', 'HMAC-SHA-256')], string='Algorithm')
        partner_ids = fields.Many2many('res.partner', string='Partners')
'''


def test_lazy_selection_labels_cannot_be_marshalled_and_fields_are_reflected(make_host):
    """Odoo 17 with the vendor's 4.3.0 (ground truth 10): fields_get of a selection whose labels are lazy
    translations fails over XML-RPC (TypeError, fault 1); without the 'selection' attribute it answers. The
    fields a module's install or upgrade leaves are in ir.model.fields, and the values of list selections (not
    those given by a method) in ir.model.fields.selection (Odoo's _reflect_fields / _reflect_selections)."""
    host = make_host('17.0')
    files = {'__init__.py': 'from . import models\n', 'models.py': LAZY_MODEL}
    make_module(host.addons, 'thing', files=files)
    host.create_db('shop1', 'thing')
    with host.server():
        err = fault(lambda: host.execute('shop1', 'thing.thing', 'fields_get', ['language'],
                                         attributes=['type', 'selection']))
        assert err.faultCode == 1
        assert err.faultString.rstrip().endswith(
            "TypeError: cannot marshal <class 'odoo.tools.translate._lt'> objects")
        assert host.execute('shop1', 'thing.thing', 'fields_get', ['language', 'algo'],
                            attributes=['type', 'readonly']) == {
            'language': {'type': 'selection', 'readonly': False}, 'algo': {'type': 'selection', 'readonly': False}}
        reflected = host.execute('shop1', 'ir.model.fields', 'search_read', [('model', '=', 'thing.thing')],
                                 fields=['name', 'ttype'])
        assert {('language', 'selection'), ('algo', 'selection')} <= {(row['name'], row['ttype'])
                                                                       for row in reflected}
        # a many2many's relation table and columns (Odoo's defaults: sorted tables, <table>_id)
        [m2m] = host.execute('shop1', 'ir.model.fields', 'search_read',
                             [('model', '=', 'thing.thing'), ('name', '=', 'partner_ids')],
                             fields=['ttype', 'relation', 'relation_table', 'column1', 'column2'])
        assert (m2m['ttype'], m2m['relation'], m2m['relation_table'], m2m['column1'], m2m['column2']) == (
            'many2many', 'res.partner', 'res_partner_thing_thing_rel', 'thing_thing_id', 'res_partner_id')
        [algo_row] = host.execute('shop1', 'ir.model.fields', 'search_read',
                                  [('model', '=', 'thing.thing'), ('name', '=', 'algo')],
                                  fields=['relation_table', 'column1', 'column2'])
        assert (algo_row['relation_table'], algo_row['column1'], algo_row['column2']) == (False, False, False)
        values = host.execute('shop1', 'ir.model.fields.selection', 'search_read',
                              [('field_id.model', '=', 'thing.thing')], fields=['field_id', 'value', 'name'])
        algo = [row['id'] for row in reflected if row['name'] == 'algo']
        assert [(row['field_id'][0], row['value'], row['name']) for row in values] == \
            [(algo[0], 'SHA-1', 'SHA-1'), (algo[0], 'SHA-256', 'HMAC-SHA-256')]
    # an upgrade that drops a field and a value: their rows go
    files['models.py'] = LAZY_MODEL.replace("('SHA-1', 'SHA-1'), ", '').replace(
        "        language = fields.Selection(selection=_get_languages, string='Language')\n", '')
    make_module(host.addons, 'thing', version='2.0', files=files)
    assert host.odoo('-d', 'shop1', '-u', 'thing', '--stop-after-init').returncode == 0
    with host.server():
        names = {row['name'] for row in host.execute('shop1', 'ir.model.fields', 'search_read',
                                                     [('model', '=', 'thing.thing')], fields=['name'])}
        assert 'algo' in names and 'language' not in names
        assert [row['value'] for row in host.execute('shop1', 'ir.model.fields.selection', 'search_read',
                                                     [('field_id.model', '=', 'thing.thing')],
                                                     fields=['value'])] == ['SHA-256']


def test_a_module_installed_later_keeps_the_fields_other_modules_add_to_its_models(host):
    """payment_systempay installed into a database that has website_payment: website_payment's payment.provider
    fields (website_id) stay in ir.model.fields, although the addon comes before it in the loading order (Odoo
    removes the rows of dropped fields once every module is loaded)."""
    make_provider_addon(host.addons)
    host.create_db('shop1', 'website_sale,account')
    assert host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init').returncode == 0
    with host.server():
        names = {row['name'] for row in host.execute('shop1', 'ir.model.fields', 'search_read',
                                                     [('model', '=', 'payment.provider')], fields=['name'])}
    assert {'website_id', 'systempay_site_id', 'code'} <= names, sorted(names)


def test_lazy_labels_are_a_class_of_their_own_on_18(make_host):
    """Odoo 18 names the lazy label class LazyGettext (tools/translate.py: _lt = LazyGettext)."""
    host = make_host('18.0')
    make_module(host.addons, 'thing', files={'__init__.py': 'from . import models\n', 'models.py': LAZY_MODEL})
    host.create_db('shop1', 'thing')
    with host.server():
        err = fault(lambda: host.execute('shop1', 'thing.thing', 'fields_get', ['language'],
                                         attributes=['selection']))
        assert "cannot marshal <class 'odoo.tools.translate.LazyGettext'> objects" in err.faultString
