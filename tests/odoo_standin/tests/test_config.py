"""Addons path, data dir and shadowing (ground truth section 2; Odoo 16 initialize_sys_path and
config.addons_data_dir)."""
import os
import pwd
import shutil
import stat
import subprocess
import tempfile

import pytest

from standin_helpers import Host, make_module


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


# The service user runs the system's Python (the venv's may not be readable by it); the stand-in is stdlib-only.
SYSTEM_PYTHON = '/usr/bin/python3'


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which('runuser') or not os.path.exists(SYSTEM_PYTHON),
                    reason='needs root, runuser and /usr/bin/python3 to run Odoo as another user')
def test_data_dir_addons_left_to_root_are_skipped_by_the_service_user():
    """Odoo run once as root leaves <data_dir>/addons (0700) and <data_dir>/addons/16.0 (0500) to root. Odoo then
    running as the service user cannot read them: initialize_sys_path leaves the folder out (os.access R_OK), so a
    module installed there is skipped (graph.add_modules) and listed as not loaded (loading.load_modules), and the
    run still exits 0 (ground truth section 8)."""
    root = tempfile.mkdtemp(prefix='standin-root-')
    try:
        os.chmod(root, 0o755)
        host = Host(root, series='16.0')            # its own copy of the stand-in, readable by the service user
        series_dir = os.path.join(host.data_dir, 'addons', '16.0')
        os.makedirs(series_dir)
        make_module(series_dir, 'mymod')
        host.create_db('shop1', 'mymod')            # as root: the folder is readable, the module is installed
        assert "module mymod: not installable" not in host.read_log()
        os.chmod(series_dir, 0o500)
        os.chmod(os.path.dirname(series_dir), 0o700)
        user = pwd.getpwnam('nobody')
        for top, dirs, files in os.walk(root):
            for name in [top] + [os.path.join(top, n) for n in dirs + files]:
                if not name.startswith(os.path.dirname(series_dir)):
                    os.chown(name, user.pw_uid, user.pw_gid)
        host.clear_log()
        result = subprocess.run(['runuser', '-u', 'nobody', '--', SYSTEM_PYTHON, host.bin, '-c', host.conf, '-d', 'shop1',
                                 '-u', 'base', '--stop-after-init'], env=host.env(), cwd=root,
                                capture_output=True, text=True, timeout=60)
        log = host.read_log()
        assert result.returncode == 0, result.stderr + log
        paths_line = [line for line in log.splitlines() if 'addons paths:' in line][0]
        assert series_dir not in paths_line
        assert 'WARNING shop1 odoo.modules.graph: module mymod: not installable, skipped' in log
        assert "Some modules are not loaded, some dependencies or manifest may be missing: ['mymod']" in log
    finally:
        shutil.rmtree(root, ignore_errors=True)
