# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ipn_probe, driven through main() against servers started here, on 127.0.0.1 and random ports only.

* Small ``http.server``/``ssl`` servers play what stands between the platform and a shop: a clean Odoo-like
  route, redirects (301 to the route, 302 bare→www style, 303), basic auth, IP filtering, a maintenance page, a
  proxy refusing POST, a catch-all page, self-signed TLS, a socket that accepts and never answers, a closed port;
  an unresolvable name is ``*.invalid``. Each server is stopped by its fixture.
* The real Odoo stand-in (``tests/unit/standin_host.py``) with the fixture addons: one database → OK; two
  databases without dbfilter → NOT_FOUND naming the fix; ``dbfilter`` set → OK; Odoo 15 with the 2.x addon (500 to
  a notification it cannot match, 405 to GET) → OK only when the generation is known.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import getpass
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

try:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qsl
except ImportError:  # pragma: no cover - Python 2 is not a target
    pytest.skip('Python 3 only', allow_module_level=True)

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_http
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_notify
from ansible_collections.systempay.odoo.plugins.modules import ipn_probe
from ansible_collections.systempay.odoo.plugins.action.ipn_probe import from_facts
from ansible_collections.systempay.odoo.plugins.modules import odoo_info
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import run_module
from ansible_collections.systempay.odoo.tests.unit.standin_host import StandinHost, standin_helpers

ROUTE = '/payment/systempay/ipn'
KEY = 'TESTKEY-7391-secret'
WERKZEUG_405 = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>405 Method Not Allowed</title>\n'
                '<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n')
WERKZEUG_500 = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>500 Internal Server Error</title>\n'
                '<h1>Internal Server Error</h1>\n')


# -- local servers ------------------------------------------------------------------------------
def odoo16(method, port):
    """Odoo 16's route with the 3.x addon (ground truth 5): GET 405, POST 200 "Bad request received."."""
    if method == 'POST':
        return 200, {'Content-Type': 'text/html; charset=utf-8'}, 'Bad request received.'
    return 405, {'Allow': 'OPTIONS, POST'}, WERKZEUG_405


def odoo15(method, port):
    """Odoo 15's route with the 2.x addon (ground truth 7): GET 405 Allow POST, POST 500 on bad data."""
    if method == 'POST':
        return 500, {}, WERKZEUG_500
    return 405, {'Allow': 'POST'}, WERKZEUG_405


# path prefix -> (method, port) -> (status, headers, body); the shop URL is http://127.0.0.1:<port>/<prefix>
ROUTES = {
    '/clean': odoo16,
    '/old': odoo15,
    '/moved': lambda method, port: (301, {'Location': 'http://127.0.0.1:%d/clean%s' % (port, ROUTE)}, ''),
    '/tohttps': lambda method, port: (301, {'Location': 'https://127.0.0.1:%d/clean%s' % (TLS_PORT[0], ROUTE)}, ''),
    '/bare': lambda method, port: (302, {'Location': 'http://localhost:%d/clean%s' % (port, ROUTE)}, ''),
    '/login': lambda method, port: (302, {'Location': '/web/login'}, ''),
    '/seeother': lambda method, port: (303, {'Location': '/clean' + ROUTE}, ''),
    '/basic': lambda method, port: (401, {'WWW-Authenticate': 'Basic realm="Shop staging"'}, 'Authorization Required'),
    '/forbidden': lambda method, port: (403, {}, '<h1>403 Forbidden</h1>'),
    '/maint': lambda method, port: (503, {'Retry-After': '3600'}, '<h1>Shop under maintenance</h1>'),
    '/proxy': lambda method, port: (405, {'Allow': 'GET, HEAD'}, '<h1>405 Not Allowed</h1><hr>nginx'),
    '/catchall': lambda method, port: (200, {}, '<html><body><h1>Welcome to our shop</h1></body></html>'),
    '/gone': lambda method, port: (404, {}, '<h1>Not Found</h1>'),
    '/crash': lambda method, port: (500, {}, WERKZEUG_500),
    '/badgateway': lambda method, port: (502, {}, '<h1>502 Bad Gateway</h1>'),
}
TLS_PORT = [0]     # set by the tls_server fixture, read by the /tohttps route


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _serve(self, method):
        server = self.server
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode('ascii') if length else ''
        with server.lock:
            server.requests.append(dict(method=method, path=self.path, content_type=self.headers.get('Content-Type'),
                                        form=dict(parse_qsl(body)), host=self.headers.get('Host')))
            server.inflight += 1
            server.max_inflight = max(server.max_inflight, server.inflight)
        try:
            time.sleep(server.delay)
            for prefix, answer in ROUTES.items():
                if self.path == prefix + ROUTE or self.path.startswith(prefix + ROUTE + '?'):
                    status, headers, text = answer(method, server.server_address[1])
                    break
            else:
                status, headers, text = 404, {}, 'no such test route'
        finally:
            # Leave the count before the answer goes out: once the client has read it, it may send its
            # next request before this thread runs again, which would count one request twice.
            with server.lock:
                server.inflight -= 1
        data = text.encode('utf-8')
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self._serve('POST')

    def do_GET(self):
        self._serve('GET')


class ShopServer(ThreadingHTTPServer):
    # A web server's listen backlog (nginx: 511), not http.server's 5: the probe opens up to 16 connections at once,
    # and with a backlog of 5 a loaded machine (tests run in parallel) resets some before the server accepts them.
    request_queue_size = 128


@contextlib.contextmanager
def serving(context=None, delay=0.0):
    server = ShopServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.requests, server.inflight, server.max_inflight, server.delay = [], 0, 0, delay
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs=dict(poll_interval=0.05))
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def web():
    with serving() as server:
        server.base = 'http://127.0.0.1:%d' % server.server_address[1]
        yield server


@pytest.fixture(scope='module')
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and localhost, made with the openssl program."""
    openssl = shutil.which('openssl')
    if not openssl:
        pytest.skip('openssl is not installed')
    folder = tmp_path_factory.mktemp('tls')
    cert, key = str(folder / 'cert.pem'), str(folder / 'key.pem')
    subprocess.run([openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
                    '-days', '2', '-subj', '/CN=127.0.0.1',
                    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def tls_server(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with serving(context) as server:
        TLS_PORT[0] = server.server_address[1]
        server.base = 'https://127.0.0.1:%d' % server.server_address[1]
        yield server


@pytest.fixture
def silent_port():
    """A socket that accepts connections (the kernel's backlog) and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def closed_port():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def probe(urls, fails=False, check_mode=False, **kwargs):
    args = dict(urls=urls if isinstance(urls, list) else [urls], timeout=5)
    args.update(kwargs)
    return run_module(ipn_probe, args, fails=fails, check_mode=check_mode)


def one(urls, **kwargs):
    kwargs.setdefault('fail_on_error', False)
    result = probe(urls, **kwargs)
    assert len(result['probes']) == 1
    return result['probes'][0]


# -- local servers: each verdict -----------------------------------------------------------------
def test_clean_route_is_ok_and_the_request_is_the_platforms(web):
    result = probe(web.base + '/clean', signed=True, key=KEY, algo='SHA-1', check_mode=True)
    assert result['ok'] is True and result['failed_count'] == 0 and result['changed'] is False
    entry = result['probes'][0]
    assert (entry['verdict'], entry['status'], entry['get_status']) == ('OK', 200, 405)
    assert entry['notify_url'] == web.base + '/clean' + ROUTE
    assert entry['answer'] == 'Bad request received.' and entry['signed'] is True
    post, get = web.requests
    assert (post['method'], post['path'], post['content_type']) == ('POST', '/clean' + ROUTE, ipn_http.FORM_TYPE)
    assert get['method'] == 'GET'
    form = post['form']
    assert form['vads_order_id'] == entry['order_ref'] and entry['order_ref'].startswith('systempay-probe-')
    assert set(form) == set(['vads_site_id', 'vads_ctx_mode', 'vads_trans_status', 'vads_order_id', 'vads_trans_id',
                             'vads_amount', 'vads_currency', 'vads_trans_date', 'signature'])
    assert form['signature'] == ipn_notify.sign(form, KEY, 'SHA-1')      # the rule itself is checked in test_ipn.py
    assert KEY not in json.dumps(result)


def test_full_notification_url_is_probed_as_given(web):
    entry = one(web.base + '/clean' + ROUTE)
    assert entry['verdict'] == 'OK' and entry['probe_url'] == web.base + '/clean' + ROUTE
    assert [r['path'] for r in web.requests] == ['/clean' + ROUTE] * 2


def test_301_names_the_location_to_declare_and_checks_it(web):
    entry = one(web.base + '/moved')
    target = web.base + '/clean' + ROUTE
    assert (entry['verdict'], entry['status'], entry['location']) == ('REDIRECT', 301, target)
    assert entry['notify_url'] == target
    assert 'Declare %s instead of %s' % (target, web.base + '/moved' + ROUTE) in entry['fix']
    assert 'test AND production' in entry['fix'] and 'URL de notification à la fin du paiement' in entry['fix']
    assert entry['redirect_check']['verdict'] == 'OK' and 'Checked' in entry['fix']
    # The redirect itself was not followed by the HTTP client: the Location was probed as our own check.
    assert [r['path'] for r in web.requests].count('/moved' + ROUTE) == 2     # POST + GET


def test_302_bare_to_www_style(web):
    entry = one(web.base + '/bare')
    assert entry['verdict'] == 'REDIRECT' and entry['status'] == 302
    assert entry['notify_url'] == entry['location'] == 'http://localhost:%d/clean%s' % (web.server_address[1], ROUTE)
    assert entry['redirect_check']['verdict'] == 'OK'


def test_redirect_away_from_the_route_says_to_remove_it(web):
    entry = one(web.base + '/login')
    assert entry['verdict'] == 'REDIRECT' and entry['location'] == web.base + '/web/login'
    assert 'not to the notification route' in entry['fix']
    assert entry['notify_url'] == web.base + '/login' + ROUTE and entry['redirect_check'] is None


def test_303_is_its_own_verdict(web):
    entry = one(web.base + '/seeother')
    assert (entry['verdict'], entry['status']) == ('REDIRECT_303', 303)
    assert entry['location'] == web.base + '/clean' + ROUTE                 # made absolute
    assert 'calls again with GET' in entry['reason'] and '405' in entry['reason']


def test_http_to_https_redirect_onto_a_self_signed_certificate(web, tls_server):
    entry = one(web.base + '/tohttps')
    assert entry['verdict'] == 'REDIRECT'
    assert entry['redirect_check']['verdict'] == 'TLS'
    assert 'itself answers TLS' in entry['fix']


def test_basic_auth(web):
    entry = one(web.base + '/basic')
    assert (entry['verdict'], entry['status']) == ('AUTH_REQUIRED', 401)
    assert 'Basic authentication, realm "Shop staging"' in entry['reason'] and '.htaccess' in entry['reason']
    assert ROUTE in entry['fix']


def test_ip_filtering(web):
    entry = one(web.base + '/forbidden')
    assert (entry['verdict'], entry['status']) == ('AUTH_REQUIRED', 403)
    assert "platform's IP addresses" in entry['fix']


def test_maintenance(web):
    entry = one(web.base + '/maint')
    assert (entry['verdict'], entry['status']) == ('MAINTENANCE', 503)
    assert 'Retry-After: 3600' in entry['reason'] and 'maintenance' in entry['fix']


def test_post_refused_by_a_proxy(web):
    entry = one(web.base + '/proxy')
    assert (entry['verdict'], entry['status']) == ('METHOD_NOT_ALLOWED', 405)
    assert 'Allow: GET, HEAD' in entry['reason']


def test_catch_all_page_is_not_the_addon(web):
    entry = one(web.base + '/catchall')
    assert (entry['verdict'], entry['status'], entry['get_status']) == ('UNEXPECTED', 200, 200)
    assert 'Welcome to our shop' in entry['reason']


def test_404_without_facts_gives_both_causes(web):
    entry = one(web.base + '/gone')
    assert entry['verdict'] == 'NOT_FOUND'
    assert 'not installed' in entry['reason'] and 'several databases' in entry['reason']


def test_500_tells_the_old_addon_from_a_failure_with_get_and_generation(web):
    old = one(web.base + '/old', expect_generation='15.0')
    assert (old['verdict'], old['status'], old['get_status'], old['addon_line']) == ('OK', 500, 405, '2')
    unknown = one(web.base + '/old')
    assert unknown['verdict'] == 'SERVER_ERROR' and 'expect_generation' in unknown['reason']
    recent = one(web.base + '/old', expect_generation='3.1.1')
    assert recent['verdict'] == 'SERVER_ERROR' and 'answers 200 even' in recent['reason']
    no_get = one(web.base + '/old', expect_generation='15.0', methods=['POST'])
    assert no_get['verdict'] == 'SERVER_ERROR' and no_get['get_status'] is None
    crash = one(web.base + '/crash', expect_generation='15.0')       # GET 500 too: nothing proves the route
    assert crash['verdict'] == 'SERVER_ERROR'


def test_bad_gateway(web):
    entry = one(web.base + '/badgateway')
    assert (entry['verdict'], entry['status']) == ('SERVER_ERROR', 502)
    assert 'got no answer' in entry['reason']


def test_self_signed_certificate(tls_server, certificate):
    url = tls_server.base + '/clean'
    entry = one(url)
    assert (entry['verdict'], entry['status'], entry['error']) == ('TLS', None, 'tls')
    assert 'certificate verify failed' in entry['reason'] and 'self-signed' in entry['fix']
    assert one(url, validate_certs=False)['verdict'] == 'OK'
    assert one(url, ca_path=certificate[0])['verdict'] == 'OK'       # the same server, its CA trusted


def test_plain_http_on_the_https_port_is_a_handshake_failure(web):
    entry = one('https://127.0.0.1:%d/clean' % web.server_address[1])
    assert entry['verdict'] == 'TLS' and entry['error'] == 'tls'


def test_server_that_never_answers_times_out(silent_port):
    start = time.time()
    entry = one('http://127.0.0.1:%d' % silent_port, timeout=1)
    assert (entry['verdict'], entry['error'], entry['status']) == ('TIMEOUT', 'timeout', None)
    assert 'no answer within 1 s' in entry['reason']
    assert time.time() - start < 30                                   # bounded, not a measure


def test_closed_port_is_refused(closed_port):
    entry = one('http://127.0.0.1:%d' % closed_port)
    assert (entry['verdict'], entry['error']) == ('CONNECTION_REFUSED', 'refused')
    assert 'port %d' % closed_port in entry['reason']


def test_unresolvable_name():
    entry = one('https://shop.systempay-probe.invalid', timeout=2)
    assert (entry['verdict'], entry['error']) == ('DNS', 'dns')
    assert 'shop.systempay-probe.invalid' in entry['reason'] and 'DNS record' in entry['fix']


# -- many shops, results and failure ---------------------------------------------------------------
def test_fifty_urls_at_once(web):
    web.delay = 0.05
    urls = ['%s/clean?shop=%d' % (web.base, n) for n in range(50)]
    result = probe(urls, concurrency=16)
    assert result['ok'] is True and len(result['probes']) == 50
    assert [entry['url'] for entry in result['probes']] == urls                    # order kept
    assert all(entry['verdict'] == 'OK' for entry in result['probes'])
    assert len(set(entry['order_ref'] for entry in result['probes'])) == 50
    assert len(web.requests) == 100
    assert 1 < web.max_inflight <= 16                                              # concurrent, and bounded


def test_failing_shops_fail_the_task_with_each_fix(web, closed_port):
    shops = [dict(url=web.base + '/clean', key=KEY), dict(url=web.base + '/basic', key=KEY),
             dict(url='http://127.0.0.1:%d' % closed_port)]
    result = probe([], shops=shops, fails=True, key='OTHER-secret-key')
    assert result['failed_count'] == 2 and result['ok'] is False
    assert result['msg'].startswith('Cannot receive payment notifications at 2 of 3 shops: ')
    assert 'AUTH_REQUIRED: Exempt %s' % ROUTE in result['msg'] and 'CONNECTION_REFUSED' in result['msg']
    assert [entry['signed'] for entry in result['probes']] == [True, True, True]   # the task's key as default
    dumped = json.dumps(result)
    assert KEY not in dumped and 'OTHER-secret-key' not in dumped

    quiet = probe([], shops=shops, fail_on_error=False)
    assert quiet['failed_count'] == 2 and 'msg' not in quiet


def test_compares_with_the_stored_notify_url_and_web_base_url(web):
    entry = one(web.base + '/clean', expected_notify_url='http://localhost:8069' + ROUTE,
                web_base_url=web.base + '/clean/')
    assert entry['matches_stored_notify_url'] is False and entry['matches_web_base_url'] is True
    assert any('http://localhost:8069' in note for note in entry['notes'])


@pytest.mark.parametrize('args, message', [
    (dict(urls=['shop.example.com']), 'give a full http:// or https:// URL'),
    (dict(urls=['http://shop.example.com'], methods=['GET']), 'methods must hold POST'),
    (dict(urls=['http://shop.example.com'], signed=True), 'give key'),
    (dict(urls=['http://shop.example.com'], brand='Pay Zen'), 'lower-case letters'),
    (dict(urls=['http://shop.example.com'], expect_generation='9.0'), 'expect_generation'),
    (dict(urls=[], shops=[]), 'both empty'),
    (dict(odoo=dict(transport='rpc')), 'transport is rpc'),
])
def test_inputs_refused_before_any_request(args, message):
    result = run_module(ipn_probe, args, fails=True)
    assert message in result['msg']


# -- the real stand-in -----------------------------------------------------------------------------
@pytest.fixture(scope='module')
def two_shops(tmp_path_factory, fixtures):
    """shop1 with the 3.1.1 addon installed, shop2 without; made with the stand-in's own CLI."""
    host = StandinHost(tmp_path_factory.mktemp('ipn-template'))
    host.put_addon(fixtures.unpacked('3.1.1'))
    host.create_db('shop1', 'base,account,website_sale,payment_systempay')
    host.create_db('shop2', 'base,account,website_sale')
    return host


@pytest.fixture
def standin(tmp_path, fixtures, two_shops):
    hosts = []

    def make(databases, **conf):
        host = StandinHost(tmp_path / ('host%d' % len(hosts)))
        host.put_addon(fixtures.unpacked('3.1.1'))
        host.copy_databases(two_shops, databases)
        host.write_conf(**conf)
        hosts.append(host)
        host.start()
        return host
    yield make
    for host in hosts:
        host.stop()


def test_standin_one_database_signed_probe_is_answered_by_the_addon(standin):
    host = standin(('shop1',))
    entry = one(host.url, signed=True, key='1111111111111111', expect_generation='16.0',
                host_facts=dict(databases=['shop1'], dbfilter='', db_name=None))
    assert (entry['verdict'], entry['status'], entry['get_status']) == ('OK', 200, 405)
    assert entry['answer'] == 'Bad request received.' and entry['signed'] is True


def test_standin_two_databases_without_dbfilter_is_not_found_with_the_fix(standin):
    host = standin(('shop1', 'shop2'))
    facts = dict(databases=['shop1', 'shop2'], dbfilter='', db_name=None, installed_in=['shop1'])
    entry = one(host.url, host_facts=facts)
    assert (entry['verdict'], entry['status'], entry['get_status']) == ('NOT_FOUND', 404, 404)
    assert 'Odoo serves 2 databases (shop1, shop2) and has neither dbfilter nor db_name' in entry['reason']
    assert entry['fix'] == 'Set dbfilter = ^shop1$ (the database with payment_systempay installed) in the [options] ' \
                           'of odoo.conf and restart Odoo.'
    generic = one(host.url, host_facts=dict(databases=2, dbfilter=''))
    assert 'dbfilter = ^%d$' in generic['fix'] and 'Odoo serves 2 databases' in generic['reason']


def test_standin_dbfilter_makes_it_ok(standin):
    host = standin(('shop1', 'shop2'), dbfilter='^shop1$')
    entry = one(host.url, signed=True, key='1111111111111111')
    assert entry['verdict'] == 'OK' and entry['answer'] == 'Bad request received.'


def test_standin_module_missing_from_the_selected_database(standin):
    host = standin(('shop1', 'shop2'), dbfilter='^shop2$')
    entry = one(host.url, host_facts=dict(databases=['shop1', 'shop2'], dbfilter='^shop2$', installed_in=['shop1']))
    assert entry['verdict'] == 'NOT_FOUND'
    assert 'serves the database shop2' in entry['reason'] and 'Install payment_systempay in the database shop2' \
        in entry['fix']


def test_standin_odoo15_with_the_2x_addon(tmp_path, fixtures):
    host = standin_helpers.Host(tmp_path / 'odoo15', series='15.0')
    shutil.copytree(os.path.join(fixtures.unpacked('2.0.5'), 'payment_systempay'),
                    os.path.join(host.addons, 'payment_systempay'))
    host.create_db('shop1', 'website_sale,payment_systempay')
    with host.server():
        known = one(host.url, expect_generation='15.0')
        unknown = one(host.url)
    assert (known['verdict'], known['status'], known['get_status']) == ('OK', 500, 405)
    assert unknown['verdict'] == 'SERVER_ERROR' and 'Odoo 15 or older' in unknown['reason']


# -- the odoo option: what the host's Odoo says about its shops ---------------------------------------
@pytest.fixture
def on_host(monkeypatch, tmp_path):
    """The module runs "on" a stand-in host: no systemd unit found, its processes use that host's databases."""
    units = tmp_path / 'no-units'
    units.mkdir()

    def isolate(host):
        monkeypatch.setattr(discovery, 'UNIT_DIRS', (str(units),))
        monkeypatch.delenv('ODOO_RC', raising=False)
        for key, value in host.environ().items():
            monkeypatch.setenv(key, value)
        return dict(binary=host.bin, config=host.conf, user=getpass.getuser())
    return isolate


def test_standin_read_only_gives_each_database_and_the_host_facts(standin, on_host, two_shops):
    host = standin(('shop1', 'shop2'))
    before = host.module_state('shop1')
    result = run_module(ipn_probe, dict(odoo=on_host(host)), check_mode=True)
    # Databases made on the template host: web.base.url is what Odoo sets at creation, http://localhost:<its port>;
    # the addon stored its notification URL from it at install.
    fresh = 'http://localhost:%d' % two_shops.port
    assert result['probes'] == [] and result['ok'] is True and result['changed'] is False
    assert result['databases'] == [
        dict(name='shop1', web_base_url=fresh, local=True, module_state='installed', installed=True,
             notify_url=fresh + ROUTE),
        dict(name='shop2', web_base_url=fresh, local=True, module_state='uninstalled', installed=False,
             notify_url=None),
    ]
    assert result['host_facts'] == dict(series='16.0', databases=['shop1', 'shop2'], dbfilter='', db_name=None,
                                        installed_in=['shop1'], web_base_urls={'shop1': fresh, 'shop2': fresh},
                                        notify_urls={'shop1': fresh + ROUTE})
    assert host.module_state('shop1') == before


def test_standin_the_gathered_read_gives_the_same_databases_without_starting_odoo(standin, on_host):
    host = standin(('shop1', 'shop2'))
    options = on_host(host)
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    read = run_module(ipn_probe, dict(odoo=options), check_mode=True)
    loads = os.path.join(host.root, 'registry-loads.log')
    with open(loads) as f:
        count = len(f.read().splitlines())
    gathered = run_module(ipn_probe, dict(odoo=dict(options, odoo_facts=facts)), check_mode=True)
    with open(loads) as f:
        assert len(f.read().splitlines()) == count      # no registry loaded: the databases come from gather
    assert gathered['databases'] == read['databases'] and gathered['host_facts'] == read['host_facts']


def test_standin_the_action_answers_a_read_from_gather_s_facts_as_the_module_reads_the_host(standin, on_host):
    host = standin(('shop1', 'shop2'), dbfilter='^shop1$')
    options = on_host(host)
    facts = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['all'], read_with='shell'))
    assert sorted(facts['database_states']) == ['shop1', 'shop2']
    for databases in (['all'], ['shop2']):
        read = run_module(ipn_probe, dict(odoo=dict(options, databases=databases)), check_mode=True)
        answer = from_facts(dict(brand='systempay', odoo=dict(options, databases=databases, odoo_facts=facts)))
        assert answer == dict(changed=False, probes=[], failed_count=0, ok=True, databases=read['databases'],
                              host_facts=read['host_facts'])
    # the module runs instead: a read marked stale (site.yml: new addon files or config), or not taken
    stale = dict(facts, database_states=dict(facts['database_states'],
                                             shop1=dict(facts['database_states']['shop1'], stale='new files')))
    assert from_facts(dict(odoo=dict(options, odoo_facts=stale))) is None
    assert from_facts(dict(odoo=dict(options, odoo_facts=stale, databases=['shop2']))) is not None
    partial = run_module(odoo_info, dict(binary=host.bin, config=host.conf, read_databases=['shop1'], read_with='shell'))
    assert from_facts(dict(odoo=dict(options, odoo_facts=partial))) is None
    assert from_facts(dict(odoo=dict(options, odoo_facts=facts, databases=['nosuchdb']))) is None
    # ... and so it does for URLs to probe, any other option, an option the module refuses, or no facts
    assert from_facts(dict(urls=['https://shop.example.com'], odoo=dict(options, odoo_facts=facts))) is None
    assert from_facts(dict(timeout=5, odoo=dict(options, odoo_facts=facts))) is None
    assert from_facts(dict(odoo=dict(options, odoo_facts=facts, transport='ftp'))) is None
    assert from_facts(dict(odoo=dict(options, odoo_facts=facts, transport='rpc'))) is None    # no login
    assert from_facts(dict(odoo=options)) is None


def test_standin_probe_with_the_facts_read_explains_the_404(standin, on_host):
    host = standin(('shop1', 'shop2'))
    entry = one(host.url, odoo=on_host(host))
    assert entry['verdict'] == 'NOT_FOUND'
    assert 'Odoo serves 2 databases (shop1, shop2) and has neither dbfilter nor db_name' in entry['reason']
    assert 'dbfilter = ^shop1$ (the database with payment_systempay installed)' in entry['fix']


def test_standin_served_database_gives_the_urls_to_compare_with(standin, on_host, two_shops):
    host = standin(('shop1', 'shop2'), dbfilter='^shop1$')
    result = probe(host.url, odoo=dict(on_host(host), databases=['shop1']), fail_on_error=False)
    entry = result['probes'][0]
    assert entry['verdict'] == 'OK'
    assert result['host_facts']['dbfilter'] == '^shop1$' and result['host_facts']['installed_in'] is None
    # 127.0.0.1:<port> is probed; shop1 (the one database dbfilter leaves) says localhost:<template port>.
    assert entry['matches_stored_notify_url'] is False and entry['matches_web_base_url'] is False
    assert any('The addon shows http://localhost:%d%s' % (two_shops.port, ROUTE) in note for note in entry['notes'])


def test_standin_all_databases_needs_list_db(standin, on_host):
    host = standin(('shop1',), list_db='False')
    result = run_module(ipn_probe, dict(odoo=on_host(host)), fails=True)
    assert 'Cannot list the databases of Odoo' in result['msg'] and 'name them in odoo.databases' in result['msg']
    named = run_module(ipn_probe, dict(odoo=dict(on_host(host), databases=['shop1'])))
    assert [entry['name'] for entry in named['databases']] == ['shop1'] and named['host_facts']['databases'] is None


def test_standin_unknown_database_fails_naming_it(standin, on_host):
    host = standin(('shop1',))
    result = run_module(ipn_probe, dict(odoo=dict(on_host(host), databases=['nosuchshop'])), fails=True)
    assert 'Cannot read the shop of database nosuchshop' in result['msg']
