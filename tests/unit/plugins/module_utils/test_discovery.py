# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Discovery helpers: systemd units, the odoo command line, paths as Odoo resolves them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import getpass
import os
import shutil
import subprocess
import tempfile

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import discovery as d
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import write


def run_command(argv, cwd=None):
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


# -- units --------------------------------------------------------------------
def test_parse_unit_continuations_and_resets():
    unit = d.parse_unit('[Unit]\nDescription=Odoo\n[Service]\n# c\nExecStart=/a \\\n  -c /x\nExecStart=\nExecStart=/b\n')
    assert d.merge_units(unit)['Service']['ExecStart'] == ['/b']
    assert unit['Unit']['Description'] == ['Odoo']


def test_find_units_and_precedence(tmp_path):
    etc, lib = tmp_path / 'etc', tmp_path / 'lib'
    write(lib / 'odoo.service', '[Service]\nExecStart=/usr/bin/odoo -c /lib.conf\n')
    write(etc / 'odoo.service', '[Service]\nExecStart=/usr/bin/odoo -c /etc.conf\n')
    write(lib / 'odoo@.service', '[Service]\nExecStart=/x\n')
    write(lib / 'other.service', '[Service]\nExecStart=/x\n')
    write(lib / 'odoo12.service', '[Service]\nExecStart=/x\n')
    dirs = (str(etc), str(lib))
    assert d.find_units(dirs) == ['odoo.service', 'odoo12.service']
    path, unit = d.load_unit('odoo', dirs)
    assert path == str(etc / 'odoo.service')
    assert d.unit_value(unit, 'ExecStart') == '/usr/bin/odoo -c /etc.conf'
    assert d.load_unit('nope.service', dirs) == (None, None)


def test_dropins_override_exec_start(tmp_path):
    lib, etc = tmp_path / 'lib', tmp_path / 'etc'
    write(lib / 'odoo.service', '[Service]\nUser=odoo\nExecStart=/usr/bin/odoo -c /a.conf\n')
    write(etc / 'odoo.service.d' / '10-conf.conf', '[Service]\nExecStart=\nExecStart=/usr/bin/odoo -c /b.conf\n')
    write(lib / 'odoo.service.d' / '20-user.conf', '[Service]\nUser=odoo16\nEnvironment="ODOO_RC=/c.conf" A=1\n')
    path, unit = d.load_unit('odoo.service', (str(etc), str(lib)))
    assert path == str(lib / 'odoo.service')
    assert unit['Service']['ExecStart'] == ['/usr/bin/odoo -c /b.conf']
    assert d.unit_value(unit, 'User') == 'odoo16'
    assert d.unit_environment(unit) == {'ODOO_RC': '/c.conf', 'A': '1'}


# -- command line -------------------------------------------------------------
@pytest.mark.parametrize('exec_start, binary, interpreter, config', [
    ('/usr/bin/odoo --config /etc/odoo/odoo.conf --logfile /var/log/odoo/odoo-server.log',
     '/usr/bin/odoo', None, '/etc/odoo/odoo.conf'),
    ('/opt/odoo/odoo-bin -c /etc/odoo-server.conf', '/opt/odoo/odoo-bin', None, '/etc/odoo-server.conf'),
    ('-/opt/odoo/odoo-bin --config=/etc/o.conf', '/opt/odoo/odoo-bin', None, '/etc/o.conf'),
    ('/opt/odoo/odoo-bin -c/etc/o.conf', '/opt/odoo/odoo-bin', None, '/etc/o.conf'),
    ('/usr/bin/python3 -u /opt/odoo/odoo-bin server -c "/etc/my odoo.conf"', '/opt/odoo/odoo-bin',
     '/usr/bin/python3', '/etc/my odoo.conf'),
    ('/usr/bin/odoo', '/usr/bin/odoo', None, None),
])
def test_parse_odoo_command(exec_start, binary, interpreter, config):
    parsed = d.parse_odoo_command(d.split_exec_start(exec_start))
    assert (parsed['binary'], parsed['interpreter'], parsed['options'].get('config')) == (binary, interpreter, config)
    assert parsed['command'] == 'server'


def test_parse_odoo_command_overrides():
    argv = d.split_exec_start('/usr/bin/odoo -c /e.conf --http-port=8070 --addons-path /x,/y -D /data '
                              '--no-database-list --db-filter ^a$ -d shop1 --unknown')
    options = d.parse_odoo_command(argv)
    assert options['options'] == {'config': '/e.conf', 'http_port': '8070', 'addons_path': '/x,/y',
                                  'data_dir': '/data', 'list_db': False, 'dbfilter': '^a$', 'db_name': 'shop1'}
    assert options['unknown'] == ['--unknown']


def test_parse_odoo_command_empty():
    with pytest.raises(d.DiscoveryError):
        d.parse_odoo_command([])


def test_secrets_are_masked():
    argv = d.split_exec_start('/usr/bin/odoo -c /e.conf -w pw1 --db_password=pw2 -wpw3 --smtp-password pw4')
    masked = d.mask_command(argv)
    assert not any(secret in ' '.join(masked) for secret in ('pw1', 'pw2', 'pw3', 'pw4'))
    assert masked[:3] == ['/usr/bin/odoo', '-c', '/e.conf']
    assert sorted(d.secrets_in_command(d.split_exec_start('/o -w pw1 --smtp-password pw4'))) == ['pw1', 'pw4']


@pytest.mark.parametrize('text, version, series', [
    ('Odoo Server 16.0\n', '16.0', '16.0'),
    ('Running as user root is a security risk.\nOdoo Server 12.0\n', '12.0', '12.0'),
    ('Odoo Server 16.0+e\n', '16.0+e', '16.0'),
    ('Odoo Server saas~16.1\n', 'saas~16.1', 'saas~16.1'),
])
def test_parse_version_output(text, version, series):
    assert d.parse_version_output(text) == (version, series)


def test_parse_version_output_refuses():
    with pytest.raises(d.DiscoveryError, match='Cannot parse the Odoo version'):
        d.parse_version_output('Python 3.11.2')


# -- paths --------------------------------------------------------------------
@pytest.mark.parametrize('value, expected', [
    ('/abs/path/', '/abs/path'),
    ('custom-addons', '/opt/odoo/custom-addons'),
    ('../addons', '/opt/addons'),
    ('~/addons', '/home/odoo/addons'),
    ('$ADDONS/x', '/srv/x'),
    ('${ADDONS}/y', '/srv/y'),
    ('$UNKNOWN/z', '/opt/odoo/$UNKNOWN/z'),
])
def test_expand_path(value, expected):
    assert d.expand_path(value, '/opt/odoo', '/home/odoo', {'ADDONS': '/srv'}) == expected


def test_expand_path_defaults_to_root():
    assert d.expand_path('rel', None) == '/rel'


@pytest.mark.parametrize('value, major, expected', [
    ('/a, rel ,/a', 16, ['/a', '/srv/rel']),
    ('/a,,/b', 16, ['/a', '/srv', '/b']),        # empty entry = working directory up to 17
    ('/a,', 12, ['/a', '/srv']),
    ('/a,,/b,', 18, ['/a', '/b']),               # 18 drops empty entries
])
def test_resolve_addons_path(value, major, expected):
    assert d.resolve_addons_path(value, major, '/srv') == expected


def test_default_data_dir(tmp_path):
    assert d.default_data_dir(str(tmp_path)) == str(tmp_path / '.local' / 'share' / 'Odoo')
    assert d.default_data_dir(str(tmp_path / 'missing')) == '/var/lib/odoo'
    assert d.default_data_dir(None) == '/var/lib/odoo'


def test_default_addons_path(tmp_path):
    root = tmp_path / 'src' / 'odoo'
    (root / 'addons').mkdir(parents=True)
    assert d.default_addons_path(str(root)) == [str(root / 'addons')]
    (tmp_path / 'src' / 'addons').mkdir()
    assert d.default_addons_path(str(root)) == [str(root / 'addons'), str(tmp_path / 'src' / 'addons')]
    assert d.default_addons_path(None) == []


def test_effective_addons_path_order(tmp_path):
    root = tmp_path / 'odoo'
    (root / 'addons').mkdir(parents=True)
    base = str(root / 'addons')
    data = '/var/lib/odoo/addons/16.0'
    assert d.effective_addons_path(['/x', base, '/x'], str(root), data, True) == [base, data, '/x']
    assert d.effective_addons_path(['/x'], str(root), data, False) == [base, '/x']
    assert d.effective_addons_path(['/x'], None, data, True) == [data, '/x']


@pytest.fixture
def open_tmp():
    """A temp folder every user can cross (pytest's tmp_path is 0700)."""
    folder = tempfile.mkdtemp()
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.skipif(os.geteuid() != 0, reason='needs root to chown')
def test_can_read_dir(open_tmp):
    parent = os.path.join(open_tmp, 'a')
    target = os.path.join(parent, 'b')
    os.makedirs(target)
    os.chmod(parent, 0o755)
    odoo, group, stranger = 54321, 54400, 54322
    os.chown(target, odoo, group)
    os.chmod(target, 0o500)                  # Odoo creates addons/<series> this way
    assert d.can_read_dir(target, odoo, [odoo]) is True
    assert d.can_read_dir(target, stranger, [stranger]) is False
    os.chmod(target, 0o750)
    assert d.can_read_dir(target, stranger, [group]) is True
    os.chmod(target, 0o755)
    assert d.can_read_dir(target, stranger, [stranger]) is True
    os.chmod(parent, 0o700)                  # a parent the user cannot cross
    assert d.can_read_dir(target, stranger, [stranger]) is False
    assert d.can_read_dir(os.path.join(open_tmp, 'missing'), odoo, []) is False
    assert d.can_read_dir(target, 0, [0]) is True
    assert d.can_read_dir(target) is True


def test_user_info():
    me = getpass.getuser()
    info = d.user_info(me)
    assert info['name'] == me and info['home'] and info['gid'] in info['gids']
    assert d.user_info(str(info['uid']))['name'] == me
    assert d.user_info('no-such-user-here') is None


def test_shebang_and_odoo_root(tmp_path):
    # source layout: odoo/ beside odoo-bin
    src = tmp_path / 'src'
    write(src / 'odoo' / '__init__.py', '')
    binary = write(src / 'odoo-bin', '#!/usr/bin/env python3\n', 0o755)
    assert d.shebang_interpreter(binary) == 'python3'
    assert d.find_odoo_root(binary) == str(src / 'odoo')
    # package layout: ask the interpreter where the package is, without importing it
    site = tmp_path / 'site'
    write(site / 'odoo' / '__init__.py', 'raise SystemExit("imported!")\n')
    script = write(tmp_path / 'bin' / 'odoo', '#!/usr/bin/python3\n', 0o755)
    assert d.shebang_interpreter(script) == '/usr/bin/python3'

    def run(argv, cwd=None):
        env = dict(os.environ, PYTHONPATH=str(site))
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=env)
        return proc.returncode, proc.stdout, proc.stderr
    assert d.find_odoo_root(script, run) == str(site / 'odoo')
    assert d.find_odoo_root(script, None) is None
    write(tmp_path / 'bin' / 'sh-odoo', '#!/bin/sh\n', 0o755)
    assert d.find_odoo_root(str(tmp_path / 'bin' / 'sh-odoo'), run) is None


# -- addons -------------------------------------------------------------------
def test_find_module_copies(tmp_path):
    first, second, third, empty = (str(tmp_path / n) for n in ('data', 'custom', 'broken', 'empty'))
    write(os.path.join(first, 'payment_systempay', '__manifest__.py'), "{'name': 'S', 'version': '3.1.1'}")
    write(os.path.join(second, 'payment_systempay', '__openerp__.py'), "{'name': 'S', 'version': '1.2.6'}")
    write(os.path.join(third, 'payment_systempay', '__manifest__.py'), "{'version': __import__('os').getcwd()}")
    os.makedirs(os.path.join(empty, 'payment_systempay'))   # no manifest: not a module for Odoo
    copies = d.find_module_copies('payment_systempay', [first, empty, second, third, str(tmp_path / 'none')])
    assert [(c['addons_dir'], c['version'], c['active']) for c in copies] == [
        (first, '3.1.1', True), (second, '1.2.6', False), (third, None, False)]
    assert copies[2]['error'].startswith('ValueError')
    assert copies[1]['manifest'].endswith('__openerp__.py')


def test_read_manifest_not_a_dict(tmp_path):
    write(str(tmp_path / 'm' / '__manifest__.py'), "['x']")
    path, manifest, error = d.read_manifest(str(tmp_path / 'm'))
    assert manifest is None and error == 'manifest is not a dict'


# Odoo's release.py as it is written in 16.0 and 17.0 (the assignments --version prints from), and the line an
# enterprise build adds
RELEASE_PY = """RELEASE_LEVELS = [ALPHA, BETA, RELEASE_CANDIDATE, FINAL] = ['alpha', 'beta', 'candidate', 'final']
RELEASE_LEVELS_DISPLAY = {ALPHA: ALPHA,
                          BETA: BETA,
                          RELEASE_CANDIDATE: 'rc',
                          FINAL: ''}
version_info = %s
version = '.'.join(str(s) for s in version_info[:2]) + RELEASE_LEVELS_DISPLAY[version_info[3]] + str(version_info[4] or '') + version_info[5]
series = serie = major_version = '.'.join(str(s) for s in version_info[:2])
product_name = 'Odoo'
description = 'Odoo Server'
nt_service_name = "odoo-server-" + series.replace('~','-')
"""


@pytest.mark.parametrize('version_info, extra, expected', [
    ("(16, 0, 0, FINAL, 0, '')", '', ('16.0', '16.0')),
    ("(17, 0, 0, FINAL, 0, '')", "version += '+e-20240101'\n", ('17.0+e-20240101', '17.0')),
    ("('saas~16', 3, 0, FINAL, 0, '')", '', ('saas~16.3', 'saas~16.3')),
    ("(12, 0, 0, RELEASE_CANDIDATE, 1, '')", '', ('12.0rc1', '12.0')),
])
def test_the_version_comes_from_release_py_as_version_prints_it(tmp_path, version_info, extra, expected):
    root = tmp_path / 'odoo'
    write(root / 'release.py', RELEASE_PY % version_info + extra)
    binary = write(tmp_path / 'odoo-bin', '#!/bin/sh\necho "Odoo Server 9.0"\n', 0o755)
    found = d.release_version(str(root))
    assert found == expected
    # installed_version takes it without running the program (which says 9.0 here)
    assert d.installed_version(run_command, dict(binary=binary, interpreter=None), str(root)) == expected
    assert d.parse_version_output('Odoo Server %s' % expected[0]) == expected


def test_without_a_usable_release_py_the_program_says_its_version(tmp_path):
    binary = write(tmp_path / 'odoo-bin', '#!/bin/sh\necho "Odoo Server 15.0"\n', 0o755)
    install = dict(binary=binary, interpreter=None)
    assert d.release_version(None) is None
    assert d.release_version(str(tmp_path / 'nowhere')) is None
    for text in ('version = (', "version = '16.0'\n", 'raise SystemExit(3)\n'):    # broken, no description, exits
        write(tmp_path / 'odoo' / 'release.py', text)
        assert d.release_version(str(tmp_path / 'odoo')) is None
        assert d.installed_version(run_command, install, str(tmp_path / 'odoo')) == ('15.0', '15.0')


def test_odoo_version(tmp_path):
    binary = write(tmp_path / 'odoo', '#!/bin/sh\necho "Odoo Server 16.0"\n', 0o755)
    assert d.odoo_version(run_command, binary) == ('16.0', '16.0')
    broken = write(tmp_path / 'broken', '#!/bin/sh\necho boom >&2\nexit 3\n', 0o755)
    with pytest.raises(d.DiscoveryError, match='exited 3: boom'):
        d.odoo_version(run_command, broken)
