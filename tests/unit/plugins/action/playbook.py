# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a playbook with ansible-playbook the way the collection's roles run its action plugins: this checkout as the
collection systempay.odoo, the inventory given as text. The play writes what the test looks at, as JSON, to the
path in the variable ``out``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
# the controller, as a host of its own
LOCAL = 'shop ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable
# a host no connection can reach (what runs in the controller's process must not need one), and the controller
UNREACHABLE = ('shop ansible_host=192.0.2.1 ansible_connection=ssh ansible_ssh_timeout=1\n'
               'localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)


def run_play(tmp_path, playbook, inventory, variables, options=(), env=None, written=True):
    """(the finished ansible-playbook process, the JSON the play wrote to ``out``). With ``written`` false a play
    that stopped before writing it is no error of the test: the JSON is then None."""
    book = tmp_path / 'play.yml'
    book.write_text(playbook)
    hosts = tmp_path / 'hosts.ini'
    hosts.write_text(inventory)
    out = tmp_path / 'result.json'
    if out.exists():
        out.unlink()
    environ = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, 'build', 'collections'),
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_HOST_KEY_CHECKING='false', **(env or {}))
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', str(hosts),
                           str(book), '-e', json.dumps(dict(variables, out=str(out)))] + list(options),
                          env=environ, capture_output=True, text=True, check=False)
    assert out.exists() or not written, done.stdout + done.stderr
    return done, json.loads(out.read_text()) if out.exists() else None
