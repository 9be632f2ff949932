# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""odoo_info, driven through main() on fake hosts built in temp folders.

Each fake host has a systemd unit folder, an ``odoo`` program that prints
``Odoo Server <series>``, a config file, a data folder and addons folders; the
module's folder lists are pointed at them. exit_json/fail_json raise, as in
community.postgresql's unit tests.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import getpass
import json
import os

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive
from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.modules import odoo_info
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import (
    AnsibleExitJson, AnsibleFailJson, patch_module_args, write)

ME = getpass.getuser()


class FakeHost:
    """Temp folders standing for one Odoo host; paths mirror the Debian layout under ``root``."""

    def __init__(self, root, monkeypatch):
        self.root = str(root)
        self.units = os.path.join(self.root, 'etc/systemd/system')
        self.lib_units = os.path.join(self.root, 'lib/systemd/system')
        os.makedirs(self.units)
        os.makedirs(self.lib_units)
        self.binary = os.path.join(self.root, 'usr/bin/odoo')
        self.conf = os.path.join(self.root, 'etc/odoo/odoo.conf')
        self.data_dir = os.path.join(self.root, 'var/lib/odoo')
        monkeypatch.setattr(discovery, 'UNIT_DIRS', (self.units, self.lib_units))
        monkeypatch.setattr(discovery, 'BINARY_CANDIDATES', (self.binary,))
        monkeypatch.setattr(discovery, 'CONFIG_CANDIDATES', (self.conf,))

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def odoo(self, series='16.0', binary=None):
        return write(binary or self.binary, '#!/bin/sh\necho "Odoo Server %s"\n' % series, 0o755)

    def unit(self, exec_start, name='odoo.service', extra='', folder=None):
        return write(os.path.join(folder or self.lib_units, name),
                     '[Unit]\nDescription=Odoo\n[Service]\nType=simple\nUser=%s\n%sExecStart=%s\n'
                     % (ME, extra, exec_start))

    def config(self, text, path=None):
        return write(path or self.conf, '[options]\n' + text)

    def addon(self, folder, version, name='payment_systempay'):
        write(os.path.join(folder, name, '__manifest__.py'),
              "{'name': 'Systempay', 'version': %r, 'depends': ['payment']}\n" % version)
        write(os.path.join(folder, name, '__init__.py'), 'raise ImportError("never imported")\n')


@pytest.fixture
def host(tmp_path, monkeypatch):
    return FakeHost(tmp_path, monkeypatch)


def run(args=None):
    with patch_module_args(args or {}):
        with pytest.raises(AnsibleExitJson) as exc:
            odoo_info.main()
    return exc.value.args[0]


def run_fail(args=None):
    with patch_module_args(args or {}):
        with pytest.raises(AnsibleFailJson) as exc:
            odoo_info.main()
    return exc.value.args[0]


def debian_host(host, db_port=None, conf_extra=''):
    host.odoo('16.0')
    host.unit('%s --config %s --logfile /var/log/odoo/odoo-server.log' % (host.binary, host.conf))
    host.config('db_host = False\n;addons_path = /nowhere\ndata_dir = %s\nhttp_port = %s\n%s'
                % (host.data_dir, db_port or 1, conf_extra))
    data_addons = host.path('var/lib/odoo/addons/16.0')
    os.makedirs(data_addons)
    return data_addons


def test_debian_layout(host, odoo_db_service):
    port = odoo_db_service(databases=('shop2', 'shop1'))
    data_addons = debian_host(host, port)
    custom = host.path('srv/custom')
    host.config('data_dir = %s\nhttp_port = %d\naddons_path = %s\nadmin_passwd = very-secret\n'
                % (host.data_dir, port, custom))
    host.addon(data_addons, '3.1.1')
    host.addon(custom, '1.2.6')
    result = run()
    assert result['changed'] is False
    assert result['service'] == 'odoo.service'
    assert result['unit_path'] == host.path('lib/systemd/system/odoo.service')
    assert result['binary'] == host.binary
    assert result['config'] == host.conf and result['config_source'] == 'command line'
    assert (result['user'], result['series'], result['version']) == (ME, '16.0', '16.0')
    assert result['data_dir'] == host.data_dir
    assert result['addons_path'] == [custom] and result['addons_path_source'] == 'config'
    owner = result['addons_data_dir'].pop('owner')
    assert owner['mode'] == '%04o' % (os.stat(data_addons).st_mode & 0o7777)
    # what ansible.builtin.stat says of it and its parent (the addon role takes these instead of a stat task)
    seen = result['addons_data_dir'].pop('stat')
    assert seen == {'exists': True, 'isdir': True, 'writeable': os.access(data_addons, os.W_OK),
                    'pw_name': owner['user'], 'gr_name': owner['group'], 'mode': owner['mode']}
    assert result['addons_data_dir'].pop('parent_stat')['isdir'] is True
    assert result['addons_data_dir'] == {'path': data_addons, 'exists': True, 'readable': True, 'in_path': True,
                                         'effective_addons_path_when_readable': [data_addons, custom]}
    assert result['effective_addons_path'] == [data_addons, custom]
    assert result['http_port'] == port and result['http_interface'] == '' and result['list_db'] is True
    assert result['databases'] == ['shop1', 'shop2'] and result['databases_error'] is None
    assert result['generation']['line'] == '3' and result['generation']['model'] == 'payment.provider'
    addon = result['addon']
    assert addon['name'] == 'payment_systempay'
    found = [(c['version'], c['active'], c['fits']) for c in addon['copies']]
    assert found == [('3.1.1', True, True), ('1.2.6', False, False)]
    assert addon['active']['path'] == os.path.join(data_addons, 'payment_systempay')
    assert addon['shadowed'] == 1
    assert 'very-secret' not in json.dumps(result)
    # this fake Odoo has no importable odoo package: the check of the databases cannot run (a warning says so)
    assert result['incompatible_databases'] is None
    # nor can its interpreter be told (no #! line): what it imports is not asked
    assert result['python'] is None and result['python_imports'] is None


def test_copies_carry_the_content_hash_of_addon_archive(host, odoo_db_service):
    """Each copy's content_sha256 is addon_archive's tree hash: a play compares it with the archive's."""
    port = odoo_db_service()
    data_addons = debian_host(host, port)
    host.config('data_dir = %s\nhttp_port = %d\n' % (host.data_dir, port))
    host.addon(data_addons, '3.1.1')
    copy = run()['addon']['copies'][0]
    assert copy['content_sha256'] == vendor_archive.tree_sha256(copy['path'])
    # compiled Python written beside the code does not change it, an edited file does
    write(os.path.join(copy['path'], '__pycache__', 'x.cpython-311.pyc'), 'compiled')
    assert run()['addon']['copies'][0]['content_sha256'] == copy['content_sha256']
    write(os.path.join(copy['path'], '__init__.py'), '# edited\n')
    assert run()['addon']['copies'][0]['content_sha256'] != copy['content_sha256']


def test_data_dir_addons_missing_is_not_in_path(host):
    debian_host(host)
    os.rmdir(host.path('var/lib/odoo/addons/16.0'))
    result = run({'list_databases': False})
    assert result['addons_data_dir']['exists'] is False
    assert result['addons_data_dir']['stat'] == {'exists': False}
    assert result['addons_data_dir']['parent_stat']['exists'] is True
    assert result['addons_data_dir']['in_path'] is False
    assert result['effective_addons_path'] == []
    assert result['addon']['copies'] == [] and result['addon']['active'] is None
    assert result['databases'] is None and 'not asked' in result['databases_error']


def test_list_db_false_gives_null_databases_with_reason(host, odoo_db_service):
    port = odoo_db_service(allowed=False)
    debian_host(host, port, 'list_db = False\n')
    result = run()
    assert result['list_db'] is False
    assert result['databases'] is None
    assert result['databases_error'].startswith('list_db is False in %s' % host.conf)
    assert 'Access Denied' in result['databases_error']


def test_service_down_gives_null_databases(host):
    debian_host(host, 1)
    result = run({'timeout': 2})
    assert result['databases'] is None
    assert 'does not answer' in result['databases_error']
    assert result['http_status'] == 0                   # nothing answers version_info either
    assert result['incompatible_databases'] is None     # nothing to check


def test_source_layout_relative_paths_and_cli_overrides(host):
    src = host.path('opt/odoo')
    binary = host.odoo('12.0', os.path.join(src, 'odoo-bin'))
    write(os.path.join(src, 'odoo', '__init__.py'), '')
    os.makedirs(os.path.join(src, 'odoo', 'addons', 'base'))
    conf = host.config('addons_path = %s/odoo/addons, custom-addons ,\ndata_dir = %s/.local/share/Odoo\n'
                       'xmlrpc_port = 8070\ndbfilter = ^%%d$\nlist_db = True\n' % (src, src),
                       path=host.path('etc/odoo-server.conf'))
    host.unit('%s -c %s --http-port=8071 --db-filter=^shop1$ -w pw-on-cli' % (binary, conf),
              name='odoo12.service', extra='WorkingDirectory=%s\n' % src, folder=host.units)
    host.addon(os.path.join(src, 'custom-addons'), '1.2.6')
    result = run({'list_databases': False})
    assert result['service'] == 'odoo12.service'
    assert result['series'] == '12.0' and result['generation']['mode_field'] == 'environment'
    assert result['odoo_root'] == os.path.join(src, 'odoo')
    assert result['working_directory'] == src
    assert result['addons_path'] == ['%s/odoo/addons' % src, 'custom-addons']
    # data_dir/addons/12.0 does not exist: Odoo's package addons first, then the configured ones;
    # Odoo 12 turns the empty entry after the trailing comma into the working directory
    assert result['effective_addons_path'] == [os.path.join(src, 'odoo', 'addons'), os.path.join(src, 'custom-addons'),
                                               src]
    assert result['http_port'] == 8071 and result['dbfilter'] == '^shop1$'
    assert result['addon']['active']['version'] == '1.2.6' and result['addon']['active']['fits'] is True
    assert 'pw-on-cli' not in json.dumps(result)
    assert '-w ********' in result['exec_start']
    assert 'db_password' not in result['cli_options']


def test_unset_addons_path_uses_odoo_default(host):
    pkg = host.path('usr/lib/python3/dist-packages/odoo')
    os.makedirs(os.path.join(pkg, 'addons', 'base'))
    write(os.path.join(pkg, '__init__.py'), '')
    src = os.path.dirname(pkg)
    binary = host.odoo('16.0', os.path.join(src, 'odoo-bin'))
    host.unit('%s -c %s' % (binary, host.conf))
    host.config('addons_path = False\ndata_dir = %s\n' % host.data_dir)
    host.addon(os.path.join(pkg, 'addons'), '3.1.0')
    result = run({'list_databases': False})
    assert result['addons_path_source'] == 'default'
    assert result['addons_path'] == [os.path.join(pkg, 'addons')]
    assert result['effective_addons_path'] == [os.path.join(pkg, 'addons')]
    assert result['addon']['active']['version'] == '3.1.0'


def test_default_data_dir_is_in_the_service_users_home(host, monkeypatch):
    home = host.path('home/odoo')
    os.makedirs(os.path.join(home, '.local/share/Odoo/addons/16.0'))
    real = discovery.user_info

    def fake_user_info(user, group=None):
        info = real(ME, group)
        info['home'] = home
        return info
    monkeypatch.setattr(discovery, 'user_info', fake_user_info)
    host.odoo('16.0')
    host.unit('%s -c %s' % (host.binary, host.conf))
    host.config('http_port = 8069\n')
    result = run({'list_databases': False})
    assert result['data_dir'] == os.path.join(home, '.local/share/Odoo')
    assert result['effective_addons_path'] == [os.path.join(home, '.local/share/Odoo/addons/16.0')]


def test_config_option_overrides_and_brand(host):
    debian_host(host)
    other = host.config('data_dir = %s\naddons_path = %s\n' % (host.data_dir, host.path('payzen')),
                        path=host.path('other.conf'))
    host.addon(host.path('payzen'), '4.1.0', name='payment_payzen')
    result = run({'config': other, 'brand': 'payzen', 'list_databases': False})
    assert result['config'] == other and result['config_source'] == 'option'
    assert result['addon']['name'] == 'payment_payzen'
    assert result['addon']['active']['fits'] is False   # 4.x on Odoo 16


def test_no_unit_falls_back_to_usual_places(host):
    host.odoo('15.0')
    host.config('data_dir = %s\n' % host.data_dir)
    result = run({'list_databases': False})
    assert result['service'] is None
    assert result['binary'] == host.binary and result['config'] == host.conf
    assert result['config_source'] == 'usual place'
    assert result['generation']['model'] == 'payment.acquirer' and result['generation']['publish_field'] is None


def test_no_odoo_at_all(host):
    result = run_fail()
    assert result['msg'].startswith('Cannot find Odoo: no odoo*.service unit in %s' % host.units)
    assert host.binary in result['msg']


def test_named_service_missing(host):
    result = run_fail({'service': 'odoo16'})
    assert result['msg'] == 'Cannot find Odoo: no unit odoo16.service in %s, %s' % (host.units, host.lib_units)


def test_several_units_need_a_choice(host):
    host.odoo()
    host.unit('%s -c %s' % (host.binary, host.conf), name='odoo.service')
    host.unit('%s -c %s' % (host.binary, host.conf), name='odoo-test.service')
    result = run_fail()
    assert result['msg'].startswith('Cannot choose the Odoo service: several units match odoo*.service in %s'
                                    % host.units)
    assert 'odoo-test.service, odoo.service' in result['msg']
    host.config('data_dir = %s\n' % host.data_dir)
    assert run({'service': 'odoo-test', 'list_databases': False})['service'] == 'odoo-test.service'


def test_unit_without_config_says_what_was_looked_for(host, monkeypatch):
    home = host.path('home/odoo')
    os.makedirs(home)
    real = discovery.user_info

    def fake_user_info(user, group=None):
        info = real(ME, group)
        info['home'] = home
        return info
    monkeypatch.setattr(discovery, 'user_info', fake_user_info)
    host.odoo()
    host.unit(host.binary)
    result = run_fail()
    unit = host.path('lib/systemd/system/odoo.service')
    assert result['msg'] == ('Cannot find the Odoo config: %s passes no -c/--config, no ODOO_RC, and none of '
                             '%s/.odoorc, %s/.openerp_serverrc exists' % (unit, home, home))
    # ~/.odoorc is what Odoo reads then
    write(os.path.join(home, '.odoorc'), '[options]\ndata_dir = %s\n' % host.data_dir)
    result = run({'list_databases': False})
    assert result['config'] == os.path.join(home, '.odoorc')


def test_odoo_rc_environment(host):
    host.odoo()
    host.unit(host.binary, extra='Environment=ODOO_RC=%s\n' % host.conf)
    host.config('data_dir = %s\n' % host.data_dir)
    result = run({'list_databases': False})
    assert result['config'] == host.conf and result['config_source'] == 'environment ODOO_RC'


def test_config_file_missing(host):
    host.odoo()
    host.unit('%s -c %s' % (host.binary, host.path('etc/missing.conf')))
    result = run_fail()
    assert result['msg'] == 'Cannot read the Odoo config %s (from command line): no such file' % host.path('etc/missing.conf')


def test_program_missing(host):
    host.unit('%s -c %s' % (host.path('opt/gone/odoo-bin'), host.conf))
    result = run_fail()
    assert result['msg'].startswith('Cannot find Odoo: %s (the program of ' % host.path('opt/gone/odoo-bin'))


def test_version_unreadable(host):
    write(host.binary, '#!/bin/sh\necho "Traceback: no module named odoo" >&2\nexit 1\n', 0o755)
    host.unit('%s -c %s' % (host.binary, host.conf))
    host.config('')
    result = run_fail()
    assert result['msg'].startswith('Cannot get the Odoo version: %s --version exited 1' % host.binary)


def test_broken_config(host):
    host.odoo()
    host.unit('%s -c %s' % (host.binary, host.conf))
    write(host.conf, 'data_dir = /x\n')
    result = run_fail()
    assert result['msg'].startswith('Cannot parse the Odoo config %s: line 1' % host.conf)


def test_bad_http_port(host):
    debian_host(host, 'eighty')
    result = run_fail({'list_databases': False})
    assert result['msg'] == "Cannot read http_port of %s: 'eighty' is not a number" % host.conf


def test_duplicate_option_warns(host):
    debian_host(host, conf_extra='dbfilter = a\ndbfilter = b\n')
    result = run({'list_databases': False})
    assert result['config_problems'] == ['%s repeats dbfilter in [options]: Odoo refuses to start with such a file'
                                         % host.conf]
    assert result['dbfilter'] == 'a'


def test_check_mode_is_the_same(host):
    debian_host(host)
    normal = run({'list_databases': False})
    checked = run({'list_databases': False, '_ansible_check_mode': True})
    normal.pop('invocation', None)
    checked.pop('invocation', None)
    assert normal == checked


def test_argument_spec_has_no_secret_without_no_log():
    for name, spec in odoo_info.argument_spec().items():
        assert not any(word in name for word in ('password', 'passwd', 'secret', 'key')) or spec.get('no_log')
