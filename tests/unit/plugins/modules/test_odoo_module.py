# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""odoo_module, driven through main() against the real Odoo stand-in run locally.

Databases are created once per test file with the stand-in's own CLI (``-i ... --without-demo=all
--stop-after-init``) and copied (one SQLite file a database) into a fresh host for every test, so the tests do
not depend on each other. What the module did is checked by reading ``ir.module.module`` through the stand-in,
never through the module. The pure helpers of ``module_utils/odoo_modules.py`` are tested at the end.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import getpass

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.modules import odoo_module
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import run_module
from ansible_collections.systempay.odoo.tests.unit.standin_host import StandinHost

WITH_ACCOUNT = 'base,account,website_sale'
WITHOUT_ACCOUNT = 'base,website'   # website does not pull account in on 16 (sale does)
PASSWORD = 'admin'                 # the stand-in's admin password (base data)
ACCOUNT_MSG = 'payment_systempay needs the account module (Invoicing) in database shop3'


@pytest.fixture(scope='module')
def template(tmp_path_factory, fixtures):
    """shop1, shop2 (with account) and shop3 (without), addon 3.1.0 on disk, nothing of it installed."""
    host = StandinHost(tmp_path_factory.mktemp('template'))
    host.put_addon(fixtures.unpacked('3.1.0'))
    host.create_db('shop1', WITH_ACCOUNT)
    host.create_db('shop2', WITH_ACCOUNT)
    host.create_db('shop3', WITHOUT_ACCOUNT)
    return host


@pytest.fixture(scope='module')
def installed(tmp_path_factory, template):
    """shop1 and shop2 with the addon 3.1.0 installed (by the stand-in's CLI, not by the module)."""
    host = StandinHost(tmp_path_factory.mktemp('installed'))
    host.put_addon(template.addons)
    host.copy_databases(template, ('shop1', 'shop2'))
    for db in ('shop1', 'shop2'):
        result = host.odoo('-d', db, '-i', 'payment_systempay', '--stop-after-init', '--without-demo=all')
        assert result.returncode == 0, host.read_log()
    return host


@pytest.fixture
def make_host(tmp_path, monkeypatch, fixtures, request):
    """A fresh host with copies of the databases of ``template`` or ``installed``; discovery and processes use it."""
    hosts = []
    units = tmp_path / 'no-units'
    units.mkdir()
    monkeypatch.setattr(discovery, 'UNIT_DIRS', (str(units),))
    monkeypatch.delenv('ODOO_RC', raising=False)

    def make(source='template', addon='3.1.0'):
        host = StandinHost(tmp_path / ('host%d' % len(hosts)))
        host.copy_databases(request.getfixturevalue(source))
        host.put_addon(fixtures.unpacked(addon))
        for key, value in host.environ().items():
            monkeypatch.setenv(key, value)
        hosts.append(host)
        return host
    yield make
    for host in hosts:
        host.stop()


def args(host, **kwargs):
    base = dict(binary=host.bin, config=host.conf, user=getpass.getuser())
    base.update(kwargs)
    return base


def rpc_args(host, **kwargs):
    return args(host, transport='rpc', login='admin', password=PASSWORD, **kwargs)


def actions(result):
    return [(entry['name'], entry['action']) for entry in result['databases']]


def states(host, dbs=('shop1', 'shop2', 'shop3')):
    return dict((db, host.module_state(db)) for db in dbs)


# -- install -------------------------------------------------------------------------------------
def test_install_all_databases_fails_on_the_one_without_account(make_host):
    host = make_host('template')
    host.start()      # databases: all comes from the running service's /xmlrpc/2/db list()
    result = run_module(odoo_module, args(host), fails=True)
    assert actions(result) == [('shop1', 'install'), ('shop2', 'install'), ('shop3', 'failed')]
    assert result['msg'] == 'Cannot install payment_systempay in database shop3: %s (model account.payment.method ' \
                            'is missing)' % ACCOUNT_MSG
    assert result['changed'] is True and result['restart_needed'] is True
    shop3 = result['databases'][2]
    assert shop3['before'] == {'state': 'uninstalled', 'version': None}
    assert shop3['after']['state'] != 'installed'
    assert 0 < len(shop3['log']) <= 20
    assert shop3['log'][-1] == "TypeError: Model 'account.payment.method' does not exist in registry."
    assert result['databases'][0]['after'] == {'state': 'installed', 'version': '16.0.3.1.0'}
    assert states(host)['shop1'] == ['installed', '16.0.3.1.0']
    assert states(host)['shop2'] == ['installed', '16.0.3.1.0']
    assert states(host)['shop3'][0] != 'installed'


def test_a_failure_skips_the_databases_after_it(make_host):
    host = make_host('template')
    result = run_module(odoo_module, args(host, databases=['shop1', 'shop3', 'shop2']), fails=True)
    assert actions(result) == [('shop1', 'install'), ('shop3', 'failed'), ('shop2', 'skipped')]
    assert ACCOUNT_MSG in result['databases'][1]['msg']
    assert result['databases'][2]['before'] is None
    assert states(host)['shop2'] == ['uninstalled', False]


def test_rerun_changes_nothing(make_host):
    host = make_host('installed')
    host.start()
    for state in ('present', 'latest'):
        result = run_module(odoo_module, args(host, state=state))
        assert result['changed'] is False and result['restart_needed'] is False
        assert actions(result) == [('shop1', 'none'), ('shop2', 'none')]
        assert result['databases'][0]['after'] == {'state': 'installed', 'version': '16.0.3.1.0'}


# -- upgrade -------------------------------------------------------------------------------------
def test_latest_upgrades_over_cli_and_present_does_not(make_host, fixtures):
    host = make_host('installed', addon='3.1.1')
    result = run_module(odoo_module, args(host, databases=['shop1', 'shop2']))
    assert result['changed'] is False and actions(result) == [('shop1', 'none'), ('shop2', 'none')]
    assert result['disk']['version'] == '16.0.3.1.1'

    result = run_module(odoo_module, args(host, state='latest', databases=['shop1', 'shop2']))
    assert actions(result) == [('shop1', 'upgrade'), ('shop2', 'upgrade')]
    assert result['databases'][0]['msg'] == 'upgraded from 16.0.3.1.0 to 16.0.3.1.1'
    assert result['changed'] is True and result['restart_needed'] is True
    assert states(host, ('shop1', 'shop2')) == {'shop1': ['installed', '16.0.3.1.1'], 'shop2': ['installed', '16.0.3.1.1']}

    result = run_module(odoo_module, args(host, state='latest', databases=['shop1', 'shop2']))
    assert result['changed'] is False


def test_latest_over_rpc_needs_a_restart_after_the_files_change(make_host, fixtures):
    host = make_host('installed')
    host.start()
    # the server reads a manifest when it first needs it (registry load) and keeps it: serve the databases first
    assert run_module(odoo_module, rpc_args(host, state='latest'))['changed'] is False
    host.put_addon(fixtures.unpacked('3.1.1'))     # new files; the running server still has 3.1.0 in memory
    result = run_module(odoo_module, rpc_args(host, state='latest'), fails=True)
    assert actions(result) == [('shop1', 'failed'), ('shop2', 'skipped')]
    assert 'restart Odoo first' in result['msg']
    assert result['databases'][0]['msg'] == ('the running Odoo has version 16.0.3.1.0 of payment_systempay in memory '
                                             'and the disk has 16.0.3.1.1: restart Odoo first')
    assert states(host, ('shop1', 'shop2')) == {'shop1': ['installed', '16.0.3.1.0'], 'shop2': ['installed', '16.0.3.1.0']}

    host.restart()
    result = run_module(odoo_module, rpc_args(host, state='latest'))
    assert actions(result) == [('shop1', 'upgrade'), ('shop2', 'upgrade')]
    assert result['restart_needed'] is False
    assert states(host, ('shop1', 'shop2')) == {'shop1': ['installed', '16.0.3.1.1'], 'shop2': ['installed', '16.0.3.1.1']}


def test_rpc_install_all_databases(make_host):
    host = make_host('template')
    host.start()
    result = run_module(odoo_module, rpc_args(host), fails=True)
    assert actions(result) == [('shop1', 'install'), ('shop2', 'install'), ('shop3', 'failed')]
    assert ACCOUNT_MSG in result['msg']
    assert PASSWORD not in str(result['databases'][2]['log'])
    assert states(host)['shop1'] == ['installed', '16.0.3.1.0']


# -- check mode ------------------------------------------------------------------------------------
@pytest.mark.parametrize('source, state, addon, expected', [
    ('template', 'present', '3.1.0', [('shop1', 'would_install'), ('shop2', 'would_install'), ('shop3', 'would_install')]),
    ('installed', 'latest', '3.1.1', [('shop1', 'would_upgrade'), ('shop2', 'would_upgrade')]),
])
def test_check_mode_only_reads(make_host, source, state, addon, expected):
    host = make_host(source, addon=addon)
    host.start()
    dbs = host.databases()
    before = dict((db, host.module_states(db)) for db in dbs)
    result = run_module(odoo_module, args(host, state=state), check_mode=True)
    assert actions(result) == expected and result['changed'] is True
    assert all(entry['after'] == entry['before'] for entry in result['databases'])
    assert dict((db, host.module_states(db)) for db in dbs) == before


# -- failures --------------------------------------------------------------------------------------
def test_misspelt_name_is_not_found_on_the_addons_path(make_host):
    host = make_host('template')
    result = run_module(odoo_module, args(host, name='payment_systempy', databases=['shop1', 'shop2']), fails=True)
    assert result['msg'].startswith('Cannot install payment_systempy in database shop1: payment_systempy not found '
                                    'on the addons path (%s' % result['addons_path'][0])
    assert host.addons in result['msg']
    assert actions(result) == [('shop1', 'failed'), ('shop2', 'skipped')]
    assert 'payment_systempy' not in host.module_states('shop1')


def test_addon_line_that_does_not_fit_the_series(make_host):
    host = make_host('template', addon='1.2.6')
    result = run_module(odoo_module, args(host, databases=['shop1']), fails=True)
    assert result['databases'][0]['msg'] == (
        "the payment_systempay addon line on disk does not fit this Odoo series (16.0): it imports "
        "odoo.addons.payment.models.payment_acquirer, which Odoo 16.0 does not have; use the 3.x line (Odoo_16)")
    assert host.module_state('shop1')[0] != 'installed'


@pytest.mark.parametrize('transport', ['cli', 'rpc'])
def test_unknown_database_is_never_created(make_host, transport):
    host = make_host('template')
    if transport == 'rpc':
        host.start()
        params = rpc_args(host, databases=['nosuch'])
        message = 'Cannot open database nosuch: it does not exist (this Odoo has: shop1, shop2, shop3)'
    else:
        params = args(host, databases=['nosuch', 'shop1'])    # service down: the shell finds out
        message = 'Cannot open database nosuch: it does not exist'
    result = run_module(odoo_module, params, fails=True)
    assert result['msg'] == message
    assert result['databases'][0]['action'] == 'failed'
    assert 'nosuch' not in host.databases()


def test_wrong_password_over_rpc(make_host):
    host = make_host('template')
    host.start()
    secret = 'Not-The-Password-42'
    result = run_module(odoo_module, args(host, transport='rpc', login='admin', password=secret), fails=True)
    assert result['msg'] == 'Cannot log in to database shop1 as admin: wrong login or password'
    assert actions(result) == [('shop1', 'failed'), ('shop2', 'skipped'), ('shop3', 'skipped')]
    assert secret not in repr(result)


def test_all_needs_the_service_to_list_databases(make_host):
    host = make_host('template')
    result = run_module(odoo_module, args(host), fails=True)
    assert result['msg'].startswith('Cannot list the databases of Odoo: Odoo does not answer on %s' % host.url)
    assert result['msg'].endswith('name them in databases instead of all')


def test_rpc_needs_login_and_password(make_host):
    host = make_host('template')
    result = run_module(odoo_module, args(host, transport='rpc'), fails=True)
    assert 'login' in result['msg'] and 'password' in result['msg']


# -- module_utils/odoo_modules.py ------------------------------------------------------------------
@pytest.mark.parametrize('version, series, stored', [
    ('3.1.1', '16.0', '16.0.3.1.1'),
    ('16.0.3.1.1', '16.0', '16.0.3.1.1'),
    ('16.0', '16.0', '16.0.16.0'),
    ('1.0', '12.0', '12.0.1.0'),
])
def test_adapt_version_like_odoo(version, series, stored):
    assert odoo_modules.adapt_version(version, series) == stored


def test_version_key_orders_numbers_as_numbers():
    assert odoo_modules.version_key('16.0.3.1.10') > odoo_modules.version_key('16.0.3.1.9')
    assert odoo_modules.version_key('16.0.3.1.1') > odoo_modules.version_key(None)


@pytest.mark.parametrize('goal, state, version, expected, action', [
    ('present', None, None, '16.0.3.1.1', 'install'),
    ('present', 'uninstalled', None, '16.0.3.1.1', 'install'),
    ('present', 'to install', None, '16.0.3.1.1', 'install'),
    ('present', 'installed', '16.0.3.1.0', '16.0.3.1.1', 'none'),
    ('latest', 'installed', '16.0.3.1.0', '16.0.3.1.1', 'upgrade'),
    ('latest', 'installed', '16.0.3.1.1', '16.0.3.1.1', 'none'),
    ('latest', 'installed', '16.0.3.1.2', '16.0.3.1.1', 'none'),
    ('latest', 'to upgrade', '16.0.3.1.1', '16.0.3.1.1', 'upgrade'),
    ('present', 'uninstallable', None, '16.0.3.1.1', 'none'),
])
def test_decide(goal, state, version, expected, action):
    assert odoo_modules.decide(goal, {'state': state, 'version': version}, expected)[0] == action


def test_decide_never_downgrades():
    action, reason = odoo_modules.decide('latest', {'state': 'installed', 'version': '16.0.3.1.2'}, '16.0.3.1.1')
    assert action == 'none' and 'not downgraded' in reason


@pytest.mark.parametrize('text, expected', [
    ("TypeError: Model 'account.payment.method' does not exist in registry.",
     'payment_systempay needs the account module (Invoicing) in database shop3'),
    ("ModuleNotFoundError: No module named 'odoo.addons.payment.models.payment_acquirer'",
     'the payment_systempay addon line on disk does not fit this Odoo series (16.0)'),
    ('2024-01-01 00:00:00,000 1 WARNING shop3 odoo.modules.loading: invalid module names, ignored: payment_systempay',
     'payment_systempay not found on the addons path'),
    ("odoo.exceptions.UserError: You try to install module 'payment_systempay' that depends on module 'payment_x'.\n"
     "But the latter module is not available in your system.",
     'payment_systempay needs the module payment_x, which is not on the addons path'),
    ('psycopg2.OperationalError: connection to server failed: FATAL:  database "shop9" does not exist',
     'database shop9 does not exist'),
    ("ModuleNotFoundError: No module named 'requests_toolbelt'",
     'payment_systempay cannot be imported: no Python module named requests_toolbelt on this host'),
    ('ValueError: something else', None),
])
def test_explain_failure(text, expected):
    found = odoo_modules.explain_failure(text, 'payment_systempay', 'shop3', '16.0')
    assert found == expected if expected is None else found.startswith(expected)


def test_explain_failure_ignores_other_invalid_names():
    text = 'WARNING x odoo.modules.loading: invalid module names, ignored: website_foo'
    assert odoo_modules.explain_failure(text, 'payment_systempay', 'shop1', '16.0') is None
