# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of systempay.odoo.report_files (documented in plugins/modules/report_files.py): writes the run
report's files on the controller, in the controller's own process. Each file is written to a temporary file in its
folder and renamed over the old one, only when its content or mode differs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_native
from ansible.plugins.action import ActionBase

ARGS = {
    'files': {'type': 'list', 'elements': 'dict', 'required': True,
              'options': {'path': {'type': 'path', 'required': True},
                          'content': {'type': 'str', 'required': True}}},
    'mode': {'type': 'str', 'default': '0644'},
    'directory_mode': {'type': 'str', 'default': '0755'},
}


def octal(value, name):
    """The permission bits of ``value`` ('0644'), refusing anything else with a message naming ``name``."""
    try:
        bits = int(str(value), 8)
    except ValueError:
        bits = -1
    if not 0 <= bits <= 0o7777:
        raise AnsibleActionFail('%s %r is not an octal file mode (for example 0644)' % (name, value))
    return bits


def needs_write(path, data, mode):
    """Whether ``path`` lacks ``data`` as its content or ``mode`` as its permission bits."""
    try:
        with open(path, 'rb') as handle:
            if handle.read() != data:
                return True
        return stat.S_IMODE(os.stat(path).st_mode) != mode
    except FileNotFoundError:
        return True


def write(path, data, mode, directory_mode):
    """Write ``data`` to ``path`` through a temporary file of its folder (created with ``directory_mode``)."""
    folder = os.path.dirname(path) or '.'
    os.makedirs(folder, mode=directory_mode, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=ARGS)
        mode = octal(args['mode'], 'mode')
        directory_mode = octal(args['directory_mode'], 'directory_mode')
        written = []
        for entry in args['files']:
            path = os.path.abspath(entry['path'])
            data = to_bytes(entry['content'], errors='surrogate_or_strict')
            if not needs_write(path, data, mode):
                continue
            written.append(path)
            if self._task.check_mode:
                continue
            try:
                write(path, data, mode, directory_mode)
            except OSError as exc:
                raise AnsibleActionFail('Cannot write the report file %s: %s' % (path, to_native(exc)))
        result.update(changed=bool(written), written=written,
                      files=[os.path.abspath(entry['path']) for entry in args['files']])
        return result
