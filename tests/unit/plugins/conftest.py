# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the plugin tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils import basic
from ansible_collections.systempay.odoo.tests.unit.plugins import fixture_zips
from ansible_collections.systempay.odoo.tests.unit.plugins.modules import utils


@pytest.fixture(autouse=True)
def patch_module(monkeypatch):
    """exit_json/fail_json raise AnsibleExitJson/AnsibleFailJson, as in community.postgresql's tests."""
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', utils.exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', utils.fail_json)


@pytest.fixture(scope='session')
def fixtures(tmp_path_factory):
    """The fixture addon archives of every line, built once per session."""
    return fixture_zips.build(str(tmp_path_factory.mktemp('addons')))
