# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of systempay.odoo.addon_archive (documented in plugins/modules/addon_archive.py): the archive is a
file of the controller, so it is checked in the controller's own process (``vendor_archive.check``, what the module
runs), whatever host the task is for: a fleet's run does not start one Python process per host for it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=vendor_archive.CHECK_OPTIONS)
        try:
            facts = vendor_archive.check(args)
        except vendor_archive.AddonError as exc:
            result.update(failed=True, msg=to_native(exc))
            return result
        warnings = facts.pop('warnings')
        result.update(facts, changed=False)
        if warnings:
            result['warnings'] = warnings
        return result
