# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systempay.odoo.report_files, run by ansible-playbook on localhost as the report role runs it: the files and their
folder appear with the content and mode asked, a second run changes nothing, check mode writes nothing, a bad
mode is refused naming the option."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import sys

import pytest

from ansible_collections.systempay.odoo.tests.unit.plugins.action.playbook import LOCAL, run_play

PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - systempay.odoo.report_files:
        files: "{{ files }}"
        mode: "{{ mode | default('0644') }}"
      register: written
    - ansible.builtin.copy:
        content: "{{ written | to_json }}"
        dest: "{{ out }}"
      check_mode: false
'''


def play(tmp_path, files, *extra, **variables):
    variables = dict(variables, files=files, ansible_python_interpreter=sys.executable)
    return run_play(tmp_path, PLAYBOOK, LOCAL.replace('shop ', 'localhost '), variables, extra, written=False)


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / 'reports' / 'run'
    return folder, [{'path': str(folder / 'r.json'), 'content': '{"hosts": []}\n'},
                    {'path': str(folder / 'r.md'), 'content': '# Run report\n\né\n'}]


def test_writes_the_files_and_their_folder_then_changes_nothing(tmp_path, files):
    folder, given = files
    done, result = play(tmp_path, given)
    assert done.returncode == 0, done.stdout + done.stderr
    assert result['changed'] is True and result['written'] == [entry['path'] for entry in given]
    for entry in given:
        with open(entry['path'], encoding='utf-8') as handle:
            assert handle.read() == entry['content']
        assert stat.S_IMODE(os.stat(entry['path']).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(str(folder)).st_mode) == 0o755
    assert sorted(os.listdir(str(folder))) == ['r.json', 'r.md']       # no temporary file left
    done, result = play(tmp_path, given)
    assert done.returncode == 0 and result['changed'] is False and result['written'] == []


def test_another_content_or_mode_is_written_and_check_mode_writes_nothing(tmp_path, files):
    dummy, given = files
    play(tmp_path, given)
    changed = [dict(given[0], content='{"hosts": [1]}\n'), given[1]]
    done, result = play(tmp_path, changed, '--check')
    assert done.returncode == 0 and result['written'] == [given[0]['path']]
    with open(given[0]['path']) as handle:
        assert handle.read() == given[0]['content']
    done, result = play(tmp_path, changed, mode='0600')
    assert done.returncode == 0 and result['written'] == [entry['path'] for entry in given]
    assert stat.S_IMODE(os.stat(given[0]['path']).st_mode) == 0o600
    with open(given[0]['path']) as handle:
        assert handle.read() == '{"hosts": [1]}\n'


def test_a_mode_that_is_not_octal_is_refused_naming_it(tmp_path, files):
    folder, given = files
    done, result = play(tmp_path, given, mode='rw-r--r--')
    assert done.returncode != 0
    assert "mode 'rw-r--r--' is not an octal file mode" in done.stdout
    assert not folder.exists()
