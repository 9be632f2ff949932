# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""odoo_config, driven through main() on config files in temp folders.

exit_json/fail_json raise, as in community.postgresql's unit tests; the harness
is tests/unit/plugins/modules/utils.py.
Every file starts with an old mtime, so "untouched" means the same bytes and
the same mtime.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible.module_utils import basic
from ansible_collections.systempay.odoo.plugins.modules import odoo_config

from ansible_collections.systempay.odoo.tests.unit.plugins.modules import utils as harness
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import patch_module_args, write

REAL_EXIT_JSON = basic.AnsibleModule.exit_json
OLD = 1000000000  # mtime given to every fixture file

# The Debian package's file (addons_path commented out) with a real database password.
DEBIAN = (
    "[options]\n"
    "; This is the password that allows database operations:\n"
    "; admin_passwd = older-secret\n"
    "db_host = False\n"
    "db_port = False\n"
    "db_user = odoo\n"
    "db_password = db-secret\n"
    ";addons_path = /usr/lib/python3/dist-packages/odoo/addons\n"
    "data_dir = /var/lib/odoo\n"
)

# A hand-edited file: comments, odd spacing, ':' separator, a continued value, another section.
MESSY = (
    "# managed by hand, do not sort\n"
    "[options]\n"
    "Log_Level = info\n"
    "addons_path = {a},\n"
    "    {b}\n"
    "; the port\n"
    "xmlrpc_port: 8070\n"
    "workers=4\n"
    "\n"
    "[queue_job]\n"
    "channels = root:2\n"
)


def conf_file(tmp_path, text, name='odoo.conf', mode=0o644):
    path = write(os.path.join(str(tmp_path), 'etc', name), text, mode)
    os.utime(path, (OLD, OLD))
    return path


def folder(tmp_path, *parts):
    path = os.path.join(str(tmp_path), *parts)
    os.makedirs(path, exist_ok=True)
    return path


def snapshot(path):
    with open(path, 'rb') as handle:
        return handle.read(), os.stat(path).st_mtime_ns


def backups(path):
    base = os.path.basename(path)
    return sorted(name for name in os.listdir(os.path.dirname(path)) if name.startswith(base + '.'))


def run(args, check=False, diff=False):
    args = dict(args, _ansible_check_mode=check, _ansible_diff=diff)
    with patch_module_args(args):
        with pytest.raises(harness.AnsibleExitJson) as exc:
            odoo_config.main()
    return exc.value.args[0]


def run_fail(args):
    with patch_module_args(args):
        with pytest.raises(harness.AnsibleFailJson) as exc:
            odoo_config.main()
    return exc.value.args[0]


def read(path):
    with open(path, 'rb') as handle:
        return handle.read().decode('utf-8')


@pytest.fixture
def paths(tmp_path):
    """Folders that exist: Odoo's default addons, two custom ones."""
    return {
        'default': folder(tmp_path, 'usr/lib/python3/dist-packages/odoo/addons'),
        'custom': folder(tmp_path, 'opt/odoo/custom-addons'),
        'extra': folder(tmp_path, 'srv/extra-addons'),
    }


# -- addons_path --------------------------------------------------------------
def test_debian_commented_addons_path_keeps_the_default(tmp_path, paths):
    path = conf_file(tmp_path, DEBIAN)
    result = run({'path': path, 'addons_path_add': [paths['custom']], 'addons_path_default': [paths['default']]})
    new_line = 'addons_path = %s,%s\n' % (paths['default'], paths['custom'])
    assert read(path) == DEBIAN + new_line      # the commented line stays, the new key goes last
    assert result['changed'] is True and result['changed_keys'] == ['addons_path']
    assert result['addons_path'] == [paths['default'], paths['custom']]
    assert read(result['backup_file']) == DEBIAN


@pytest.mark.parametrize('default', [None, []])
def test_debian_commented_addons_path_without_default_is_refused(tmp_path, paths, default):
    path = conf_file(tmp_path, DEBIAN)
    before = snapshot(path)
    result = run_fail({'path': path, 'addons_path_add': [paths['custom']], 'addons_path_default': default})
    assert result['msg'].startswith('Cannot add %s to addons_path: %s leaves addons_path unset' % (paths['custom'], path))
    assert 'addons_path_default' in result['msg']
    assert snapshot(path) == before and backups(path) == []


def test_entries_already_in_the_default_need_no_write(tmp_path, paths):
    path = conf_file(tmp_path, DEBIAN)
    before = snapshot(path)
    result = run({'path': path, 'addons_path_add': [paths['default'] + '/'], 'addons_path_default': [paths['default']]})
    assert result['changed'] is False and result['addons_path'] == []
    assert snapshot(path) == before


@pytest.mark.parametrize('position, expected', [
    ('last', '{a},{b},{c},{d}'),
    ('first', '{c},{d},{a},{b}'),
])
def test_add_first_or_last_without_reordering(tmp_path, paths, position, expected):
    spots = dict(a=paths['default'], b=paths['custom'], c=paths['extra'], d=folder(tmp_path, 'srv/more'))
    path = conf_file(tmp_path, MESSY.format(**spots))
    result = run({'path': path, 'addons_path_add': [spots['c'], spots['d'], spots['c']],
                  'addons_path_position': position})
    value = expected.format(**spots)
    assert result['addons_path'] == value.split(',')
    # the continued value becomes one line; nothing else moves
    assert read(path) == MESSY.format(**spots).replace('{a},\n    {b}\n'.format(**spots), value + '\n')


def test_no_duplicate_of_an_entry_spelt_otherwise(tmp_path, paths):
    link = os.path.join(str(tmp_path), 'addons-link')
    os.symlink(paths['extra'], link)
    text = '[options]\naddons_path = %s/,custom-addons,%s\n' % (paths['default'], link)
    path = conf_file(tmp_path, text)
    before = snapshot(path)
    result = run({
        'path': path,
        # trailing slash, relative entry resolved from the service's folder, link to the same folder, '..'
        'addons_path_add': [paths['default'], paths['custom'], paths['extra'], paths['custom'] + '/../custom-addons'],
        'working_directory': os.path.dirname(paths['custom']),
    })
    assert result['changed'] is False and result['changed_keys'] == []
    assert result['addons_path'] == [paths['default'] + '/', 'custom-addons', link]
    assert snapshot(path) == before and backups(path) == []


def test_relative_entry_from_another_folder_is_another_entry(tmp_path, paths):
    path = conf_file(tmp_path, '[options]\naddons_path = custom-addons\n')
    result = run({'path': path, 'addons_path_add': [paths['custom']], 'working_directory': str(tmp_path),
                  'validate_paths': False})
    assert result['addons_path'] == ['custom-addons', paths['custom']]


def test_relative_entry_to_add_is_refused(tmp_path):
    path = conf_file(tmp_path, '[options]\naddons_path = /x\n')
    result = run_fail({'path': path, 'addons_path_add': ['custom-addons']})
    assert result['msg'] == 'Cannot add custom-addons to addons_path: not an absolute path'


def test_missing_folder_is_refused_before_writing(tmp_path, paths):
    path = conf_file(tmp_path, '[options]\naddons_path = %s\n' % paths['default'])
    before = snapshot(path)
    missing = os.path.join(str(tmp_path), 'nowhere')
    result = run_fail({'path': path, 'addons_path_add': [missing]})
    assert result['msg'] == 'Cannot add %s to addons_path: %s is not a directory' % (missing, missing)
    assert snapshot(path) == before and backups(path) == []
    # without validation it is written
    result = run({'path': path, 'addons_path_add': [missing], 'validate_paths': False})
    assert result['addons_path'] == [paths['default'], missing]


def test_missing_folder_already_listed_is_named(tmp_path, paths):
    gone = os.path.join(str(tmp_path), 'gone')
    path = conf_file(tmp_path, '[options]\naddons_path = %s\n' % gone)
    before = snapshot(path)
    result = run_fail({'path': path, 'addons_path_add': [paths['custom']]})
    assert result['msg'].startswith('Cannot update addons_path of %s: its entry %s (already in %s) is not a directory'
                                    % (path, gone, path))
    assert snapshot(path) == before


# -- dbfilter and options -----------------------------------------------------
def test_dbfilter_set_then_replaced(tmp_path):
    path = conf_file(tmp_path, DEBIAN)
    result = run({'path': path, 'dbfilter': '^%d$'})
    assert result['changed_keys'] == ['dbfilter'] and result['dbfilter'] == '^%d$'
    assert read(path) == DEBIAN + 'dbfilter = ^%d$\n'
    result = run({'path': path, 'dbfilter': '^shop1$'})
    assert result['changed'] is True and result['dbfilter'] == '^shop1$'
    assert read(path) == DEBIAN + 'dbfilter = ^shop1$\n'


@pytest.mark.parametrize('value', ['^(%d$', '[%h', '*'])
def test_invalid_dbfilter_is_refused_and_nothing_written(tmp_path, value):
    path = conf_file(tmp_path, DEBIAN + 'dbfilter = ^shop1$\n')
    before = snapshot(path)
    result = run_fail({'path': path, 'dbfilter': value})
    assert result['msg'].startswith('Cannot set dbfilter to %r: not a regular expression' % value)
    assert snapshot(path) == before and backups(path) == []


def test_options_set_and_replaced_keeping_spelling(tmp_path, paths):
    spots = dict(a=paths['default'], b=paths['custom'])
    text = MESSY.format(**spots)
    path = conf_file(tmp_path, text)
    result = run({'path': path, 'options': {'LOG_LEVEL': 'warn', 'xmlrpc_port': 8071, 'proxy_mode': True,
                                            'list_db': False, 'workers': '4'}})
    assert result['changed_keys'] == ['list_db', 'log_level', 'proxy_mode', 'xmlrpc_port']
    expected = (text.replace('Log_Level = info', 'Log_Level = warn').replace('xmlrpc_port: 8070', 'xmlrpc_port: 8071')
                .replace('workers=4\n', 'workers=4\nlist_db = False\nproxy_mode = True\n'))
    assert read(path) == expected


@pytest.mark.parametrize('options, message', [
    ({'addons_path': '/x'}, 'Cannot set addons_path through options: use the addons_path_add option'),
    ({'dbfilter': '.*'}, 'Cannot set dbfilter through options: use the dbfilter option'),
    ({'bad key': '1'}, "Cannot set 'bad key': not an Odoo option name"),
    ({'workers': '2\n3'}, 'Cannot set workers: a value must fit on one line'),
    ({'workers': [2]}, 'Cannot set workers: its value must be text, not a list'),
])
def test_bad_options_are_refused(tmp_path, options, message):
    path = conf_file(tmp_path, DEBIAN)
    before = snapshot(path)
    assert run_fail({'path': path, 'options': options})['msg'] == message
    assert snapshot(path) == before


# -- secrets ------------------------------------------------------------------
SECRETS = ('older-secret', 'db-secret', 'new-admin-secret', 'new-smtp-secret')


def test_secrets_masked_in_diff_and_result(tmp_path):
    path = conf_file(tmp_path, DEBIAN)
    result = run({'path': path, 'options': {'admin_passwd': 'new-admin-secret', 'smtp_password': 'new-smtp-secret',
                                            'db_password': 'db-secret', 'workers': '2'}}, diff=True)
    assert result['changed_keys'] == ['admin_passwd', 'smtp_password', 'workers']
    dumped = json.dumps(result)
    assert not [secret for secret in SECRETS if secret in dumped]
    assert '; admin_passwd = ********\n' in result['diff']['before']
    assert 'db_password = ********\n' in result['diff']['before']
    assert result['diff']['after'].endswith('admin_passwd = ********\nsmtp_password = ********\nworkers = 2\n')
    assert 'db_user = odoo\n' in result['diff']['after'] and 'db_host = False\n' in result['diff']['after']
    # the file itself holds the real values
    assert 'admin_passwd = new-admin-secret\n' in read(path)


def test_secrets_never_reach_ansible_output_or_log(tmp_path, monkeypatch, capsys):
    """Through the real exit_json: Ansible's no_log masking on top of the module's own."""
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', REAL_EXIT_JSON)
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: logged.append(msg))
    default = folder(tmp_path, 'usr/lib/python3/dist-packages/odoo/addons')
    addons = folder(tmp_path, 'var/lib/odoo/addons/12.0')
    path = conf_file(tmp_path, DEBIAN)
    args = {'path': path, 'addons_path_add': [addons], 'addons_path_default': [default],
            'options': {'admin_passwd': 'new-admin-secret', 'workers': '2', 'proxy_mode': True},
            '_ansible_diff': True}
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            odoo_config.main()
    out = capsys.readouterr().out
    assert not [secret for secret in SECRETS if secret in out + ''.join(logged)]
    result = json.loads(out)
    options = result['invocation']['module_args']['options']
    assert options['admin_passwd'] != 'new-admin-secret' and options['workers'] == '2'
    # the value of a non-secret key does not mangle other output ('2' inside '12.0')
    assert result['addons_path'] == [default, addons]
    assert 'workers = 2\n' in result['diff']['after']
    assert 'options=NOT_LOGGING_PARAMETER' in ''.join(logged)


# -- check mode, diff, backup, idempotence ------------------------------------
def test_check_mode_reports_without_writing(tmp_path, paths):
    path = conf_file(tmp_path, DEBIAN)
    before = snapshot(path)
    result = run({'path': path, 'dbfilter': '^%d$', 'addons_path_add': [paths['custom']],
                  'addons_path_default': [paths['default']]}, check=True, diff=True)
    assert result['changed'] is True and result['changed_keys'] == ['addons_path', 'dbfilter']
    assert 'backup_file' not in result
    assert result['diff']['after'].endswith('dbfilter = ^%d$\n')
    assert snapshot(path) == before and backups(path) == []


def test_diff_content(tmp_path, paths):
    text = '[options]\naddons_path = %s\nhttp_port = 8069\n' % paths['default']
    path = conf_file(tmp_path, text)
    result = run({'path': path, 'addons_path_add': [paths['custom']], 'dbfilter': '^shop1$'}, diff=True)
    assert result['diff'] == {
        'before': text,
        'after': '[options]\naddons_path = %s,%s\nhttp_port = 8069\ndbfilter = ^shop1$\n' % (paths['default'], paths['custom']),
        'before_header': path,
        'after_header': path,
    }
    assert 'diff' not in run({'path': path, 'dbfilter': '^shop2$'})


def test_second_run_changes_nothing(tmp_path, paths):
    path = conf_file(tmp_path, DEBIAN)
    args = {'path': path, 'addons_path_add': [paths['custom']], 'addons_path_default': [paths['default']],
            'dbfilter': '^%d$', 'options': {'admin_passwd': 'new-admin-secret', 'workers': 2}}
    first = run(args)
    assert first['changed'] is True and len(backups(path)) == 1
    os.utime(path, (OLD, OLD))
    before = snapshot(path)
    second = run(args, diff=True)
    assert second['changed'] is False and second['changed_keys'] == []
    assert 'backup_file' not in second and second['diff']['before'] == second['diff']['after']
    assert snapshot(path) == before and len(backups(path)) == 1


def test_backup_only_when_asked_and_changed(tmp_path):
    path = conf_file(tmp_path, DEBIAN)
    result = run({'path': path, 'dbfilter': '^%d$', 'backup': False})
    assert result['changed'] is True and 'backup_file' not in result and backups(path) == []
    result = run({'path': path, 'dbfilter': '^shop1$'})
    assert backups(path) == [os.path.basename(result['backup_file'])]
    assert read(result['backup_file']) == DEBIAN + 'dbfilter = ^%d$\n'


# -- the file as a file -------------------------------------------------------
def test_mode_and_owner_kept(tmp_path):
    path = conf_file(tmp_path, DEBIAN, mode=0o640)
    if os.geteuid() == 0:
        os.chown(path, 4242, 4243)
    owner = os.stat(path).st_uid, os.stat(path).st_gid
    run({'path': path, 'dbfilter': '^%d$', 'backup': False})
    info = os.stat(path)
    assert read(path).endswith('dbfilter = ^%d$\n')
    assert (info.st_mode & 0o7777, info.st_uid, info.st_gid) == (0o640,) + owner
    assert [name for name in os.listdir(os.path.dirname(path)) if name != 'odoo.conf'] == []   # no temp file left


def test_symlink_kept_and_target_edited(tmp_path):
    real = conf_file(tmp_path, DEBIAN, name='real.conf')
    link = os.path.join(os.path.dirname(real), 'odoo.conf')
    os.symlink(real, link)
    run({'path': link, 'dbfilter': '^%d$', 'backup': False})
    assert os.path.islink(link) and read(real).endswith('dbfilter = ^%d$\n')


def test_crlf_file_stays_crlf(tmp_path):
    text = DEBIAN.replace('\n', '\r\n')
    path = conf_file(tmp_path, text)
    run({'path': path, 'dbfilter': '^%d$', 'options': {'db_user': 'odoo16'}})
    with open(path, 'rb') as handle:
        data = handle.read()
    assert data == text.replace('db_user = odoo', 'db_user = odoo16').encode() + b'dbfilter = ^%d$\r\n'
    assert data.count(b'\n') == data.count(b'\r\n')


def test_every_other_line_byte_identical(tmp_path, paths):
    spots = dict(a=paths['default'], b=paths['custom'])
    text = MESSY.format(**spots)
    path = conf_file(tmp_path, text)
    run({'path': path, 'addons_path_add': [paths['extra']], 'dbfilter': '^%d$', 'options': {'workers': 8}})
    after = read(path).splitlines(True)
    changed = ('addons_path', 'workers', 'dbfilter')
    kept = [line for line in text.splitlines(True) if not line.startswith(changed) and not line.startswith('    ')]
    assert [line for line in after if not line.startswith(changed)] == kept


# -- files the module refuses -------------------------------------------------
def test_missing_file(tmp_path):
    path = os.path.join(str(tmp_path), 'etc/odoo/odoo.conf')
    assert run_fail({'path': path, 'dbfilter': '^%d$'})['msg'] == 'Cannot read Odoo config %s: no such file' % path
    assert not os.path.exists(path)


def test_file_odoo_refuses_is_not_edited(tmp_path):
    path = conf_file(tmp_path, DEBIAN + 'db_user = other\n')
    before = snapshot(path)
    result = run_fail({'path': path, 'dbfilter': '^%d$'})
    assert result['msg'] == 'Cannot edit Odoo config %s: Odoo refuses it as it is: db_user is given twice in [options]' % path
    assert snapshot(path) == before


def test_unreadable_line_is_reported(tmp_path):
    path = conf_file(tmp_path, '[options]\nnot an option\n')
    result = run_fail({'path': path, 'dbfilter': '^%d$'})
    assert result['msg'].startswith('Cannot read Odoo config %s: line 2 is not a section' % path)
