# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systempay.odoo.addon_install's action plugin, run by ansible-playbook as the addon role runs it (remote_src:
false, the zip on the controller): the module is installed from the zip sent in the same task, in check mode only
predicted, a second run changes nothing, and no copy of the zip stays on the host (the task's temporary folder goes
with it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.systempay.odoo.tests.unit.plugins.action.playbook import LOCAL, run_play

PLAYBOOK = '''
- hosts: shop
  gather_facts: false
  tasks:
    - systempay.odoo.addon_install:
        src: "{{ src }}"
        remote_src: false
        dest: "{{ dest }}"
        series: "16.0"
      register: installed
      ignore_errors: true
    - ansible.builtin.copy:
        content: "{{ installed | to_json }}"
        dest: "{{ out }}"
      check_mode: false
'''


def play(tmp_path, *options, **variables):
    remote_tmp = tmp_path / 'remote-tmp'
    dummy, result = run_play(tmp_path, PLAYBOOK, LOCAL, variables, options, env={'ANSIBLE_REMOTE_TMP': str(remote_tmp)})
    left = sorted(path.name for path in remote_tmp.rglob('*')) if remote_tmp.exists() else []
    return result, left


def manifest_version(folder):
    text = (folder / 'payment_systempay' / '__manifest__.py').read_text()
    return text.split("'version':")[1].split("'")[1]


def test_the_zip_on_the_controller_is_installed_in_one_task_and_not_left_on_the_host(tmp_path, fixtures):
    dest = tmp_path / 'addons'
    dest.mkdir()
    src = fixtures.zip('3.1.1')

    predicted, left = play(tmp_path, '--check', src=src, dest=str(dest))
    assert predicted['changed'] is True and not predicted.get('failed'), predicted
    assert os.listdir(str(dest)) == [] and left == []

    result, left = play(tmp_path, src=src, dest=str(dest))
    assert result['changed'] is True and not result.get('failed'), result
    assert manifest_version(dest) == '3.1.1'
    assert left == [], left
    assert not [name for name in os.listdir(str(dest)) if name.endswith('.zip')]

    again, left = play(tmp_path, src=src, dest=str(dest))
    assert again['changed'] is False and not again.get('failed'), again
    assert left == []


def test_a_zip_missing_on_the_controller_fails_naming_it(tmp_path):
    dest = tmp_path / 'addons'
    dest.mkdir()
    missing = str(tmp_path / 'Systempay_Odoo_16_v9.9.9.zip')
    result, left = play(tmp_path, src=missing, dest=str(dest))
    assert result['failed'] is True and missing in result['msg'], result
    assert os.listdir(str(dest)) == [] and left == []
