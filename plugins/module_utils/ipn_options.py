# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options of the ``ipn_probe`` module, in one place for the module and its action plugin (which checks them
before it answers a read of the shops from the gather stage's facts, on the controller)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.ipn_notify import (
    ALGORITHMS, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, MODES)

REQUIRED_ONE_OF = [('urls', 'shops', 'odoo')]


def argument_spec():
    return dict(
        urls=dict(type='list', elements='str', default=[]),
        shops=dict(type='list', elements='dict', default=[], options=dict(
            url=dict(type='str', required=True),
            brand=dict(type='str'),
            key=dict(type='str', no_log=True),
            algo=dict(type='str', choices=list(ALGORITHMS)),
            mode=dict(type='str', choices=list(MODES)),
            site_id=dict(type='str'),
            signed=dict(type='bool'),
            expect_generation=dict(type='str'),
            host_facts=dict(type='dict'),
            expected_notify_url=dict(type='str'),
            web_base_url=dict(type='str'),
        )),
        brand=dict(type='str', default='systempay'),
        timeout=dict(type='int', default=DEFAULT_TIMEOUT),
        methods=dict(type='list', elements='str', choices=['POST', 'GET'], default=['POST', 'GET']),
        signed=dict(type='bool'),
        key=dict(type='str', no_log=True),
        algo=dict(type='str', choices=list(ALGORITHMS), default='HMAC-SHA-256'),
        mode=dict(type='str', choices=list(MODES), default='TEST'),
        site_id=dict(type='str', default='00000000'),
        expect_generation=dict(type='str'),
        host_facts=dict(type='dict'),
        expected_notify_url=dict(type='str'),
        web_base_url=dict(type='str'),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        concurrency=dict(type='int', default=DEFAULT_CONCURRENCY),
        fail_on_error=dict(type='bool', default=True),
        odoo=dict(type='dict', options=odoo_spec(), required_if=transport.COMMON_REQUIRED_IF),
    )


def odoo_spec():
    """Suboptions of ``odoo``: the databases to read, and the options of every module that talks to Odoo."""
    spec = transport.common_argument_spec()
    spec['databases'] = dict(type='list', elements='str', default=['all'])
    return spec
