# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule every module of the collection uses: it reports every invalid argument at once.

ansible-core checks all the arguments against the spec but fails with the first error only, so a user with two bad
values fixes one, runs again, and meets the second. :class:`CollectionModule` gives them all in one message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


class CollectionModule(AnsibleModule):
    """``AnsibleModule`` whose failure on invalid arguments lists every invalid argument, not only the first."""

    def __init__(self, *args, **kwargs):
        self._arguments_checked = False
        AnsibleModule.__init__(self, *args, **kwargs)
        self._arguments_checked = True

    def argument_errors(self):
        """Messages of every argument the spec refused (empty once the arguments were accepted)."""
        result = getattr(self, 'validation_result', None)
        if self._arguments_checked or result is None:
            return []
        return list(result.errors.messages)

    def fail_json(self, msg=None, **kwargs):
        errors = self.argument_errors()
        if len(errors) > 1:
            msg = '; '.join([str(msg)] + errors[1:])
        AnsibleModule.fail_json(self, msg=msg, **kwargs)
