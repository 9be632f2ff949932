# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""addon_install, driven through main() on an addons folder in a temp folder.

The addons folder is made like the one Odoo creates (``<data_dir>/addons/<series>``,
mode 0500). Sources are the fixture zips of tests/fixtures/addons/build.py (the
``fixtures`` fixture of tests/unit/plugins/conftest.py); exit_json/fail_json raise
(tests/unit/plugins/modules/utils.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import tempfile

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import host_lock
from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive as archive_utils
from ansible_collections.systempay.odoo.plugins.modules import addon_install
from ansible_collections.systempay.odoo.plugins.modules import odoo_info
from ansible_collections.systempay.odoo.tests.unit.plugins.fixture_zips import latin1_constants, rezip
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import (
    AnsibleExitJson, AnsibleFailJson, patch_module_args, run_module)
from ansible_collections.systempay.odoo.tests.unit.standin_host import StandinHost

MODULE = 'payment_systempay'
ROOT_RUN = os.geteuid() == 0
# Owner of installed files in the tests: another user when root can give files away.
OWNER = ('nobody', 'nogroup', 65534, 65534) if ROOT_RUN else (None, None, os.geteuid(), os.getegid())


def run(args, check_mode=False, diff=False):
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args):
        with pytest.raises(AnsibleExitJson) as exc:
            addon_install.main()
    return exc.value.args[0]


def run_fail(args, check_mode=False):
    with patch_module_args(dict(args, _ansible_check_mode=check_mode)):
        with pytest.raises(AnsibleFailJson) as exc:
            addon_install.main()
    return exc.value.args[0]


def snapshot(folder):
    """Every entry below (and including) ``folder``: mode, owner, times. Any write shows."""
    found = {}
    for top, dirs, files in os.walk(folder):
        for name in ['.'] + dirs + files:
            path = os.path.normpath(os.path.join(top, name))
            info = os.lstat(path)
            found[os.path.relpath(path, folder)] = (info.st_mode, info.st_uid, info.st_gid,
                                                    info.st_mtime_ns, info.st_ctime_ns, info.st_size)
    return found


def content_of(src):
    with archive_utils.AddonSource(src) as source:
        return source.load().content_digest()


@pytest.fixture
def dest(tmp_path):
    """``<data_dir>/addons/16.0`` as Odoo makes it: mode 0500."""
    path = tmp_path / 'var' / 'lib' / 'odoo' / 'addons' / '16.0'
    path.mkdir(parents=True)
    path.chmod(0o500 if ROOT_RUN else 0o700)
    return str(path)


@pytest.fixture
def install(fixtures, dest):
    """Install a fixture version into ``dest`` (owner/group as OWNER); returns the result."""
    def _install(version, **extra):
        args = {'src': fixtures.zip(version), 'dest': dest}
        if OWNER[0]:
            args.update(owner=OWNER[0], group=OWNER[1])
        args.update(extra)
        return run(args)
    return _install


def versions_of(backups):
    return [os.path.basename(path).split('-')[1] for path in backups]


def test_first_install(fixtures, dest, tmp_path):
    src = rezip(fixtures.zip('3.1.1'), tmp_path / 'Systempay_Odoo_16_v3.1.1.zip',
                add=[('payment_systempay/tools/run.sh', b'#!/bin/sh\n', stat.S_IFREG | 0o755)])
    args = {'src': src, 'dest': dest}
    if OWNER[0]:
        args.update(owner=OWNER[0], group=OWNER[1])
    result = run(args)
    target = os.path.join(dest, MODULE)
    assert result['changed'] is True
    assert (result['previous_version'], result['version'], result['path']) == (None, '3.1.1', target)
    assert result['backup_path'] is None and result['backups'] == []
    assert result['content_sha256'] == content_of(src) == archive_utils.tree_sha256(target)
    assert sorted(os.listdir(dest)) == [MODULE]   # no staging left, no backup folder
    assert stat.S_IMODE(os.stat(dest).st_mode) == (0o500 if ROOT_RUN else 0o700)
    for top, dirs, files in os.walk(target):
        for name in dirs + files:
            info = os.lstat(os.path.join(top, name))
            assert (info.st_uid, info.st_gid) == OWNER[2:]
            expected = 0o755 if name in dirs or name == 'run.sh' else 0o644
            assert stat.S_IMODE(info.st_mode) == expected, os.path.join(top, name)
    assert (os.stat(target).st_uid, stat.S_IMODE(os.stat(target).st_mode)) == (OWNER[2], 0o755)


@pytest.mark.skipif(not ROOT_RUN, reason='giving files away needs root')
def test_owner_defaults_to_the_addons_folder_owner(fixtures, dest):
    os.chown(dest, 65534, 65534)
    run({'src': fixtures.zip('3.1.1'), 'dest': dest, 'dir_mode': '0750', 'file_mode': '0640'})
    info = os.stat(os.path.join(dest, MODULE, '__manifest__.py'))
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o640)
    assert stat.S_IMODE(os.stat(os.path.join(dest, MODULE, 'models')).st_mode) == 0o750


def test_same_content_changes_nothing(fixtures, dest, install):
    install('3.1.1')
    target = os.path.join(dest, MODULE)
    os.makedirs(os.path.join(target, '__pycache__'))       # what Odoo's Python writes at run time
    with open(os.path.join(target, '__pycache__', '__init__.cpython-311.pyc'), 'wb') as handle:
        handle.write(b'compiled')
    before = snapshot(dest)
    for check_mode in (False, True):
        result = run({'src': fixtures.zip('3.1.1'), 'dest': dest}, check_mode=check_mode, diff=True)
        assert result['changed'] is False and 'diff' not in result
        assert (result['previous_version'], result['version']) == ('3.1.1', '3.1.1')
        assert result['backup_path'] is None
    # the unpacked folder of the same archive is the same content
    assert run({'src': fixtures.unpacked('3.1.1'), 'dest': dest})['changed'] is False
    assert snapshot(dest) == before


def test_upgrade_keeps_a_backup(fixtures, dest, install):
    install('3.1.0')
    old_content = archive_utils.tree_sha256(os.path.join(dest, MODULE))
    result = install('3.1.1')
    assert result['changed'] is True
    assert (result['previous_version'], result['version']) == ('3.1.0', '3.1.1')
    assert archive_utils.tree_sha256(os.path.join(dest, MODULE)) == content_of(fixtures.zip('3.1.1'))
    backup = result['backup_path']
    assert os.path.dirname(backup) == os.path.join(dest, '.systempay-backups')
    assert os.path.basename(backup).startswith('payment_systempay-3.1.0-')
    assert archive_utils.tree_sha256(backup) == old_content
    assert result['backups'] == [backup]
    assert sorted(os.listdir(dest)) == ['.systempay-backups', MODULE]


def test_backups_are_pruned_oldest_first(dest, install):
    for version in ('3.0.3', '3.1.0', '3.1.1'):
        install(version, backup_keep=2)
    result = install('3.1.1-broken-start', backup_keep=2)   # other content of 3.1.1: 3.1.1 goes to the backups
    assert versions_of(result['backups']) == ['3.1.1', '3.1.0']
    assert result['backup_path'] == result['backups'][0]
    assert sorted(os.listdir(os.path.join(dest, '.systempay-backups'))) == sorted(
        os.path.basename(path) for path in result['backups'])
    result = install('3.1.0', backup_keep=0)
    assert result['backups'] == [] and result['backup_path'] is None


def test_rollback_restores_the_previous_copy(fixtures, dest, install):
    install('3.1.0')
    install('3.1.1')
    result = run({'dest': dest, 'rollback': True})
    assert result['changed'] is True
    assert (result['previous_version'], result['version']) == ('3.1.1', '3.1.0')
    assert archive_utils.tree_sha256(os.path.join(dest, MODULE)) == content_of(fixtures.zip('3.1.0'))
    assert result['content_sha256'] == content_of(fixtures.zip('3.1.0'))
    assert versions_of(result['backups']) == ['3.1.1']
    assert archive_utils.tree_sha256(result['backup_path']) == content_of(fixtures.zip('3.1.1'))
    # and back again: the copy just replaced is now the newest backup
    assert run({'dest': dest, 'rollback': True})['version'] == '3.1.1'


def test_rollback_without_backup_fails(dest, install):
    msg = run_fail({'dest': dest, 'rollback': True})['msg']
    assert msg == 'Cannot roll back payment_systempay in %s: no backup in %s/.systempay-backups' % (dest, dest)
    install('3.1.1')
    assert 'no backup in' in run_fail({'dest': dest, 'rollback': True})['msg']


def test_check_mode_touches_nothing(fixtures, dest, install):
    result = run({'src': fixtures.zip('3.1.0'), 'dest': dest}, check_mode=True)
    assert result['changed'] is True and os.listdir(dest) == []
    install('3.1.0')
    install('3.1.1')
    before, tree = snapshot(dest), archive_utils.tree_sha256(dest)
    # other content of the same version (a build of 3.1.1 with one more file)
    result = run({'src': fixtures.zip('3.1.1-broken-start'), 'dest': dest}, check_mode=True, diff=True)
    assert result['changed'] is True and result['backup_path'] is None
    assert (result['previous_version'], result['version']) == ('3.1.1', '3.1.1')
    assert result['diff']['before'] == {'path': os.path.join(dest, MODULE), 'version': '3.1.1',
                                        'content_sha256': content_of(fixtures.zip('3.1.1'))}
    assert result['diff']['after']['version'] == '3.1.1'
    assert result['diff']['after']['content_sha256'] == content_of(fixtures.zip('3.1.1-broken-start'))
    assert result['diff']['after']['content_sha256'] != result['diff']['before']['content_sha256']
    result = run({'dest': dest, 'rollback': True}, check_mode=True)
    assert result['changed'] is True and result['version'] == '3.1.0'
    assert snapshot(dest) == before and archive_utils.tree_sha256(dest) == tree


def test_failure_on_the_second_rename_puts_the_old_copy_back(fixtures, dest, install, monkeypatch):
    install('3.1.0')
    target = os.path.join(dest, MODULE)
    old_content = archive_utils.tree_sha256(target)
    real_rename = os.rename
    calls = []

    def rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:
            raise OSError(28, 'No space left on device')
        return real_rename(src, dst)
    monkeypatch.setattr(os, 'rename', rename)
    result = run_fail({'src': fixtures.zip('3.1.1'), 'dest': dest})
    monkeypatch.undo()
    assert result['msg'] == ('Cannot install payment_systempay in %s: [Errno 28] No space left on device; '
                             '%s is as it was' % (dest, target))
    assert calls[0][0] == target and calls[1][1] == target and calls[2] == (calls[0][1], target)
    assert archive_utils.tree_sha256(target) == old_content
    assert result['backup_path'] is None
    leftovers = [name for name in os.listdir(dest) if name.startswith('.systempay-staging-')]
    assert leftovers == []
    assert os.listdir(os.path.join(dest, '.systempay-backups')) == []


@pytest.mark.parametrize('breakage, message', [
    ('missing', 'no such folder'),
    ('file', 'not a folder'),
    ('read-only', 'the folder is not writable by this user'),
    ('module-link', 'payment_systempay is a symbolic link'),
    ('module-file', 'payment_systempay is not a folder; move it away'),
])
def test_refusals_leave_dest_unchanged(fixtures, dest, monkeypatch, breakage, message):
    target = os.path.join(dest, MODULE)
    if breakage == 'missing':
        os.rmdir(dest)
    elif breakage == 'file':
        os.rmdir(dest)
        with open(dest, 'w') as handle:
            handle.write('x')
    elif breakage == 'read-only':
        real_access = os.access
        monkeypatch.setattr(os, 'access', lambda path, mode: False if path == dest else real_access(path, mode))
    elif breakage == 'module-link':
        os.chmod(dest, 0o700)
        os.symlink(fixtures.unpacked('3.1.0'), target)
    else:
        os.chmod(dest, 0o700)
        with open(target, 'w') as handle:
            handle.write('x')
    parent = os.path.dirname(dest)
    before = snapshot(parent)
    result = run_fail({'src': fixtures.zip('3.1.1'), 'dest': dest})
    assert result['msg'].startswith('Cannot install in %s: ' % dest) and message in result['msg']
    assert snapshot(parent) == before


def test_source_refused_on_the_host_too(fixtures, dest, install, tmp_path):
    install('3.1.0')
    before = snapshot(dest)
    msg = run_fail({'src': fixtures.zip('3.1.1'), 'dest': dest, 'expected_sha256': 'sha256:' + '0' * 64})['msg']
    assert msg == 'Cannot install %s: its content is sha256 %s, expected %s' % (
        fixtures.zip('3.1.1'), content_of(fixtures.zip('3.1.1')), '0' * 64)
    msg = run_fail({'src': fixtures.zip('1.2.6'), 'dest': dest, 'series': '16.0'})['msg']
    assert 'declares Odoo_10-14 but this host runs Odoo 16.0: use the 3.x line (Odoo_16)' in msg
    slip = rezip(fixtures.zip('3.1.1'), tmp_path / 'slip.zip', add=[('../x', b'x', stat.S_IFREG | 0o644)])
    assert "entry '../x' climbs out" in run_fail({'src': slip, 'dest': dest})['msg']
    assert 'its module folder is payment_payzen/' in run_fail({'src': fixtures.zip('3.1.1', 'payzen'),
                                                              'dest': dest})['msg']
    assert snapshot(dest) == before
    good = run({'src': fixtures.zip('3.1.1'), 'dest': dest, 'expected_sha256': content_of(fixtures.zip('3.1.1'))})
    assert good['changed'] is True


@pytest.mark.parametrize('args, message', [
    ({}, 'give either src or rollback: true'),
    ({'src': '/x.zip', 'rollback': True}, 'give either src or rollback: true'),
    ({'src': '/x.zip', 'module': 'website'}, 'it must be payment_<brand>'),
    ({'src': '/x.zip', 'dir_mode': 'u+rwx'}, 'give an octal mode like "0755"'),
    ({'src': '/x.zip', 'backup_keep': -1}, 'backup_keep must be 0 or more'),
    ({'src': '/x.zip', 'owner': 'no-such-user-here'}, 'no such user on this host'),
])
def test_bad_options(dest, args, message):
    assert message in run_fail(dict(args, dest=dest))['msg']


def test_failure_to_put_the_old_copy_back_says_where_it_is(fixtures, dest, install, monkeypatch):
    install('3.1.0')
    real_rename = os.rename
    calls = []

    def rename(src, dst):
        calls.append(src)
        if len(calls) >= 2:
            raise OSError(5, 'Input/output error')
        return real_rename(src, dst)
    monkeypatch.setattr(os, 'rename', rename)
    result = run_fail({'src': fixtures.zip('3.1.1'), 'dest': dest})
    monkeypatch.undo()
    backup = result['backup_path']
    assert os.path.basename(backup).startswith('payment_systempay-3.1.0-')
    assert result['msg'] == ('Cannot put %s in place: [Errno 5] Input/output error, and the previous copy could '
                             'not be put back from %s: [Errno 5] Input/output error' % (os.path.join(dest, MODULE), backup))
    assert archive_utils.tree_sha256(backup) == content_of(fixtures.zip('3.1.0'))


def test_python_that_does_not_compile_is_refused_before_the_swap(fixtures, dest, install, tmp_path, monkeypatch):
    """The vendor's 4.3.0 fault (utf-8 declared, a Latin-1 byte in helpers/constants.py), reproduced on our 3.1.1
    fixture: refused naming the file, the line and the cause, in check mode too; nothing changes in dest."""
    # the compile check's scratch folder goes to the temporary folder: this test's own, so that another test running
    # at the same time (pytest-xdist) cannot leave one there while this one looks
    scratch = tmp_path / 'tmp'
    scratch.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(scratch))
    install('3.1.0')
    before = snapshot(dest)
    src = latin1_constants(fixtures.zip('3.1.1'), tmp_path / 'Systempay_Odoo_16_v3.1.1.zip')
    for check_mode in (True, False):
        msg = run_fail({'src': src, 'dest': dest, 'python': 'python3'}, check_mode=check_mode)['msg']
        assert msg.startswith('Cannot install payment_systempay: 1 Python file of the archive does not compile with '), msg
        assert 'payment_systempay/helpers/constants.py line 2: SyntaxError: ' in msg and "can't decode byte 0xe9" in msg
        assert msg.endswith('; %s is as it was' % os.path.join(dest, MODULE))
        assert snapshot(dest) == before
    assert not [name for name in os.listdir(tempfile.gettempdir()) if name.startswith(addon_install.STAGING_PREFIX)]


def test_an_interpreter_that_cannot_run_is_a_clear_error(fixtures, dest):
    msg = run_fail({'src': fixtures.zip('3.1.1'), 'dest': dest, 'python': '/bin/false'})['msg']
    assert msg.startswith("Cannot compile the addon's Python with /bin/false: "), msg
    assert os.listdir(dest) == []


def gathered_facts(tmp_path, monkeypatch):
    """What odoo_info returns for a stand-in host (the gather stage's facts the backup room check is given)."""
    units = tmp_path / 'no-units'
    units.mkdir()
    monkeypatch.setattr(discovery, 'UNIT_DIRS', (str(units),))
    monkeypatch.delenv('ODOO_RC', raising=False)
    host = StandinHost(tmp_path / 'odoo')
    for key, value in host.environ().items():
        monkeypatch.setenv(key, value)
    return run_module(odoo_info, dict(binary=host.bin, config=host.conf))


def test_the_run_s_last_checks_and_its_lock_come_in_the_install_s_call_before_the_swap(fixtures, dest, install,
                                                                                       tmp_path, monkeypatch):
    # playbooks/site.yml: when the install is the run's first change, it checks the room for the database backups
    # and takes the run's lock in its own call; a refusal of either leaves the folder as it was
    install('3.1.0')
    lock = dict(path=str(tmp_path / 'lock' / 'run.lock'), token='run-1', holder={'controller': 'here', 'pid': 1},
                wait=0)
    args = dict(src=fixtures.zip('3.1.1'), dest=dest, lock=lock)
    not_a_folder = tmp_path / 'backups'
    not_a_folder.write_text('')
    before = snapshot(dest)
    room = dict(folder=str(not_a_folder), databases=['shop1'], odoo_facts=gathered_facts(tmp_path, monkeypatch))
    result = run_fail(dict(args, backup_room=room))
    assert result['msg'] == ('%s is not a folder: give a folder for the database backups '
                             '(systempay_odoo_db_backup_dir)' % not_a_folder)
    assert snapshot(dest) == before and not os.path.exists(lock['path']) and result['lock'] is None

    other = dict((key, spec.get('default')) for key, spec in host_lock.OPTIONS.items())
    other.update(path=lock['path'], token='run-0', holder={'controller': 'elsewhere', 'pid': 7})
    host_lock.acquire(other, warn=lambda message: None)
    result = run_fail(args)
    assert result['msg'].startswith('Cannot take the lock %s: another run holds it (controller elsewhere, '
                                    'ansible-playbook pid 7' % lock['path'])
    assert snapshot(dest) == before
    os.unlink(lock['path'])

    result = run(args, check_mode=True)
    assert result['changed'] is True and result['lock'] is None and not os.path.exists(lock['path'])
    result = run(args)
    assert result['lock']['acquired'] is True and result['version'] == '3.1.1'
    with open(lock['path']) as handle:
        assert json.load(handle)['token'] == 'run-1'
    # the content as the archive has it: the lock is still taken (the run's later changes need it)
    os.unlink(lock['path'])
    result = run(args)
    assert result['changed'] is False and result['lock']['acquired'] is True and os.path.exists(lock['path'])


def test_the_restart_comes_in_the_same_call_right_after_a_swap_and_only_then(fixtures, dest, install, monkeypatch):
    # roles/addon gives `restart` when nothing else changes between the swap and the restart: the new process must
    # find the new folder in place, and a folder left as it was (or check mode) restarts nothing
    install('3.1.0')
    calls = []

    def restart_and_prove(run_command, service, url, port, timeout=120, logfile=None, module=None):
        calls.append((service, url, port, timeout, logfile, module, installed_version(dest)))
        return dict(proven=len(calls) == 1, restarted=True, msg='the proof of call %d' % len(calls))
    monkeypatch.setattr(addon_install.service_restart, 'restart_and_prove', restart_and_prove)
    restart = dict(service='odoo', url='http://127.0.0.1:8069', port=8069, logfile='/var/log/odoo/odoo-server.log')
    args = dict(src=fixtures.zip('3.1.1'), dest=dest, restart=restart)

    result = run(args, check_mode=True)
    assert (result['changed'], result['restart'], calls) == (True, None, [])
    result = run(args)
    assert result['changed'] is True
    assert result['restart'] == dict(proven=True, restarted=True, msg='the proof of call 1')
    assert calls == [('odoo', 'http://127.0.0.1:8069', 8069, 120, '/var/log/odoo/odoo-server.log', MODULE, '3.1.1')]
    result = run(args)
    assert (result['changed'], result['restart'], len(calls)) == (False, None, 1)

    # a restart that cannot be proven does not fail the task: the caller reads it and puts the files back
    result = run(dict(args, src=fixtures.zip('3.1.0')))
    assert result['changed'] is True and result['restart']['proven'] is False and calls[-1][-1] == '3.1.0'
    assert result['backup_path'] is not None


def installed_version(dest):
    return addon_install.installed(os.path.join(dest, MODULE))['version']
