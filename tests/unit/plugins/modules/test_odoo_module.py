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
import json
import os
import time

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import host_lock
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.modules import odoo_info
from ansible_collections.systempay.odoo.plugins.modules import odoo_module
from ansible_collections.systempay.odoo.plugins.filter.module_step_from_facts import module_step_from_facts
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import run_module
from ansible_collections.systempay.odoo.tests.unit.standin_host import StandinHost

WITH_ACCOUNT = 'base,account,website_sale'
WITHOUT_ACCOUNT = 'base,website'   # website does not pull account in on 16 (sale does)
PASSWORD = 'admin'                 # the stand-in's admin password (base data)
SHOP3_REFUSED = ('payment_systempay (3.x line) needs Invoicing (account), which its manifest does not declare, and '
                 'database shop3 does not have it installed (account: uninstalled): install Invoicing (account) in '
                 'shop3 first, or leave shop3 out of `databases`')
SHOP3_FAILED = 'Cannot install payment_systempay in database shop3: ' + SHOP3_REFUSED


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


def start_for(host, transport):
    """The arguments for ``transport``; rpc needs the running server (the cli reads with odoo shell)."""
    if transport == 'rpc':
        host.start()
        return rpc_args(host)
    return args(host)


# -- install -------------------------------------------------------------------------------------
@pytest.mark.parametrize('transport', ['cli', 'rpc'])
def test_install_all_databases_refuses_the_one_without_account_and_leaves_it_untouched(make_host, transport):
    host = make_host('template')
    host.start()      # databases: all comes from the running service's /xmlrpc/2/db list()
    shop3_before = host.module_states('shop3')
    result = run_module(odoo_module, start_for(host, transport), fails=True)
    assert actions(result) == [('shop1', 'install'), ('shop2', 'install'), ('shop3', 'failed')]
    assert result['msg'] == SHOP3_FAILED
    assert result['changed'] is True and result['restart_needed'] is (transport == 'cli')
    shop3 = result['databases'][2]
    assert shop3['msg'] == SHOP3_REFUSED
    assert shop3['before'] == shop3['after'] == {'state': 'uninstalled', 'version': None}
    assert shop3['log'] == []         # Odoo never ran in shop3
    assert PASSWORD not in repr(result['databases'])
    assert result['databases'][0]['after'] == {'state': 'installed', 'version': '16.0.3.1.0'}
    assert states(host)['shop1'] == ['installed', '16.0.3.1.0']
    assert states(host)['shop2'] == ['installed', '16.0.3.1.0']
    # nothing was run in shop3: not even the addon's declared dependency (payment) got installed there
    shop3_after = host.module_states('shop3')
    assert shop3_after['payment'][0] == 'uninstalled'
    assert shop3_after == shop3_before


@pytest.mark.parametrize('transport', ['cli', 'rpc'])
def test_a_refused_install_does_not_stop_the_databases_after_it(make_host, transport):
    host = make_host('template')
    params = dict(start_for(host, transport), databases=['shop3', 'shop2', 'shop1'])
    result = run_module(odoo_module, params, fails=True)
    assert actions(result) == [('shop3', 'failed'), ('shop2', 'install'), ('shop1', 'install')]
    assert result['msg'] == SHOP3_FAILED
    assert result['changed'] is True
    assert states(host) == {'shop1': ['installed', '16.0.3.1.0'], 'shop2': ['installed', '16.0.3.1.0'],
                            'shop3': ['uninstalled', False]}


def test_every_failed_database_is_named_in_the_message(make_host):
    host = make_host('template')      # service down: the unknown database is found by odoo shell
    result = run_module(odoo_module, args(host, databases=['nosuch', 'shop3', 'shop1']), fails=True)
    assert actions(result) == [('nosuch', 'failed'), ('shop3', 'failed'), ('shop1', 'install')]
    assert result['msg'] == '2 databases failed: Cannot open database nosuch: it does not exist | ' + SHOP3_FAILED
    assert result['changed'] is True and result['restart_needed'] is True
    assert states(host, ('shop1', 'shop3')) == {'shop1': ['installed', '16.0.3.1.0'], 'shop3': ['uninstalled', False]}
    assert 'nosuch' not in host.databases()


def test_the_addon_of_another_brand_is_checked_too(make_host, fixtures):
    """The addon is recognised by its CMS_IDENTIFIER, whatever the brand: payment_payzen 3.x needs account too."""
    host = make_host('template')
    host.put_addon(fixtures.unpacked('3.1.0', brand='payzen'), module='payment_payzen')
    result = run_module(odoo_module, args(host, name='payment_payzen', databases=['shop3', 'shop1']), fails=True)
    assert actions(result) == [('shop3', 'failed'), ('shop1', 'install')]
    assert result['databases'][0]['msg'].startswith('payment_payzen (3.x line) needs Invoicing (account)')
    assert host.module_state('shop1', 'payment_payzen') == ['installed', '16.0.3.1.0']
    assert host.module_state('shop3', 'payment_payzen') is None      # not even listed: Odoo never ran there
    assert host.module_state('shop3', 'payment')[0] == 'uninstalled'


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


def take_lock(tmp_path, token):
    """A run's lock on the host, taken as odoo_lock takes it; its request (path, token) for release_lock."""
    params = dict((key, spec.get('default')) for key, spec in host_lock.OPTIONS.items())
    params.update(path=str(tmp_path / 'run.lock'), token=token, holder={'controller': 'ci', 'pid': 1}, live_pids=None)
    host_lock.acquire(params, warn=lambda message: None)
    return dict(path=params['path'], token=token)


def test_the_lock_goes_with_the_last_change_only_when_the_step_succeeded(make_host, tmp_path):
    host = make_host('installed', addon='3.1.1')
    lock = take_lock(tmp_path, 'run-1')
    result = run_module(odoo_module, args(host, state='latest', databases=['shop1', 'shop2'], release_lock=lock),
                        check_mode=True)
    assert actions(result) == [('shop1', 'would_upgrade'), ('shop2', 'would_upgrade')]
    assert result['lock_released'] is False and os.path.exists(lock['path'])
    # another run's token removes nothing
    result = run_module(odoo_module, args(host, state='latest', databases=['shop1'], release_lock=dict(lock, token='x')))
    assert actions(result) == [('shop1', 'upgrade')]
    assert result['lock_released'] is False and os.path.exists(lock['path'])
    result = run_module(odoo_module, args(host, state='latest', databases=['shop2'], release_lock=lock))
    assert actions(result) == [('shop2', 'upgrade')]
    assert result['lock_released'] is True and not os.path.exists(lock['path'])

    # a failed step keeps the lock: the run's rescue (restores, rollback) still changes the host under it
    host = make_host('template')
    lock = take_lock(tmp_path, 'run-2')
    result = run_module(odoo_module, args(host, databases=['shop1', 'shop3'], release_lock=lock), fails=True)
    assert actions(result) == [('shop1', 'install'), ('shop3', 'failed')]
    assert result['lock_released'] is False and os.path.exists(lock['path'])


_CARDS = '''
import json
print('CARDS=' + json.dumps(sorted(env['systempay.card'].search([]).mapped('code'))))
'''


def cards(host, db):
    result = host.shell(db, _CARDS)
    return json.loads([line for line in result.stdout.splitlines() if line.startswith('CARDS=')][0][len('CARDS='):])


def test_new_files_of_the_same_version_are_upgraded_only_when_the_run_put_them_there(make_host):
    """A vendor archive published again under the same version, with a new data record: Odoo loads data files at
    -u only, so with same_version_replaced (site.yml: this run replaced the files by other content of their version)
    the databases at that version are upgraded and get the record; without it, nothing runs (a re-run)."""
    host = make_host('installed', addon='3.1.1')
    run_module(odoo_module, args(host, state='latest', databases=['shop1']))
    data = os.path.join(host.addons, 'payment_systempay', 'data', 'card_data.xml')
    with open(data) as handle:
        text = handle.read()
    with open(data, 'w') as handle:
        handle.write(text.replace('    </data>', '        <record id="card_maestro" model="systempay.card">'
                                  '<field name="code">MAESTRO</field><field name="label">Maestro</field></record>\n'
                                  '    </data>', 1))
    untouched = run_module(odoo_module, args(host, state='latest', databases=['shop1']))
    assert actions(untouched) == [('shop1', 'none')] and 'MAESTRO' not in cards(host, 'shop1')
    planned = run_module(odoo_module, args(host, state='latest', databases=['shop1'], same_version_replaced=True),
                         check_mode=True)
    assert actions(planned) == [('shop1', 'would_upgrade')]
    done = run_module(odoo_module, args(host, state='latest', databases=['shop1'], same_version_replaced=True))
    assert actions(done) == [('shop1', 'upgrade')] and done['changed'] is True
    assert done['databases'][0]['msg'] == 'upgraded at 16.0.3.1.1 (new files of that same version)'
    assert 'MAESTRO' in cards(host, 'shop1')
    assert host.module_state('shop1') == ['installed', '16.0.3.1.1']


@pytest.mark.parametrize('transport', ['cli', 'rpc'])
def test_new_files_of_the_same_version_whose_upgrade_fails_fail_the_database(make_host, fixtures, transport):
    """The broken-install build of 3.1.1 (3.1.1 plus a data file that cannot load) over 3.1.1: Odoo's -u fails and
    rolls back, so the database still records 16.0.3.1.1, installed, as before. Only the call's failure (exit 255,
    the Fault) and, with the CLI, the module's row, which Odoo did not write again, show that the new files were not
    loaded: the database fails, not "upgraded"."""
    host = make_host('installed', addon='3.1.1')
    run_module(odoo_module, args(host, state='latest', databases=['shop1']))
    written = host.module_row('shop1')['write_date']
    time.sleep(1.1)    # Odoo stamps write_date to the second: the next write is a later stamp
    host.put_addon(fixtures.unpacked('3.1.1-broken-install'))
    result = run_module(odoo_module, dict(start_for(host, transport), state='latest', databases=['shop1'],
                                          same_version_replaced=True), fails=True)
    assert actions(result) == [('shop1', 'failed')]
    entry = result['databases'][0]
    assert entry['before'] == entry['after'] == {'state': 'installed', 'version': '16.0.3.1.1'}
    assert result['msg'].startswith('Cannot upgrade payment_systempay in database shop1: ')
    assert 'fixture_company_that_does_not_exist' in result['msg'], result['msg']
    assert result['changed'] is False
    if transport == 'cli':   # over XML-RPC, button_immediate_upgrade commits its "to upgrade" mark (a write) first
        assert host.module_row('shop1')['write_date'] == written


@pytest.mark.parametrize('transport', ['cli', 'rpc'])
def test_a_failed_upgrade_stops_the_run_after_a_refused_install(make_host, request, transport):
    """shop3 (no account) is refused and the run goes on; shop1's upgrade to the broken-install build of 3.1.1 (its
    data fails at -u) fails and stops the run: shop2 is not touched."""
    host = make_host('installed', addon='3.1.1-broken-install')
    host.copy_databases(request.getfixturevalue('template'), ('shop3',))
    params = dict(start_for(host, transport), state='latest', databases=['shop3', 'shop1', 'shop2'])
    result = run_module(odoo_module, params, fails=True)
    assert actions(result) == [('shop3', 'failed'), ('shop1', 'failed'), ('shop2', 'skipped')]
    upgrade = result['databases'][1]
    assert upgrade['before'] == upgrade['after'] == {'state': 'installed', 'version': '16.0.3.1.0'}
    assert upgrade['log']
    assert result['msg'].startswith('2 databases failed: %s | Cannot upgrade payment_systempay in database shop1: '
                                    % SHOP3_FAILED)
    assert result['msg'].endswith(' | stopped after database shop1 (an upgrade failed), not processed: shop2')
    assert result['databases'][2] == dict(
        name='shop2', before=None, after=None, action='skipped', seconds=0.0, log=[], backup=None,
        msg='not processed: the run stopped after database shop1 (an upgrade failed)')
    assert result['changed'] is False and result['restart_needed'] is False
    assert states(host) == {'shop1': ['installed', '16.0.3.1.0'], 'shop2': ['installed', '16.0.3.1.0'],
                            'shop3': ['uninstalled', False]}


def test_latest_over_rpc_needs_a_restart_after_the_files_change(make_host, fixtures):
    host = make_host('installed')
    host.start()
    # the server reads a manifest when it first needs it (registry load) and keeps it: serve the databases first
    assert run_module(odoo_module, rpc_args(host, state='latest'))['changed'] is False
    host.put_addon(fixtures.unpacked('3.1.1'))     # new files; the running server still has 3.1.0 in memory
    result = run_module(odoo_module, rpc_args(host, state='latest'), fails=True)
    assert actions(result) == [('shop1', 'failed'), ('shop2', 'skipped')]   # an upgrade refused: the run stops
    assert 'restart Odoo first' in result['msg']
    assert result['databases'][0]['msg'] == ('the running Odoo has version 16.0.3.1.0 of payment_systempay in memory '
                                             'and the disk has 16.0.3.1.1: restart Odoo first')
    assert states(host, ('shop1', 'shop2')) == {'shop1': ['installed', '16.0.3.1.0'], 'shop2': ['installed', '16.0.3.1.0']}

    host.restart()
    result = run_module(odoo_module, rpc_args(host, state='latest'))
    assert actions(result) == [('shop1', 'upgrade'), ('shop2', 'upgrade')]
    assert result['restart_needed'] is False
    assert states(host, ('shop1', 'shop2')) == {'shop1': ['installed', '16.0.3.1.1'], 'shop2': ['installed', '16.0.3.1.1']}


# -- check mode ------------------------------------------------------------------------------------
@pytest.mark.parametrize('source, state, addon, expected', [
    ('template', 'present', '3.1.0', [('shop1', 'would_install'), ('shop2', 'would_install')]),
    ('installed', 'latest', '3.1.1', [('shop1', 'would_upgrade'), ('shop2', 'would_upgrade')]),
])
def test_check_mode_only_reads(make_host, source, state, addon, expected):
    host = make_host(source, addon=addon)
    host.start()
    dbs = host.databases()
    before = dict((db, host.module_states(db)) for db in dbs)
    result = run_module(odoo_module, args(host, state=state, databases=['shop1', 'shop2']), check_mode=True)
    assert actions(result) == expected and result['changed'] is True
    assert all(entry['after'] == entry['before'] for entry in result['databases'])
    assert dict((db, host.module_states(db)) for db in dbs) == before


@pytest.mark.parametrize('transport', ['cli', 'rpc'])
def test_check_mode_reports_and_fails_for_a_database_without_account(make_host, transport):
    """Check mode predicts the real run: shop3 is reported failed with the same reason (not would_install), the
    other databases are still reported, the task fails, and nothing changes anywhere."""
    host = make_host('template')
    host.start()
    before = dict((db, host.module_states(db)) for db in host.databases())
    result = run_module(odoo_module, dict(start_for(host, transport), databases=['shop3', 'shop1', 'shop2']),
                        check_mode=True, fails=True)
    assert actions(result) == [('shop3', 'failed'), ('shop1', 'would_install'), ('shop2', 'would_install')]
    assert result['msg'] == SHOP3_FAILED
    assert result['databases'][0]['msg'] == SHOP3_REFUSED
    assert result['changed'] is True and result['restart_needed'] is False
    assert dict((db, host.module_states(db)) for db in host.databases()) == before


# -- failures --------------------------------------------------------------------------------------
def test_misspelt_name_is_not_found_on_the_addons_path(make_host):
    host = make_host('template')
    result = run_module(odoo_module, args(host, name='payment_systempy', databases=['shop1', 'shop2']), fails=True)
    assert result['msg'].startswith('2 databases failed: Cannot install payment_systempy in database shop1: '
                                    'payment_systempy not found on the addons path (%s' % result['addons_path'][0])
    assert host.addons in result['msg']
    assert actions(result) == [('shop1', 'failed'), ('shop2', 'failed')]   # refused installs: each one is tried
    assert ' | Cannot install payment_systempy in database shop2: payment_systempy not found' in result['msg']
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
    assert [entry['action'] for entry in result['databases'][1:]] == ['install'] * (len(params['databases']) - 1)
    assert 'nosuch' not in host.databases()


def test_wrong_password_over_rpc(make_host):
    host = make_host('template')
    host.start()
    secret = 'Not-The-Password-42'
    result = run_module(odoo_module, args(host, transport='rpc', login='admin', password=secret), fails=True)
    # the same login serves every database: the run stops at the first refusal
    assert result['msg'] == ('Cannot log in to database shop1 as admin: wrong login or password | stopped after '
                             'database shop1 (the login is refused), not processed: shop2, shop3')
    assert actions(result) == [('shop1', 'failed'), ('shop2', 'skipped'), ('shop3', 'skipped')]
    assert result['changed'] is False
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


# -- facts gathered once, rpc without the program -----------------------------------------------
def gathered(host):
    """What odoo_info returns for ``host`` (the gather stage of playbooks/site.yml)."""
    return run_module(odoo_info, dict(binary=host.bin, config=host.conf))


def test_with_the_gathered_facts_odoo_is_not_discovered_again(make_host, monkeypatch):
    host = make_host('installed')
    host.start()
    facts = gathered(host)
    started = []
    real = discovery.odoo_version

    def counted(run_command, binary, interpreter=None):
        started.append(binary)
        return real(run_command, binary, interpreter)
    monkeypatch.setattr(discovery, 'odoo_version', counted)
    real_root = discovery.find_odoo_root

    def root(*a, **k):
        started.append('find_odoo_root')
        return real_root(*a, **k)
    monkeypatch.setattr(discovery, 'find_odoo_root', root)
    # binary and config point nowhere: the facts' own are used
    result = run_module(odoo_module, dict(args(host, binary='/nowhere/odoo', config='/nowhere/odoo.conf'),
                                          odoo_facts=facts, state='latest'))
    assert started == []
    assert actions(result) == [('shop1', 'none'), ('shop2', 'none')]
    assert result['addons_path'][-1] == host.addons
    # without them, the same task discovers: the odoo package's folder, whose release.py gives the version (no
    # --version run)
    run_module(odoo_module, args(host, state='latest'))
    assert started == ['find_odoo_root']


def registry_loads(host):
    """Lines of the stand-in's registry-load counter (one per registry load, tests/odoo_standin/README.md)."""
    path = os.path.join(host.root, 'registry-loads.log')
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def test_gather_reads_each_database_once_and_the_module_step_starts_no_odoo_to_read(make_host):
    host = make_host('installed')
    host.start()
    loads = len(registry_loads(host))
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    gather = registry_loads(host)[loads:]
    assert sorted(line.split()[2] for line in gather) == ['db=shop1', 'db=shop2']
    assert all(' kind=shell ' in line for line in gather)
    assert facts['database_states']['shop1']['modules']['payment_systempay']['state'] == 'installed'
    result = run_module(odoo_module, dict(args(host, state='latest'), odoo_facts=facts))
    assert actions(result) == [('shop1', 'none'), ('shop2', 'none')]
    assert len(registry_loads(host)) == loads + 2      # nothing more than gather's two reads
    # without the gathered read, the step reads each database itself
    run_module(odoo_module, args(host, state='latest'))
    assert len(registry_loads(host)) == loads + 4
    # a read without digests (odoo_info digests: false) holds the module rows just as well
    plain = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell',
                                       digests=False))
    result = run_module(odoo_module, dict(args(host, state='latest'), odoo_facts=plain))
    assert actions(result) == [('shop1', 'none'), ('shop2', 'none')]
    assert len(registry_loads(host)) == loads + 6      # gather's two reads, nothing more


def test_a_module_state_gather_did_not_read_is_read_by_the_step(make_host):
    host = make_host('installed')
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['shop1'], read_with='shell'))
    assert sorted(facts['database_states']) == ['shop1']
    loads = len(registry_loads(host))
    result = run_module(odoo_module, dict(args(host, state='latest'), odoo_facts=facts))
    assert actions(result) == [('shop1', 'none'), ('shop2', 'none')]
    assert [line.split()[2] for line in registry_loads(host)[loads:]] == ['db=shop2']


def _without_timing(result):
    keep = ('changed', 'disk', 'addons_path', 'restart_needed')
    return dict([(key, result[key]) for key in keep],
                databases=[dict(entry, seconds=0.0) for entry in result['databases']])


def test_the_module_step_from_gather_s_facts_is_what_the_module_answers_when_nothing_is_to_do(make_host):
    host = make_host('installed')
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    loads = len(registry_loads(host))
    planned = module_step_from_facts(facts, 'payment_systempay', ['all'], 'latest')
    assert planned is not None and planned['planned_from'] == 'gather'
    assert len(registry_loads(host)) == loads
    ran = run_module(odoo_module, dict(args(host, state='latest'), odoo_facts=facts))
    assert _without_timing(planned) == _without_timing(ran)
    assert actions(planned) == [('shop1', 'none'), ('shop2', 'none')]
    named = module_step_from_facts(facts, 'payment_systempay', 'shop2')
    assert actions(named) == [('shop2', 'none')]
    assert actions(module_step_from_facts(facts, 'payment_systempay', 'shop2, shop1')) == \
        [('shop2', 'none'), ('shop1', 'none')]


def test_the_module_step_from_gather_s_facts_leaves_every_other_case_to_the_module(make_host, fixtures):
    host = make_host('installed', addon='3.1.1')
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    # 3.1.1 on disk over 3.1.0 in the databases: an upgrade, which only the module does
    assert module_step_from_facts(facts, 'payment_systempay') is None
    assert actions(run_module(odoo_module, dict(args(host, state='latest'), odoo_facts=facts),
                              check_mode=True)) == [('shop1', 'would_upgrade'), ('shop2', 'would_upgrade')]
    # present: installed is enough, as the module says
    assert actions(module_step_from_facts(facts, 'payment_systempay', ['all'], 'present')) == \
        [('shop1', 'none'), ('shop2', 'none')]
    # a database gather did not read, one the server does not list, another module, no read at all
    partial = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['shop1'], read_with='shell'))
    assert module_step_from_facts(partial, 'payment_systempay', ['all'], 'present') is None
    assert module_step_from_facts(facts, 'payment_systempay', ['nosuchdb'], 'present') is None
    assert module_step_from_facts(facts, 'payment_lyra', ['all'], 'present') is None
    assert module_step_from_facts(run_module(odoo_info, dict(binary=host.bin, config=host.conf)),
                                  'payment_systempay', ['all'], 'present') is None


def test_the_read_after_an_upgrade_is_gather_s_whole_read_for_the_later_steps(make_host):
    host = make_host('installed', addon='3.1.1')
    host.start()
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    loads = len(registry_loads(host))
    result = run_module(odoo_module, dict(args(host, state='latest'), odoo_facts=facts))
    assert actions(result) == [('shop1', 'upgrade'), ('shop2', 'upgrade')]
    # per database: the upgrade, then one read (the same count as a bare module read)
    kinds = [line.split()[2:4] for line in registry_loads(host)[loads:]]
    assert sorted(kinds) == [['db=shop1', 'kind=cli'], ['db=shop1', 'kind=shell'],
                             ['db=shop2', 'kind=cli'], ['db=shop2', 'kind=shell']]
    states = result['database_states']
    assert sorted(states) == ['shop1', 'shop2']
    for db in ('shop1', 'shop2'):
        row = states[db]['modules']['payment_systempay']
        assert (row['state'], row['latest_version']) == ('installed', '16.0.3.1.1')
        assert host.module_state(db) == ['installed', '16.0.3.1.1']
        assert states[db]['salt'] != facts['database_states'][db]['salt']
        assert states[db]['provider']['record']['id']
    # nothing changed, nothing read: no states
    again = run_module(odoo_module, dict(args(host, state='latest'), odoo_facts=dict(facts, database_states=states)))
    assert actions(again) == [('shop1', 'none'), ('shop2', 'none')] and again['database_states'] == {}


def test_odoo_facts_that_are_not_odoo_info_s_are_refused(make_host):
    host = make_host('template')
    result = run_module(odoo_module, dict(args(host), odoo_facts={'series': '16.0'}), fails=True)
    assert result['msg'] == ('Cannot read the Odoo config: odoo_facts is not what systempay.odoo.odoo_info '
                             'returned: it lacks service, binary, config, version, odoo_root, databases')


def test_rpc_needs_no_odoo_program_on_the_host(make_host, monkeypatch):
    host = make_host('installed')
    host.start()
    monkeypatch.setattr(discovery, 'BINARY_CANDIDATES', ('/nowhere/odoo', '/nowhere/odoo-bin'))
    params = rpc_args(host, state='latest')
    del params['binary']
    result = run_module(odoo_module, params)
    assert actions(result) == [('shop1', 'none'), ('shop2', 'none')]
    assert result['disk'] == {'path': os.path.join(host.addons, 'payment_systempay'), 'version': '16.0.3.1.0'}
    # the cli transport does need it, and says what to set
    params = args(host)
    del params['binary']
    result = run_module(odoo_module, params, fails=True)
    assert result['msg'].startswith('Cannot find Odoo: no odoo*.service unit in ')
    assert result['msg'].endswith('(set service or binary)')


# -- check mode against the version an earlier step will put in place -------------------------------
def test_check_mode_plans_against_the_planned_version(make_host):
    host = make_host('installed', addon='3.1.0')
    host.start()
    result = run_module(odoo_module, args(host, state='latest', planned_version='3.1.1'), check_mode=True)
    assert actions(result) == [('shop1', 'would_upgrade'), ('shop2', 'would_upgrade')]
    assert result['disk']['version'] == '16.0.3.1.1' and result['changed'] is True
    assert host.module_state('shop1') == ['installed', '16.0.3.1.0']
    # the same plan for the archive already in place: nothing to do; and outside check mode it is ignored
    result = run_module(odoo_module, args(host, state='latest', planned_version='3.1.0'), check_mode=True)
    assert actions(result) == [('shop1', 'none'), ('shop2', 'none')]
    result = run_module(odoo_module, args(host, state='latest', planned_version='3.1.1'))
    assert actions(result) == [('shop1', 'none'), ('shop2', 'none')] and result['disk']['version'] == '16.0.3.1.0'


def test_check_mode_plans_the_refusal_of_a_database_without_account(make_host):
    host = make_host('template', addon='3.1.0')
    host.start()
    result = run_module(odoo_module, args(host, planned_version='3.1.1'), check_mode=True, fails=True)
    assert actions(result) == [('shop1', 'would_install'), ('shop2', 'would_install'), ('shop3', 'failed')]
    assert result['databases'][2]['msg'] == SHOP3_REFUSED


# -- databases of another series ----------------------------------------------------------------
SHOP3_OTHER_SERIES = ('database shop3 belongs to Odoo 15.0 (its base module records 15.0.1.3), not to this Odoo '
                      '16.0, which cannot load it')


def make_other_series(host, db='shop3'):
    """``db`` as a database an Odoo 15 server made records it: its base module at 15.0.x (all Odoo's check reads)."""
    result = host.shell(db, """
        env['ir.module.module'].search([('name', '=', 'base')]).write({'latest_version': '15.0.1.3'})
        env.cr.commit()
    """)
    assert result.returncode == 0, result.stderr


def test_all_leaves_out_a_database_of_another_series_and_says_which(make_host):
    host = make_host('template')
    make_other_series(host)
    host.start()
    shop3_before = host.module_states('shop3')
    result = run_module(odoo_module, args(host), fails=False)
    assert actions(result) == [('shop1', 'install'), ('shop2', 'install'), ('shop3', 'skipped')]
    assert result['databases'][2]['msg'] == 'left out of all: ' + SHOP3_OTHER_SERIES
    assert host.module_states('shop3') == shop3_before
    # gather finds it once (odoo_info), and a module given those facts does not ask again
    facts = gathered(host)
    assert facts['incompatible_databases'] == {'shop3': '15.0.1.3'}
    assert facts['databases'] == ['shop1', 'shop2', 'shop3']


def test_naming_a_database_of_another_series_is_refused_before_anything_runs(make_host, monkeypatch):
    host = make_host('template')
    make_other_series(host)
    host.start()
    facts = gathered(host)
    asked = []
    with monkeypatch.context() as patch:
        patch.setattr(transport.CliTransport, 'incompatible_databases', lambda *a: asked.append(a) or {})
        result = run_module(odoo_module, dict(args(host, databases=['shop1', 'shop3']), odoo_facts=facts),
                            fails=True)
    assert result['msg'] == 'Cannot choose databases: %s; leave it out of databases' % SHOP3_OTHER_SERIES
    assert asked == []
    assert host.module_state('shop1') == ['uninstalled', False]
    # the same check without the gathered facts: asked of Odoo itself
    result = run_module(odoo_module, args(host, databases=['shop3'], validate_only=True), fails=True)
    assert result['msg'] == 'Cannot choose databases: %s; leave it out of databases' % SHOP3_OTHER_SERIES


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
    ('latest', 'installed', '16.0.3.1.1', '16.0.3.1.0', 'none'),
    ('latest', 'to upgrade', '16.0.3.1.1', '16.0.3.1.1', 'upgrade'),
    ('present', 'uninstallable', None, '16.0.3.1.1', 'none'),
])
def test_decide(goal, state, version, expected, action):
    assert odoo_modules.decide(goal, {'state': state, 'version': version}, expected)[0] == action


def test_decide_upgrades_new_files_of_the_same_version_and_never_downgrades_them():
    same = {'state': 'installed', 'version': '16.0.3.1.1'}
    assert odoo_modules.decide('latest', same, '16.0.3.1.1', same_version_replaced=True)[0] == 'upgrade'
    assert odoo_modules.decide('present', same, '16.0.3.1.1', same_version_replaced=True)[0] == 'none'
    newer = {'state': 'installed', 'version': '16.0.3.1.1'}
    assert odoo_modules.decide('latest', newer, '16.0.3.1.0', same_version_replaced=True)[0] == 'none'


def test_decide_never_downgrades():
    action, reason = odoo_modules.decide('latest', {'state': 'installed', 'version': '16.0.3.1.1'}, '16.0.3.1.0')
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


@pytest.mark.parametrize('version, brand, line, requires', [
    ('1.2.6', 'systempay', '1', ()),
    ('2.0.5', 'systempay', '2', ()),
    ('3.1.1', 'systempay', '3', ('account',)),
    ('3.1.0', 'payzen', '3', ('account',)),
    ('4.3.0', 'systempay', '4', ('account',)),
])
def test_addon_line_of_the_copy_on_disk(fixtures, version, brand, line, requires):
    copy = odoo_modules.disk_copy('payment_' + brand, [fixtures.unpacked(version, brand)])
    found = odoo_modules.addon_line(copy, '16.0')
    assert (found['line'], found['requires']) == (line, requires)


def test_addon_line_reads_the_version_as_odoo_stores_it(tmp_path):
    module = tmp_path / 'payment_x'
    (module / 'helpers').mkdir(parents=True)
    (module / 'helpers' / 'constants.py').write_text("X_PARAMS = {\n    'CMS_IDENTIFIER': 'Odoo_16',\n}\n")
    (module / '__manifest__.py').write_text("{'name': 'x', 'version': '16.0.3.1.1', 'depends': ['payment']}\n")
    assert odoo_modules.addon_line(odoo_modules.disk_copy('payment_x', [str(tmp_path)]), '16.0')['line'] == '3'


def test_a_module_without_the_vendor_constants_has_no_line(tmp_path):
    """A module that is not the vendor's addon needs nothing more, whatever its version says."""
    module = tmp_path / 'payment_other'
    module.mkdir()
    (module / '__manifest__.py').write_text("{'name': 'other', 'version': '16.0.3.0.0', 'depends': ['payment']}\n")
    copy = odoo_modules.disk_copy('payment_other', [str(tmp_path)])
    assert copy['version'] == '16.0.3.0.0'
    assert odoo_modules.addon_line(copy, '16.0') is None
    assert odoo_modules.addon_line(None, '16.0') is None


@pytest.mark.parametrize('rows, missing', [
    ({'account': {'name': 'account', 'state': 'installed', 'latest_version': '16.0.1.2'}}, []),
    ({'account': {'name': 'account', 'state': 'to upgrade', 'latest_version': '16.0.1.2'}}, []),
    ({'account': {'name': 'account', 'state': 'uninstalled', 'latest_version': False}}, [('account', 'uninstalled')]),
    ({'account': {'name': 'account', 'state': 'to install', 'latest_version': False}}, [('account', 'to install')]),
    ({}, [('account', None)]),
])
def test_missing_requirements(rows, missing):
    assert odoo_modules.missing_requirements(rows, ('account',)) == missing


def test_requirement_failure_names_the_module_and_the_fix():
    line = {'line': '3', 'requires': ('account',)}
    assert odoo_modules.requirement_failure('payment_systempay', line, [('account', None)], 'shop9') == (
        'payment_systempay (3.x line) needs Invoicing (account), which its manifest does not declare, and database '
        'shop9 does not have it installed (account: not listed): install Invoicing (account) in shop9 first, or '
        'leave shop9 out of `databases`')
    two = odoo_modules.requirement_failure('payment_x', line, [('account', 'uninstalled'), ('sale', None)], 'shop9')
    assert 'needs Invoicing (account), sale, ' in two and 'does not have them installed' in two


# -- validate_only (the plan stage of site.yml) -------------------------------------------------------
def test_validate_only_names_a_database_this_odoo_does_not_have_and_touches_nothing(make_host):
    host = make_host()
    host.start()
    before = states(host)
    result = run_module(odoo_module, args(host, databases=['shop1', 'nosuchdb'], validate_only=True), fails=True)
    assert result['msg'].startswith('Cannot choose databases: nosuchdb is not among the databases of this Odoo (')
    ok = run_module(odoo_module, args(host, databases=['shop2', 'shop1'], validate_only=True))
    assert ok['changed'] is False and ok['databases'] == [] and ok['msg'] == 'databases: shop2, shop1'
    assert states(host) == before


def test_a_database_that_cannot_be_backed_up_is_not_upgraded_and_the_run_stops(make_host, tmp_path):
    """With backup asked for and PostgreSQL out of reach (a socket folder where no server listens), nothing runs in
    shop1, whose backup failed, and the run stops before shop2: no database is upgraded without its backup."""
    host = make_host('installed', addon='3.1.1')
    host.write_conf(db_host=str(tmp_path / 'no-postgresql-here'), db_port=5432)
    before = states(host, ('shop1', 'shop2'))
    result = run_module(odoo_module, args(host, state='latest', databases=['shop1', 'shop2'],
                                          backup={'folder': str(tmp_path / 'backups')}), fails=True)
    assert actions(result) == [('shop1', 'failed'), ('shop2', 'skipped')]
    assert result['msg'].startswith('Cannot upgrade payment_systempay in database shop1: '), result['msg']
    assert 'PostgreSQL' in result['msg'] and result['msg'].endswith('; nothing was run in it | stopped after '
                                                                    'database shop1 (a database could not be backed '
                                                                    'up), not processed: shop2'), result['msg']
    assert result['databases'][0]['backup'] is None and result['changed'] is False
    assert states(host, ('shop1', 'shop2')) == before
    assert not (tmp_path / 'backups' / 'shop1').exists() or not any((tmp_path / 'backups' / 'shop1').iterdir())
