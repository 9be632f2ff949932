# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systempay.odoo.report_files, run by ansible-playbook on localhost as the report role runs it: the files and their
folder appear with the content and mode asked, a second run changes nothing, check mode writes nothing, a bad
mode is refused naming the option."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
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
    book = tmp_path / 'play.yml'
    book.write_text(PLAYBOOK)
    out = tmp_path / 'result.json'
    if out.exists():
        out.unlink()
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, 'build', 'collections'),
               ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    variables = dict(variables, files=files, out=str(out), ansible_python_interpreter=sys.executable)
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
                           '-c', 'local', str(book), '-e', json.dumps(variables)] + list(extra),
                          env=env, capture_output=True, text=True, check=False)
    return done, json.loads(out.read_text()) if out.exists() else None


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
