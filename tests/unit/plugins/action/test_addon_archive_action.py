# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systempay.odoo.addon_archive's action plugin, run by ansible-playbook as the addon role runs it: the check is made
in the controller's process whatever host the task is for (a host that cannot be reached), and gives what the
module gives; an archive of another line fails with the module's message."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.systempay.odoo.plugins.modules import addon_archive
from ansible_collections.systempay.odoo.tests.unit.plugins.action.playbook import UNREACHABLE, run_play
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import run_module

PLAYBOOK = '''
- hosts: shop
  gather_facts: false
  tasks:
    - systempay.odoo.addon_archive:
        src: "{{ src }}"
        series: "{{ series }}"
      register: checked
      ignore_errors: true
    - ansible.builtin.copy:
        content: "{{ checked | to_json }}"
        dest: "{{ out }}"
      delegate_to: localhost
      check_mode: false
'''


def play(tmp_path, **variables):
    return run_play(tmp_path, PLAYBOOK, UNREACHABLE, variables)


@pytest.mark.parametrize('version, series', [('3.1.1', '16.0'), ('4.3.0', '18.0')])
def test_the_check_runs_on_the_controller_and_gives_what_the_module_gives(tmp_path, fixtures, version, series):
    src = fixtures.zip(version)
    done, result = play(tmp_path, src=src, series=series)
    assert done.returncode == 0 and not result.get('failed'), done.stdout
    module = run_module(addon_archive, dict(src=src, series=series))
    for key in ('src', 'module', 'version', 'declared_range', 'range_source', 'fits', 'archive_sha256',
                'content_sha256', 'files', 'size', 'python_imports', 'archives_seen'):
        assert result[key] == module[key], key
    assert result['changed'] is False and result['version'] == version and result['fits'] is True


def test_an_archive_of_another_line_fails_naming_it(tmp_path, fixtures):
    done, result = play(tmp_path, src=fixtures.zip('3.1.1'), series='17.0')
    module = run_module(addon_archive, dict(src=fixtures.zip('3.1.1'), series='17.0'), fails=True)
    assert result['failed'] is True and result['msg'] == module['msg']
    assert '17.0' in result['msg'] and 'Odoo_16' in result['msg'], result['msg']
