"""Addons path, data dir and shadowing (ground truth section 2; Odoo 16 initialize_sys_path and
config.addons_data_dir)."""
import os
import stat

from standin_helpers import make_module


def _installed_version(host, db, name):
    with host.server():
        [mod] = host.execute(db, 'ir.module.module', 'search_read', [('name', '=', name)],
                             fields=['latest_version', 'state'])
    return mod


def test_data_dir_addons_created_and_first_after_core(host):
    host.create_db('shop1')
    series_dir = os.path.join(host.data_dir, 'addons', '16.0')
    assert stat.S_IMODE(os.stat(series_dir).st_mode) == 0o500
    assert stat.S_IMODE(os.stat(os.path.dirname(series_dir)).st_mode) == 0o700
    line = [l for l in host.read_log().splitlines() if 'addons paths:' in l][0]
    paths = eval(line.split('addons paths: ', 1)[1])
    assert paths[0].endswith('odoo/addons')          # the package's own addons (pkgutil.extend_path)
    assert paths[1] == series_dir                      # then <data_dir>/addons/<series>
    assert paths[2] == host.addons                     # then addons_path


def test_default_data_dir_is_users_local_share(host):
    host.options.pop('data_dir')
    host.write_conf()
    host.create_db('shop1')
    assert os.path.isdir(os.path.join(host.root, '.local', 'share', 'Odoo', 'addons', '16.0'))


def test_data_dir_copy_shadows_configured_path(host):
    make_module(host.addons, 'my_module', version='1.0')
    series_dir = os.path.join(host.data_dir, 'addons', '16.0')
    os.makedirs(os.path.dirname(series_dir), exist_ok=True)
    os.makedirs(series_dir, exist_ok=True)
    make_module(series_dir, 'my_module', version='2.0')
    host.create_db('shop1', 'my_module')
    assert _installed_version(host, 'shop1', 'my_module')['latest_version'] == '16.0.2.0'


def test_relative_addons_path_resolved_against_cwd(host):
    workdir = os.path.join(host.root, 'work')
    make_module(os.path.join(workdir, 'rel_addons'), 'rel_module')
    host.write_conf(addons_path='rel_addons')
    result = host.odoo('-d', 'shop1', '-i', 'base,rel_module', '--stop-after-init', cwd=workdir)
    assert result.returncode == 0
    assert _installed_version(host, 'shop1', 'rel_module')['state'] == 'installed'


def test_missing_addons_path_entry_only_warns(host):
    host.write_conf(addons_path=host.addons + ',/nonexistent/addons')
    result = host.odoo('-d', 'shop1', '-i', 'base', '--stop-after-init')
    assert result.returncode == 0
    assert 'WARNING shop1 odoo.modules.module: addons path does not exist: /nonexistent/addons' in host.read_log()


def test_module_removed_from_disk_is_reported_not_fatal(host):
    path = make_module(host.addons, 'gone')
    host.create_db('shop1', 'gone')
    os.rename(path, path + '.off')
    result = host.odoo('-d', 'shop1', '-u', 'base', '--stop-after-init')
    assert result.returncode == 0
    log = host.read_log()
    # Odoo's graph.add_modules, then load_modules (what real Odoo logged for an unreadable data-dir addons folder)
    assert "WARNING shop1 odoo.modules.graph: module gone: not installable, skipped" in log
    assert "Some modules are not loaded, some dependencies or manifest may be missing: ['gone']" in log
    assert log.index('module gone: not installable, skipped') < log.index('Some modules are not loaded')
