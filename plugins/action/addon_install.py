# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of systempay.odoo.addon_install (documented in plugins/modules/addon_install.py).

With ``remote_src: false`` the archive is a file of the controller: it is sent into this task's temporary folder on
the host, the module installs from there, and the folder goes with the task. One task, one connection's worth of
work, instead of a folder task, a copy task and the install. With ``remote_src: true`` (the default) or
``rollback``, the module runs as it is."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

MODULE = 'systempay.odoo.addon_install'


class ActionModule(ActionBase):

    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args.copy()
        try:
            remote_src = boolean(args.get('remote_src', True), strict=False)
            if remote_src or boolean(args.get('rollback', False), strict=False) or not args.get('src'):
                result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
                return result
            try:
                source = self._find_needle('files', os.path.expanduser(args['src']))
            except AnsibleError:
                source = args['src']
            if not os.path.isfile(source):
                result.update(failed=True, msg='Cannot send %s to the host: it is not a file on the controller '
                              '(src with remote_src false is a vendor zip on the controller)' % source)
                return result
            shell = self._connection._shell
            staged = shell.join_path(shell.tmpdir, os.path.basename(source))
            self._transfer_file(source, staged)
            self._fixup_perms2((shell.tmpdir, staged))
            args.update(src=staged, remote_src=True)
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
