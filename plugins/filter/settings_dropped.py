# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter systempay.odoo.settings_dropped (documented in settings_dropped.yml): the provider settings an addon
release has and a later one lacks (module_utils/releases.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.systempay.odoo.plugins.module_utils import releases


def settings_dropped(before, after):
    if not before or not after:
        return []
    return releases.settings_dropped(str(before), str(after))


class FilterModule(object):

    def filters(self):
        return {'settings_dropped': settings_dropped}
