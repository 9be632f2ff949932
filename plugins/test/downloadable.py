# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test systempay.odoo.downloadable (documented in downloadable.yml): whether the addon role's download can run
with this URL and checksum - the same rule the role's plan (action plugin addon_plan) refuses inputs by
(module_utils/vendor_archive.py download_problems)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive


def downloadable(url, checksum):
    return bool(url) and not vendor_archive.download_problems(str(url), str(checksum or ''))


class TestModule(object):

    def tests(self):
        return {'downloadable': downloadable}
