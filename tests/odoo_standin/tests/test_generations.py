"""Series-dependent built-ins (ground truth sections 1, 4, 7; Odoo 13's payment_acquirer.py for 13-14)."""
import json
import xmlrpc.client

import pytest

from standin_helpers import make_module


def fields_of(host, db, model):
    with host.server():
        return host.execute(db, model, 'fields_get', attributes=['type', 'selection'])


def test_series_15_has_payment_acquirer_without_publish_flag(make_host):
    host = make_host('15.0')
    host.create_db('shop1', 'website_sale')
    with host.server():
        assert host.rpc('common').version() == {
            'server_version': '15.0', 'server_version_info': [15, 0, 0, 'final', 0, ''],
            'server_serie': '15.0', 'protocol_version': 1}
        states = {m['name']: m['state'] for m in host.execute(
            'shop1', 'ir.module.module', 'search_read', [('name', 'in', ['account', 'payment'])],
            fields=['name', 'state'])}
        assert states == {'account': 'installed', 'payment': 'installed'}   # payment depends on account <= 15
        fields = host.execute('shop1', 'payment.acquirer', 'fields_get', attributes=['type'])
        with pytest.raises(xmlrpc.client.Fault, match="Object payment.provider doesn't exist"):
            host.execute('shop1', 'payment.provider', 'search', [])
    for name in ('name', 'provider', 'state', 'website_id', 'journal_id', 'company_id', 'country_ids',
                 'payment_icon_ids', 'pre_msg', 'pending_msg', 'auth_msg', 'done_msg', 'cancel_msg',
                 'redirect_form_view_id', 'inline_form_view_id', 'display_as', 'allow_tokenization',
                 'capture_manually', 'fees_active'):
        assert name in fields, name
    for name in ('is_published', 'website_published', 'available_country_ids', 'post_msg', 'error_msg',
                 'view_template_id', 'environment'):
        assert name not in fields, name


@pytest.mark.parametrize('series,present,absent', [
    ('12.0', ['environment', 'website_published', 'provider', 'post_msg', 'error_msg', 'view_template_id',
              'specific_countries', 'country_ids'], ['state', 'is_published']),
    ('13.0', ['state', 'provider', 'view_template_id'], ['environment', 'website_published', 'is_published']),
])
def test_older_series_acquirer_fields(make_host, series, present, absent):
    host = make_host(series)
    host.create_db('shop1', 'payment')
    fields = fields_of(host, 'shop1', 'payment.acquirer')
    assert all(name in fields for name in present)
    assert not any(name in fields for name in absent)


def test_series_16_provider_core_fields(host):
    host.create_db('shop1', 'website_sale,account')
    fields = fields_of(host, 'shop1', 'payment.provider')
    assert fields['code'] == {'type': 'selection', 'selection': [['none', 'No Provider Set']]}
    assert fields['state']['selection'] == [['disabled', 'Disabled'], ['enabled', 'Enabled'], ['test', 'Test Mode']]
    for name, ftype in (('is_published', 'boolean'), ('website_id', 'many2one'), ('journal_id', 'many2one'),
                        ('available_country_ids', 'many2many'), ('payment_icon_ids', 'many2many'),
                        ('maximum_amount', 'monetary'), ('main_currency_id', 'many2one')):
        assert fields[name]['type'] == ftype, name


def test_payment_16_does_not_depend_on_account(host):
    host.create_db('shop1', 'payment')
    with host.server():
        [account] = host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'account')],
                                 fields=['state'])
    assert account['state'] == 'uninstalled'
    host.odoo('-d', 'shop1', '-i', 'account', '--stop-after-init')
    with host.server():
        banks = host.execute('shop1', 'account.journal', 'search_read', [('type', '=', 'bank')], fields=['name'])
    assert [b['name'] for b in banks] == ['Bank']


def test_acquirer_addon_works_on_15(make_host):
    host = make_host('15.0')
    make_module(host.addons, 'payment_systempay', '2.0.5', ['payment'], files={
        '__init__.py': 'from . import models\n',
        'models.py': '''
            from odoo import fields, models
            from odoo.addons.payment.models.payment_acquirer import PaymentAcquirer  # noqa: F401

            class AcquirerSystempay(models.Model):
                _inherit = 'payment.acquirer'
                provider = fields.Selection(selection_add=[('systempay', 'Systempay')],
                                            ondelete={'systempay': 'set default'})
        '''})
    host.create_db('shop1', 'payment_systempay')
    with host.server():
        [mod] = host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'payment_systempay')],
                             fields=['latest_version'])
        assert mod['latest_version'] == '15.0.2.0.5'
        aid = host.execute('shop1', 'payment.acquirer', 'create', {'name': 'S', 'provider': 'systempay'})
        assert host.execute('shop1', 'payment.acquirer', 'read', [aid], ['state'])[0]['state'] == 'disabled'


def test_series_17_payment_methods_replace_icons(make_host):
    """Odoo 17 (addons/payment/models/payment_method.py): payment.icon and payment_icon_ids are gone; payment.method
    records are linked to providers through one relation (payment.provider.payment_method_ids and
    payment.method.provider_ids are its two sides); a primary method's brand_ids lists its active brands only; a
    method cannot be enabled while its primary is inactive and every provider of that primary is disabled."""
    host = make_host('17.0')
    host.create_db('shop1', 'website_sale,account')
    script = '''
import json
Method = env['payment.method']
card = env.ref('payment.payment_method_card')
visa = Method.create({'name': 'Visa', 'code': 'visa', 'image': 'iVBORw0KGgo=', 'primary_payment_method_id': card.id})
amex = Method.create({'name': 'Amex', 'code': 'amex', 'image': 'iVBORw0KGgo=', 'primary_payment_method_id': card.id,
                      'active': False})
provider = env['payment.provider'].create({'name': 'P', 'state': 'disabled'})
try:
    visa.write({'active': True})
    refused = ''
except Exception as exc:
    refused = str(exc)
provider.write({'payment_method_ids': [(6, 0, [card.id])]})
linked = card.provider_ids.ids == [provider.id]
provider.write({'state': 'test'})
amex.write({'active': True})
brands = sorted(card.brand_ids.mapped('code'))
amex.write({'active': False})
after = sorted(card.brand_ids.mapped('code'))
card.write({'provider_ids': [(3, provider.id)]})
print('OUT=' + json.dumps({'icon': 'payment.icon' in env, 'icons_field': 'payment_icon_ids' in provider._fields,
                           'refused': refused, 'linked': linked, 'brands': brands, 'after': after,
                           'unlinked': provider.payment_method_ids.ids}))
'''
    result = host.shell('shop1', script)
    [line] = [line for line in result.stdout.splitlines() if line.startswith('OUT=')]
    out = json.loads(line[4:])
    assert out == {'icon': False, 'icons_field': False, 'linked': True, 'brands': ['amex', 'visa'],
                   'after': ['visa'], 'unlinked': [],
                   'refused': 'This payment method needs a partner in crime; you should enable a payment provider '
                              'supporting this method first.'}, out
