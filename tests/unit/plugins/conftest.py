# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the plugin tests."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

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


class _DbHandler(SimpleXMLRPCRequestHandler):
    rpc_paths = ('/xmlrpc/2/db',)

    def log_message(self, *args):
        pass


@pytest.fixture
def odoo_db_service():
    """``start(databases, allowed)`` an XML-RPC ``/xmlrpc/2/db`` endpoint on 127.0.0.1; returns its port.

    ``list()`` answers the databases; ``allowed=False`` refuses like Odoo with ``list_db = False``
    (Fault 3 ``Access Denied``).
    """
    servers = []

    def start(databases=('shop1',), allowed=True):
        server = SimpleXMLRPCServer(('127.0.0.1', 0), requestHandler=_DbHandler, logRequests=False)

        def list_():
            if not allowed:
                raise Fault(3, 'Access Denied')
            return list(databases)
        server.register_function(list_, 'list')
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
