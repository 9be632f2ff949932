# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that every role declares each input in defaults/main.yml AND meta/argument_specs.yml.

Usage: check_role_inputs.py [ROLES_DIR]   (default: roles)

For each role folder: every key of defaults/main.yml is an option of meta/argument_specs.yml (any
entry point); every option that is not ``required`` has a default; a ``required`` option (a secret,
say) has none, so nobody runs with a placeholder. Exit 1 on any mismatch. A roles folder without
roles passes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

import yaml


def _load(path):
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def check_role(role):
    name = os.path.basename(role)
    defaults_file = os.path.join(role, 'defaults', 'main.yml')
    specs_file = os.path.join(role, 'meta', 'argument_specs.yml')
    defaults = _load(defaults_file) if os.path.exists(defaults_file) else {}
    if not os.path.exists(specs_file):
        if defaults:
            return ['%s: defaults/main.yml has inputs but meta/argument_specs.yml is missing' % name]
        return []
    options = {}
    for entry_point in (_load(specs_file).get('argument_specs') or {}).values():
        options.update((entry_point or {}).get('options') or {})
    problems = []
    for key in sorted(set(defaults) - set(options)):
        problems.append('%s: %s is in defaults/main.yml but not in meta/argument_specs.yml' % (name, key))
    for key, spec in sorted(options.items()):
        required = bool((spec or {}).get('required'))
        if required and key in defaults:
            problems.append('%s: %s is required in meta/argument_specs.yml but has a default' % (name, key))
        if not required and key not in defaults:
            problems.append('%s: %s is in meta/argument_specs.yml but not in defaults/main.yml' % (name, key))
    return problems


def main(argv):
    roles_dir = argv[1] if len(argv) > 1 else 'roles'
    roles = sorted(os.path.join(roles_dir, entry) for entry in os.listdir(roles_dir)
                   if os.path.isdir(os.path.join(roles_dir, entry))) if os.path.isdir(roles_dir) else []
    problems = []
    for role in roles:
        problems.extend(check_role(role))
    for problem in problems:
        print('  ' + problem)
    print('  %d role(s) checked, %d problem(s)' % (len(roles), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
