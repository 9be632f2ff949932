# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systempay.odoo.addon_plan, the addon role's plan in one task: run by ansible-playbook from gathered facts, on the
default layout it needs no connection to the host (the host here cannot be reached); each refusal names what to fix;
a destination off Odoo's own folder is looked at on the host (localhost here)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.systempay.odoo.plugins.action import addon_plan
from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive
from ansible_collections.systempay.odoo.plugins.test import downloadable
from ansible_collections.systempay.odoo.tests.unit.plugins.action.playbook import UNREACHABLE, run_play

DATA_DIR = '/var/lib/odoo/addons/16.0'
CORE = '/usr/lib/python3/dist-packages/odoo/addons'
PLAYBOOK = '''
- hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - systempay.odoo.addon_plan: "{{ plan_args }}"
      register: planned
      ignore_errors: true
      tags: [always]
    - ansible.builtin.copy:
        content: "{{ planned | to_json }}"
        dest: "{{ out }}"
      delegate_to: localhost
      check_mode: false
      tags: [always]
'''


def facts(**changes):
    """What odoo_info gives for a Debian-packaged Odoo 16 (the keys the plan reads), with ``changes``."""
    stat = dict(exists=True, isdir=True, writeable=True, pw_name='odoo', gr_name='odoo', mode='0700')
    result = dict(
        series='16.0', service='odoo.service', binary='/usr/bin/odoo', exec_start='/usr/bin/odoo --config /etc/odoo/odoo.conf',
        config='/etc/odoo/odoo.conf', cli_options=['config'], http_enable=True, addons_path_source='config',
        http_interface='', http_port=8069, http_status=200, user='odoo', python='/usr/bin/python3',
        python_imports={'pkg_resources': True, 'requests': True}, port_owner=None, service_status={},
        effective_addons_path=[DATA_DIR, CORE],
        addons_data_dir=dict(path=DATA_DIR, readable=True, effective_addons_path_when_readable=[DATA_DIR, CORE],
                             stat=stat, parent_stat=dict(stat, mode='0700')),
        addon=dict(copies=[]))
    result.update(changes)
    return result


def play(tmp_path, target='shop', tags=None, **args):
    dummy, result = run_play(tmp_path, PLAYBOOK, UNREACHABLE, dict(target=target, plan_args=args),
                             ['--tags', tags] if tags else [])
    return result


def content_of(zip_path):
    return vendor_archive.check(dict(src=zip_path, brand='systempay', checksum=None, series='16.0',
                                     force_range=False))['content_sha256']


def copy_in(folder, version, sha):
    return dict(addons_dir=folder, path='%s/payment_systempay' % folder, version=version, content_sha256=sha)


def test_a_first_install_is_planned_without_reaching_the_host(tmp_path, fixtures):
    result = play(tmp_path, src=fixtures.zip('3.1.1'), odoo_facts=facts())
    assert not result.get('failed'), result.get('msg')
    assert (result['dest'], result['module'], result['before'], result['needs_files']) == \
        (DATA_DIR, 'payment_systempay', None, True)
    assert result['archive']['version'] == '3.1.1' and result['http_url'] == 'http://127.0.0.1:8069'
    assert result['config_call'] is False and result['fix_modes'] is False and result['recovering'] is False


def test_the_same_content_in_place_needs_nothing(tmp_path, fixtures):
    src = fixtures.zip('3.1.1')
    result = play(tmp_path, src=src, odoo_facts=facts(addon=dict(copies=[copy_in(DATA_DIR, '3.1.1', content_of(src))])))
    assert not result.get('failed') and result['before'] == '3.1.1' and result['needs_files'] is False


def test_an_older_archive_is_refused_unless_a_downgrade_is_asked_for(tmp_path, fixtures):
    in_place = facts(addon=dict(copies=[copy_in(DATA_DIR, '3.1.1', 'other')]))
    result = play(tmp_path, src=fixtures.zip('3.1.0'), odoo_facts=in_place)
    assert result['failed'] and 'version 3.1.1 is in place, and this archive is older (a downgrade)' in result['msg']
    assert 'addon_allow_downgrade' in result['msg']
    # what the plan worked out before the refusal comes with it: the run report names the archive and where
    assert (result['archive']['version'], result['dest'], result['before']) == ('3.1.0', DATA_DIR, '3.1.1')
    result = play(tmp_path, src=fixtures.zip('3.1.0'), odoo_facts=in_place, allow_downgrade=True)
    assert not result.get('failed') and result['before'] == '3.1.1' and result['needs_files'] is True


def test_a_release_odoo_s_python_cannot_import_is_refused_naming_the_package(tmp_path, fixtures):
    result = play(tmp_path, src=fixtures.zip('3.1.1'),
                  odoo_facts=facts(python_imports={'pkg_resources': True, 'requests': False}))
    assert result['failed'] and 'cannot import requests' in result['msg'] and 'python3-requests' in result['msg']
    same = facts(python_imports={'pkg_resources': True, 'requests': False},
                 addon=dict(copies=[copy_in(DATA_DIR, '3.1.1', content_of(fixtures.zip('3.1.1')))]))
    assert not play(tmp_path, src=fixtures.zip('3.1.1'), odoo_facts=same).get('failed')   # nothing to install


def test_another_copy_on_the_addons_path_is_refused_naming_the_one_odoo_loads(tmp_path, fixtures):
    result = play(tmp_path, src=fixtures.zip('3.1.1'), odoo_facts=facts(addon=dict(copies=[copy_in(CORE, '3.0.3', 'x')])))
    assert result['failed']
    assert ("Odoo's addons path already holds %s/payment_systempay version 3.0.3" % CORE) in result['msg']
    assert 'which would be %s/payment_systempay (the new one)' % DATA_DIR in result['msg']


def test_the_port_served_outside_the_unit_is_refused(tmp_path, fixtures):
    owner = dict(pid=412, user='odoo', command='/usr/bin/odoo', cgroup='/user.slice', unit=None, in_service=False)
    result = play(tmp_path, src=fixtures.zip('3.1.1'), odoo_facts=facts(port_owner=owner))
    assert result['failed'] and 'port 8069 is served by pid 412 (user odoo, cgroup /user.slice' in result['msg']


def test_an_archive_of_another_line_is_refused(tmp_path, fixtures):
    result = play(tmp_path, src=fixtures.zip('4.3.0'), odoo_facts=facts())
    assert result['failed'] and '16.0' in result['msg'] and 'Odoo_17-19' in result['msg']


def test_no_archive_names_the_folders_looked_in(tmp_path):
    empty = tmp_path / 'files'
    empty.mkdir()
    result = play(tmp_path, search_dirs=[str(empty)], odoo_facts=facts())
    assert result['failed'] and result['msg'].startswith('No addon archive to deploy') and str(empty) in result['msg']


def test_tags_that_leave_out_the_addon_stage_are_refused_when_the_files_change(tmp_path, fixtures):
    result = play(tmp_path, tags='modules', src=fixtures.zip('3.1.1'), odoo_facts=facts())
    assert result['failed'] and 'add the tag addon' in result['msg']
    result = play(tmp_path, tags='probe', src=fixtures.zip('3.1.1'), odoo_facts=facts())
    assert not result.get('failed')


def test_a_destination_off_odoo_s_folder_is_looked_at_on_the_host(tmp_path, fixtures):
    addons = tmp_path / 'addons'
    addons.mkdir()
    odoo = facts(user='root', effective_addons_path=[str(addons), DATA_DIR, CORE])
    result = play(tmp_path, target='localhost', src=fixtures.zip('3.1.1'), dest=str(addons), odoo_facts=odoo)
    assert not result.get('failed'), result.get('msg')
    assert result['is_data_dir'] is False and result['dest_stat']['stat']['isdir'] is True
    assert result['needs_files'] is True and result['config_call'] is False
    off_path = tmp_path / 'extra'
    (off_path / 'payment_systempay').mkdir(parents=True)
    result = play(tmp_path, target='localhost', src=fixtures.zip('3.1.1'), dest=str(off_path), odoo_facts=odoo)
    assert not result.get('failed'), result.get('msg')
    assert result['before'] == 'unknown (off the addons path)' and result['needs_files'] is True
    assert result['config_call'] is True                                  # it goes on the addons path
    not_a_folder = tmp_path / 'file'
    not_a_folder.write_text('x')
    result = play(tmp_path, target='localhost', src=fixtures.zip('3.1.1'), dest=str(not_a_folder), odoo_facts=odoo)
    assert result['failed'] and result['msg'].endswith('%s on localhost: it is not a folder' % not_a_folder)
    elsewhere = tmp_path / 'new' / 'addons'
    result = play(tmp_path, target='localhost', src=fixtures.zip('3.1.1'), dest=str(elsewhere), odoo_facts=odoo,
                  manage_config=False)
    assert result['failed'] and "it is not on Odoo's addons path" in result['msg']


@pytest.mark.parametrize('args, message', [
    (dict(brand='Pay Zen'), 'addon_brand "Pay Zen" must be lower-case letters'),
    (dict(src='a.zip', url='https://x/a.zip', checksum='sha256:' + '0' * 64), 'give addon_src or addon_url, not both'),
    (dict(url='https://x/a.zip'), 'addon_url needs addon_checksum'),
    (dict(url='scp://x/a.zip', checksum='sha256:' + '0' * 64), 'must start with http://'),
    (dict(checksum='md5:00'), 'addon_checksum md5:00 must be sha256:'),
    (dict(backup_keep=0), 'addon_backup_keep is 0'),
    (dict(restart_timeout=5), 'addon_restart_timeout is 5: give 10 to 3600 seconds'),
    (dict(dest='addons'), 'addon_dest addons must be an absolute path'),
])
def test_each_bad_input_is_named(args, message):
    values = dict((key, spec.get('default')) for key, spec in addon_plan.ARGS.items())
    values.update(args)
    problems = addon_plan.input_problems(values)
    assert len(problems) == 1 and message in problems[0]


@pytest.mark.parametrize('url, checksum', [
    ('https://x/a.zip', 'sha256:' + '0' * 64), ('file:///srv/a.zip', 'sha1:' + 'A' * 40), ('ftp://x/a.zip', ''),
    ('scp://x/a.zip', 'sha256:' + '0' * 64), ('https://x/a.zip', 'sha256:' + '0' * 63), ('https://x/a.zip', 'md5:00'),
    ('', 'sha256:' + '0' * 64),
])
def test_the_role_downloads_exactly_what_the_plan_accepts(url, checksum):
    # roles/addon/tasks/plan.yml downloads before the plan runs, when test downloadable says so: a URL or checksum the
    # plan refuses is never fetched, and one it accepts is there for it to check
    values = dict((key, spec.get('default')) for key, spec in addon_plan.ARGS.items())
    values.update(url=url, checksum=checksum)
    accepted = bool(url) and not addon_plan.input_problems(values)
    assert downloadable.downloadable(url, checksum) is accepted
    assert accepted is ((url, checksum) in (('https://x/a.zip', 'sha256:' + '0' * 64),
                                            ('file:///srv/a.zip', 'sha1:' + 'A' * 40)))


def test_bad_inputs_are_refused_before_odoo_is_read(tmp_path):
    # no facts, and a host that cannot be reached: the inputs are refused before anything is asked of it
    result = play(tmp_path, brand='Bad', backup_keep=0)
    assert result['failed'] and result['msg'].startswith('Cannot use these inputs of the systempay.odoo.addon role: ')
    assert 'addon_brand' in result['msg'] and 'addon_backup_keep' in result['msg']


def test_the_service_checks_name_the_setting_to_fix():
    base = facts()
    plan = addon_plan.where(base, dict(dest='', dbfilter=''))
    with pytest.raises(addon_plan.Refused, match='no systemd unit runs Odoo'):
        addon_plan.check_service(facts(service=None), plan, dict(dbfilter=''), 'shop')
    with pytest.raises(addon_plan.Refused, match=r'the HTTP service is off \(http_enable\)'):
        addon_plan.check_service(facts(http_enable=False), plan, dict(dbfilter=''), 'shop')
    with pytest.raises(addon_plan.Refused, match='dbfilter is given on the command line of odoo.service'):
        addon_plan.check_service(facts(cli_options=['db_filter']), plan, dict(dbfilter='^%d$'), 'shop')
    elsewhere = dict(plan, dest='/srv/addons')
    with pytest.raises(addon_plan.Refused, match='addons_path is given on the command line'):
        addon_plan.check_service(facts(addons_path_source='command line'), elsewhere, dict(dbfilter=''), 'shop')
    addon_plan.check_service(base, plan, dict(dbfilter='^%d$'), 'shop')


def test_the_stages_tags_select():
    assert addon_plan.selected_stages(['all'], []) == addon_plan.STAGES
    assert addon_plan.selected_stages(['addon', 'modules'], ['modules']) == ['addon']
    plan = dict(before='3.1.0', needs_files=True, dest=DATA_DIR)
    with pytest.raises(addon_plan.Refused, match='add the tag modules'):
        addon_plan.check_stages(plan, dict(version='3.1.1'), ['addon'], [], 'shop')
    addon_plan.check_stages(dict(plan, needs_files=False), dict(version='3.1.1'), ['addon'], [], 'shop')
    addon_plan.check_stages(dict(plan, before=None), dict(version='3.1.1'), ['addon'], [], 'shop')


def test_http_url_of_an_ipv6_interface():
    assert addon_plan.where(facts(http_interface='::1'), dict(dest=''))['http_url'] == 'http://[::1]:8069'
    assert addon_plan.where(facts(http_interface='0.0.0.0'), dict(dest=''))['http_url'] == 'http://127.0.0.1:8069'
    assert copy.deepcopy(addon_plan.where(facts(), dict(dest=DATA_DIR + '/')))['is_data_dir'] is True
