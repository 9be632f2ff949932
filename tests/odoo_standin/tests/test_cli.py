"""CLI behaviours (ground truth section 3 and Odoo 16's odoo/cli/server.py, odoo/tools/config.py)."""
import os
import re
import time

from standin_helpers import make_module, make_provider_addon

LOG_LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+ \S+: ')


def test_version_comes_from_release_py(host, make_host):
    result = host.run('--version')
    assert result.returncode == 0
    assert result.stdout.strip() == 'Odoo Server 16.0'
    for series in ('12.0', '15.0', '17.0'):
        assert make_host(series).run('--version').stdout.strip() == 'Odoo Server %s' % series


def test_new_database_is_created_with_base_and_web(host):
    host.create_db('shop1')
    assert host.database_exists('shop1')
    log = host.read_log()
    assert 'Create database `shop1`.' in log
    assert all(LOG_LINE.match(line) for line in log.splitlines() if line and not line.startswith((' ', 'Trace')))
    with host.server():
        states = host.execute('shop1', 'ir.module.module', 'search_read', [('state', '=', 'installed')],
                              fields=['name'])
    assert {'base', 'web'} <= {m['name'] for m in states}


def test_misspelt_init_only_warns(host):
    host.create_db('shop1')
    host.clear_log()
    result = host.odoo('-d', 'shop1', '-i', 'payment_systempai', '--stop-after-init')
    assert result.returncode == 0
    warnings = [line for line in host.read_log().splitlines() if ' WARNING ' in line]
    assert len(warnings) == 1
    assert re.search(r' WARNING shop1 odoo\.modules\.loading: invalid module names, ignored: payment_systempai$',
                     warnings[0])


def test_update_of_uninstalled_module_does_nothing_and_logs_nothing(host):
    make_module(host.addons, 'my_module')
    host.create_db('shop1')
    host.clear_log()
    result = host.odoo('-d', 'shop1', '-u', 'my_module', '--stop-after-init')
    assert result.returncode == 0
    assert 'my_module' not in host.read_log()
    with host.server():
        [mod] = host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'my_module')],
                             fields=['state'])
    assert mod['state'] == 'uninstalled'


def test_without_demo_takes_a_value_like_odoo(host):
    # optparse option with a value: "--without-demo" last on the line is an error (exit 2) ...
    result = host.odoo('-d', 'shop1', '-i', 'base', '--stop-after-init', '--without-demo')
    assert result.returncode == 2
    assert '--without-demo option requires 1 argument' in result.stderr
    # ... and "--without-demo --stop-after-init" swallows --stop-after-init (the server would keep running)
    assert not host.database_exists('shop1')


def test_failure_exits_255_with_traceback(host):
    make_module(host.addons, 'broken', files={'__init__.py': 'raise RuntimeError("boom at import")\n'})
    host.create_db('shop1')
    result = host.odoo('-d', 'shop1', '-i', 'broken', '--stop-after-init')
    assert result.returncode == 255
    log = host.read_log()
    assert 'CRITICAL shop1 odoo.service.server: Failed to initialize database `shop1`.' in log
    assert 'Traceback (most recent call last):' in log
    assert 'RuntimeError: boom at import' in log


def test_wrong_generation_addon_fails_at_install(host):
    # a 1.x/2.x addon imports payment_acquirer, which Odoo 16 no longer has (ground truth section 1)
    make_provider_addon(host.addons, version='1.2.0', model=(
        'from odoo.addons.payment.models.payment_acquirer import PaymentAcquirer  # noqa\n'))
    host.create_db('shop1', 'payment')
    with host.server():
        [mod] = host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'payment_systempay')],
                             fields=['state'])
    assert mod['state'] == 'uninstalled'  # listed as installable
    result = host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init')
    assert result.returncode == 255
    assert "ModuleNotFoundError: No module named 'odoo.addons.payment.models.payment_acquirer'" in host.read_log()


def test_missing_account_fails_like_odoo16(host):
    make_provider_addon(host.addons)
    host.create_db('shop1', 'payment')
    result = host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init')
    assert result.returncode == 255
    assert "TypeError: Model 'account.payment.method' does not exist in registry." in host.read_log()


def test_failed_install_is_reset_so_the_database_is_not_blocked(host):
    # Odoo's loading.reset_modules_state: 'to install' goes back to 'uninstalled' after a failed load,
    # so the next -i of another module in the same database works. The database lacks `payment`, so
    # that dependency is installed and committed first, with the addon's 'to install' mark, before
    # the addon itself fails.
    make_provider_addon(host.addons)
    make_module(host.addons, 'my_module')
    host.create_db('shop1', 'base')
    assert host.odoo('-d', 'shop1', '-i', 'payment_systempay', '--stop-after-init').returncode == 255
    states = host.shell('shop1', "import json\n"
                        "print(json.dumps({m.name: m.state for m in env['ir.module.module'].search("
                        "[('name', 'in', ['payment_systempay', 'my_module'])])}))\n")
    assert states.returncode == 0, states.stderr
    assert '"payment_systempay": "uninstalled"' in states.stdout
    assert host.odoo('-d', 'shop1', '-i', 'my_module', '--stop-after-init').returncode == 0
    states = host.shell('shop1', "print(env['ir.module.module'].search([('name', '=', 'my_module')]).state)\n")
    assert states.stdout.strip().splitlines()[-1] == 'installed'


def test_logfile_option_and_stdout_default(host):
    other = os.path.join(host.root, 'other.log')
    host.options.pop('logfile')
    host.write_conf()
    result = host.odoo('-d', 'shop1', '-i', 'base', '--stop-after-init', '--logfile', other)
    assert result.returncode == 0
    assert 'Modules loaded.' in open(other).read()
    result = host.odoo('-d', 'shop1', '-u', 'base', '--stop-after-init')
    # without a log file Odoo logs to standard output
    assert 'INFO shop1 odoo.modules.loading: Modules loaded.' in result.stdout
    assert 'Modules loaded.' not in result.stderr


def test_without_stop_after_init_installs_then_serves(host):
    make_module(host.addons, 'my_module')
    host.create_db('shop1')
    host.create_db('shop2')
    port = host.port
    host.write_conf(http_port=1)                      # overridden by --http-port below
    host.options['http_port'] = str(port)
    with host.server('-d', 'shop1', '-i', 'my_module', '--http-port', str(port), '--db-filter', '^shop1$'):
        deadline = time.time() + 15        # the install runs after the HTTP service started, as in Odoo
        while host.execute('shop1', 'ir.module.module', 'search_read', [('name', '=', 'my_module')],
                           fields=['state'])[0]['state'] != 'installed':
            assert time.time() < deadline
            time.sleep(0.1)
        assert host.jsonrpc('/web/database/list')[2].endswith('"result": ["shop1"]}')
