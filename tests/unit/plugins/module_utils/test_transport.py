# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Database listing over XML-RPC against a small local server that answers like Odoo."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import transport


def _free_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize('interface, port, url', [
    ('', 8069, 'http://127.0.0.1:8069'),
    ('0.0.0.0', '8070', 'http://127.0.0.1:8070'),
    ('10.0.0.5', 8069, 'http://10.0.0.5:8069'),
    ('::1', 8069, 'http://[::1]:8069'),
    (None, 8069, 'http://127.0.0.1:8069'),
])
def test_local_url(interface, port, url):
    assert transport.local_url(interface, port) == url


def test_list_databases(odoo_db_service):
    port = odoo_db_service(databases=('shop2', 'shop1'))
    assert transport.list_databases('http://127.0.0.1:%d' % port, 5) == (['shop1', 'shop2'], None)


def test_list_databases_refused(odoo_db_service):
    port = odoo_db_service(allowed=False)
    databases, reason = transport.list_databases('http://127.0.0.1:%d' % port, 5)
    assert databases is None
    assert reason == 'Odoo refused to list databases (Fault 3: Access Denied)'


def test_list_databases_down():
    port = _free_port()
    databases, reason = transport.list_databases('http://127.0.0.1:%d' % port, 2)
    assert databases is None
    assert reason.startswith('Odoo does not answer on http://127.0.0.1:%d/xmlrpc/2/db' % port)


def test_list_databases_not_xmlrpc():
    class Html(BaseHTTPRequestHandler):
        def do_POST(self):
            body = b'<html><body>Not Found</body></html>'
            self.send_response(200)
            self.send_header('Content-Type', 'text/xml')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = HTTPServer(('127.0.0.1', 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        databases, reason = transport.list_databases('http://127.0.0.1:%d' % server.server_address[1], 2)
    finally:
        server.shutdown()
        server.server_close()
    assert databases is None and reason


@pytest.mark.parametrize('requested, listed, expected', [
    (['all'], ['shop2', 'shop1'], (['shop1', 'shop2'], None)),
    (['shop2', ' shop1 ', 'shop2', ''], None, (['shop2', 'shop1'], None)),
    ([], ['shop1'], ([], 'Cannot choose databases: databases is empty (give names, or all)')),
    (['all'], None, ([], 'Cannot list the databases of Odoo: refused; name them in databases instead of all')),
    (['all', 'shop1'], ['shop1'], ([], 'Cannot choose databases: all cannot be mixed with names (all, shop1)')),
])
def test_choose_databases(requested, listed, expected):
    assert transport.choose_databases(requested, listed, 'refused') == expected
