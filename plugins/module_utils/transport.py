# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Talk to a running Odoo: the one transport layer of the collection.

For now only what ``odoo_info`` needs: the database list over XML-RPC
(``/xmlrpc/2/db`` ``list()``). Later modules add the CLI runner and the
``common``/``object`` endpoints here, never in a module of their own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
from xml.parsers.expat import ExpatError

try:
    import xmlrpc.client as xmlrpc_client
    import http.client as http_client
except ImportError:  # pragma: no cover - Python 2 is not a target
    import xmlrpclib as xmlrpc_client  # type: ignore
    import httplib as http_client  # type: ignore


def local_url(http_interface=None, http_port=8069):
    """Base URL to reach Odoo from the host itself.

    Odoo listens on every interface when ``http_interface`` is empty; then (and
    for ``0.0.0.0``) the loopback address answers.
    """
    host = (http_interface or '').strip()
    if host in ('', '0.0.0.0', '::', 'False', 'None'):
        host = '127.0.0.1'
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return 'http://%s:%s' % (host, int(http_port))


class _TimeoutTransport(xmlrpc_client.Transport):
    def __init__(self, timeout):
        xmlrpc_client.Transport.__init__(self)
        self._timeout = timeout

    def make_connection(self, host):
        connection = xmlrpc_client.Transport.make_connection(self, host)
        connection.timeout = self._timeout
        return connection


def server_proxy(url, endpoint, timeout=10):
    return xmlrpc_client.ServerProxy('%s/xmlrpc/2/%s' % (url.rstrip('/'), endpoint),
                                     transport=_TimeoutTransport(timeout), allow_none=False)


def list_databases(url, timeout=10):
    """``(databases, reason)``: the sorted list, or None with why it could not be had.

    Real Odoo answers ``list()`` with a Fault (``AccessDenied``) when
    ``list_db = False``; a service that is down refuses the connection. Neither
    is an error for a discovery: the caller reports the reason.
    """
    try:
        databases = server_proxy(url, 'db', timeout).list()
    except xmlrpc_client.Fault as exc:
        return None, 'Odoo refused to list databases (Fault %s: %s)' % (
            exc.faultCode, str(exc.faultString).strip().splitlines()[-1] if exc.faultString else '')
    except (socket.error, OSError, http_client.HTTPException, xmlrpc_client.ProtocolError) as exc:
        return None, 'Odoo does not answer on %s/xmlrpc/2/db: %s' % (url, exc)
    except (ExpatError, xmlrpc_client.Error) as exc:
        return None, 'What answers on %s/xmlrpc/2/db does not speak XML-RPC: %s' % (url, exc)
    if not isinstance(databases, list):
        return None, 'Odoo answered list() with %r, not a list' % (databases,)
    return sorted(str(name) for name in databases), None
