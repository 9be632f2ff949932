"""HTTP routing and database selection (ground truth section 5 and
ground-truth-data/odoo16-http-observations.json; Odoo 16 http.py db_filter/_get_session_and_dbname)."""
import base64
import hashlib
import hmac
import json
import os
import signal
import socket

import pytest

from standin_helpers import make_provider_addon

NOT_FOUND = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n'
             '<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL '
             'manually please check your spelling and try again.</p>\n')
NOT_ALLOWED = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>405 Method Not Allowed</title>\n'
               '<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n')
IPN = '/payment/systempay/ipn'


# Bodies measured on real Odoo 16 (ground-truth-data/odoo16-http-observations.json), copied here so the tests
# run without the shared docs; test_observations_copied_faithfully re-checks them when the file is there.
OBSERVATIONS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'shared', 'docs',
                            'ground-truth-data', 'odoo16-http-observations.json')
VERSION_INFO = ('{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "16.0", "server_version_info": '
                '[16, 0, 0, "final", 0, ""], "server_serie": "16.0", "protocol_version": 1}}')
WRONG_TYPE = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>400 Bad Request</title>\n'
              '<h1>Bad Request</h1>\n<p>Request inferred type is compatible with [&#x27;http&#x27;] but '
              '&#x27;%s&#x27; is type=&#x27;json&#x27;.</p>\n')
REDIRECT_WEB = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>Redirecting...</title>\n'
                '<h1>Redirecting...</h1>\n<p>You should be redirected automatically to target URL: '
                '<a href="/web">/web</a>. If not click the link.')
COPIED = {
    ('d_single_db', 'version_info_jsonrpc'): (200, VERSION_INFO),
    ('d_single_db', 'version_info_GET'): (400, WRONG_TYPE % '/web/webclient/version_info'),
    ('d_single_db', 'database_list_jsonrpc'): (200, '{"jsonrpc": "2.0", "id": 2, "result": ["shop1"]}'),
    ('d_single_db', 'database_list_GET'): (400, WRONG_TYPE % '/web/database/list'),
    ('e1_two_dbs_no_dbfilter', 'database_list_jsonrpc'):
        (200, '{"jsonrpc": "2.0", "id": 2, "result": ["shop1", "shop2"]}'),
    ('e1_two_dbs_no_dbfilter', 'version_info_jsonrpc'): (200, VERSION_INFO),
    ('e1_two_dbs_no_dbfilter', 'root_GET'): (303, REDIRECT_WEB),
    ('e1_two_dbs_no_dbfilter', 'ipn_GET_nocookie'): (404, NOT_FOUND),
    ('d_single_db', 'ipn_GET'): (405, NOT_ALLOWED),
}


def observed(label, name):
    status, body = COPIED[(label, name)]
    return {'status': status, 'body': body}


@pytest.mark.skipif(not os.path.exists(OBSERVATIONS), reason='shared ground-truth data not available')
def test_observations_copied_faithfully():
    with open(OBSERVATIONS) as f:
        measured = {(o['label'], o['name']): (o['status'], o['body']) for o in json.load(f)}
    for key, value in COPIED.items():
        assert measured[key] == value, key


def signed(values, key='1111111111111111'):
    text = '+'.join(values[k] for k in sorted(values)) + '+' + key
    sig = base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()).decode()
    return dict(values, signature=sig)


@pytest.fixture
def two_shops(host):
    make_provider_addon(host.addons)
    for db in ('shop1', 'shop2'):
        host.create_db(db, 'website_sale,account,payment_systempay')
    with host.server():
        for db in ('shop1', 'shop2'):
            [pid] = host.execute(db, 'payment.provider', 'search', [('code', '=', 'systempay')])
            host.execute(db, 'payment.transaction', 'create', {'reference': 'S0001', 'amount': 10.0,
                                                               'provider_id': pid})
    return host


def ipn_matrix(host, headers=None):
    good = signed({'vads_order_id': 'S0001', 'vads_trans_status': 'AUTHORISED'})
    return {
        'GET': host.http('GET', IPN, headers=headers),
        'HEAD': host.http('HEAD', IPN, headers=headers),
        'POST': host.http('POST', IPN, data=b'', headers=headers),
        'POST_good': host.http('POST', IPN, data=good, headers=headers),
        'POST_good_dbparam': host.http('POST', IPN + '?db=shop1', data=good, headers=headers),
    }


def assert_served(matrix):
    status, headers, body = matrix['GET']
    assert (status, headers['Allow'], body) == (405, 'OPTIONS, POST', NOT_ALLOWED)
    assert headers['Content-Type'] == 'text/html; charset=utf-8'
    status, headers, body = matrix['HEAD']
    assert (status, headers['Allow'], body) == (405, 'OPTIONS, POST', '')
    assert matrix['POST'][0] == 200 and matrix['POST'][2] == 'Bad request received.'
    assert matrix['POST'][1]['Content-Type'] == 'text/html; charset=utf-8'
    assert matrix['POST_good'][2] == 'Payment processed, order has been updated.'
    assert matrix['POST_good_dbparam'][2] == 'Payment processed, order has been updated.'


def assert_not_found(matrix):
    for key, (status, headers, body) in matrix.items():
        assert status == 404, key
        assert body == ('' if key == 'HEAD' else NOT_FOUND), key


def test_single_database(host):
    make_provider_addon(host.addons)
    host.create_db('shop1', 'website_sale,account,payment_systempay')
    with host.server():
        [pid] = host.execute('shop1', 'payment.provider', 'search', [('code', '=', 'systempay')])
        tx = host.execute('shop1', 'payment.transaction', 'create',
                          {'reference': 'S0001', 'amount': 10.0, 'provider_id': pid})
        assert_served(ipn_matrix(host))
        [row] = host.execute('shop1', 'payment.transaction', 'read', [tx], ['state'])
        assert row['state'] == 'done'
        bad = signed({'vads_order_id': 'S0001'}, key='wrong')
        assert host.http('POST', IPN, data=bad)[2] == 'Bad request received.'
        status, headers, body = host.jsonrpc('/web/webclient/version_info')
        assert (status, headers['Content-Type']) == (200, 'application/json; charset=utf-8')
        assert body == observed('d_single_db', 'version_info_jsonrpc')['body']
        get = observed('d_single_db', 'version_info_GET')
        assert host.http('GET', '/web/webclient/version_info')[::2] == (get['status'], get['body'])
        assert host.jsonrpc('/web/database/list', rid=2)[2] == observed('d_single_db', 'database_list_jsonrpc')['body']
        get = observed('d_single_db', 'database_list_GET')
        assert host.http('GET', '/web/database/list')[::2] == (get['status'], get['body'])
        assert host.http('GET', '/payment/systempay/doesnotexist')[0] == 404


def test_two_databases_without_dbfilter_hide_addon_routes(two_shops):
    host = two_shops
    with host.server():
        assert_not_found(ipn_matrix(host))
        assert host.jsonrpc('/web/database/list', rid=2)[2] == \
            observed('e1_two_dbs_no_dbfilter', 'database_list_jsonrpc')['body']
        assert host.jsonrpc('/web/webclient/version_info')[2] == \
            observed('e1_two_dbs_no_dbfilter', 'version_info_jsonrpc')['body']
        status, headers, body = host.http('GET', '/')
        root = observed('e1_two_dbs_no_dbfilter', 'root_GET')
        assert (status, body) == (root['status'], root['body'])
        assert headers['Location'] == 'http://127.0.0.1:%d/web' % host.port
        status, headers, _body = host.http('GET', '/web/login')
        assert (status, headers['Location']) == (303, 'http://127.0.0.1:%d/web/database/selector' % host.port)
        assert host.http('GET', '/shop')[0] == 404
        # a session on shop1 selects the database (scenario e1)
        status, headers, body = host.jsonrpc('/web/session/authenticate', rid=3,
                                             params={'db': 'shop1', 'login': 'admin', 'password': 'admin'})
        result = json.loads(body)['result']
        assert (result['uid'], result['db'], result['is_admin']) == (2, 'shop1', True)
        cookie = headers['Set-Cookie'].split(';')[0]
        assert cookie.startswith('session_id=')
        good = signed({'vads_order_id': 'S0001', 'vads_trans_status': 'AUTHORISED'})
        assert host.http('POST', IPN, data=good, headers={'Cookie': cookie})[2] == \
            'Payment processed, order has been updated.'
        wrong = host.jsonrpc('/web/session/authenticate', params={'db': 'shop1', 'login': 'admin',
                                                                  'password': 'bad'})[2]
        assert json.loads(wrong)['error']['data']['name'] == 'odoo.exceptions.AccessDenied'


def test_dbfilter_selects_one_database(two_shops):
    two_shops.write_conf(dbfilter='^shop1$')
    with two_shops.server():
        assert_served(ipn_matrix(two_shops))
        assert json.loads(two_shops.jsonrpc('/web/database/list')[2])['result'] == ['shop1']
        assert two_shops.http('GET', '/')[0] == 200
        assert two_shops.http('GET', '/shop')[0] == 200


def test_db_name_alone_selects_and_list_db_false_does_not(two_shops):
    two_shops.write_conf(db_name='shop1')
    with two_shops.server():
        assert_served(ipn_matrix(two_shops))
        assert json.loads(two_shops.jsonrpc('/web/database/list')[2])['result'] == ['shop1']
    two_shops.options.pop('db_name')
    two_shops.write_conf(list_db='False')
    with two_shops.server():
        assert_not_found(ipn_matrix(two_shops))
        error = json.loads(two_shops.jsonrpc('/web/database/list', rid=2)[2])
        assert error['id'] == 2 and error['error']['code'] == 200
        assert error['error']['message'] == 'Odoo Server Error'
        assert error['error']['data']['name'] == 'odoo.exceptions.AccessDenied'
        assert error['error']['data']['debug'].startswith('Traceback (most recent call last):')


def test_dbfilter_by_host_first_label(two_shops):
    two_shops.write_conf(dbfilter='^%d$')
    with two_shops.server():
        assert_not_found(ipn_matrix(two_shops))               # Host: 127.0.0.1 -> "127"
        assert json.loads(two_shops.jsonrpc('/web/database/list')[2])['result'] == []
        err = json.loads(two_shops.jsonrpc('/web/session/authenticate', params={
            'db': 'shop1', 'login': 'admin', 'password': 'admin'})[2])
        assert err['error']['data']['name'] == 'odoo.exceptions.AccessError'
        host_header = {'Host': 'shop1.example.com:%d' % two_shops.port}
        assert_served(ipn_matrix(two_shops, headers=host_header))
        assert json.loads(two_shops.jsonrpc('/web/database/list', headers=host_header)[2])['result'] == ['shop1']


def test_broken_registry_answers_500_everywhere(host):
    make_provider_addon(host.addons)
    host.create_db('shop1', 'account,payment_systempay')
    # the installed module's Python now fails to import (as the fixture build 3.1.1-broken-start)
    with open(os.path.join(host.addons, 'payment_systempay', '__init__.py'), 'a') as f:
        f.write('raise ImportError("broken at registry load")\n')
    with host.server() as proc:
        for method, path in (('GET', IPN), ('POST', IPN), ('GET', '/')):
            status, _headers, body = host.http(method, path, data=b'' if method == 'POST' else None)
            assert status == 500 and '<title>500 Internal Server Error</title>' in body
        assert host.jsonrpc('/web/webclient/version_info')[0] == 500
        assert proc.poll() is None                              # the server keeps running
    assert 'ImportError: broken at registry load' in host.read_log()
    result = host.odoo('-d', 'shop1', '-u', 'payment_systempay', '--stop-after-init')
    assert result.returncode == 255


def test_handler_exception_is_500_and_logged(host):
    make_provider_addon(host.addons, extra_files={'controllers/main.py': '''
from odoo import http

class C(http.Controller):
    @http.route('/payment/systempay/ipn', type='http', auth='public', methods=['POST'], csrf=False)
    def ipn(self, **post):
        raise RuntimeError('handler failed')
'''})
    host.create_db('shop1', 'account,payment_systempay')
    with host.server():
        status, headers, body = host.http('POST', IPN, data={'vads_x': '1'})
    assert status == 500 and headers['Content-Type'] == 'text/html; charset=utf-8'
    assert '<h1>Internal Server Error</h1>' in body
    assert 'RuntimeError: handler failed' in host.read_log()


def test_many_connections_at_once_are_all_answered(host):
    # werkzeug's listen backlog (128): connections made while the server cannot accept (stopped here) wait in it.
    # With http.server's 5, the connections after the sixth or so get no handshake and time out.
    host.create_db('shop1', 'account')
    with host.server() as proc:
        proc.send_signal(signal.SIGSTOP)
        try:
            conns = [socket.create_connection(('127.0.0.1', host.port), 2) for dummy in range(40)]
        finally:
            proc.send_signal(signal.SIGCONT)
        answers = []
        for conn in conns:
            with conn:
                conn.sendall(b'GET /web/webclient/version_info HTTP/1.0\r\nHost: localhost\r\n\r\n')
                answers.append(conn.makefile('rb').readline())
    assert len(answers) == 40 and all(line.startswith(b'HTTP/1.') for line in answers)
