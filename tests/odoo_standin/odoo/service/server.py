"""The threaded HTTP server and ``start`` (Odoo 16 ``odoo/service/server.py``, ThreadedServer)."""
import http.server
import logging
import signal
import sys
import threading
import time

from .. import http as odoo_http
from .. import timing
from ..tools import config

_logger = logging.getLogger('odoo.service.server')
_werkzeug = logging.getLogger('werkzeug')


class RequestHandler(http.server.BaseHTTPRequestHandler):
    server_version = 'Werkzeug/2.2.2'
    protocol_version = 'HTTP/1.0'

    def _handle(self):
        path, _, query = self.path.partition('?')
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        httprequest = odoo_http.HTTPRequest(self.command, path, query, self.headers, body,
                                            self.client_address[0])
        start = time.time()
        try:
            response = odoo_http.root.serve(httprequest)
        except Exception:
            _logger.exception("Exception in request handling")
            response = odoo_http.InternalServerError().get_response()
        self.send_response(response.status_code)
        for key, value in response.headers.items():
            self.send_header(key, value)
        for cookie in response.cookies:
            self.send_header('Set-Cookie', cookie)
        self.send_header('Content-Length', str(len(response.data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(response.data)
        self._elapsed = time.time() - start

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _handle

    def log_request(self, code='-', size='-'):
        _werkzeug.info('%s - - [%s] "%s" %s -', self.client_address[0], self.log_date_time_string(),
                       self.requestline, code)

    def log_message(self, format, *args):
        _werkzeug.info(format, *args)


class ThreadedHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Odoo serves with werkzeug's ThreadedWSGIServer, whose listen backlog is werkzeug's LISTEN_QUEUE (128), not
    # http.server's 5: many connections at once (the IPN probe's) queue instead of being reset.
    request_queue_size = 128


def preload_registries(dbnames):
    from ..loading import Registry
    for dbname in dbnames or []:
        try:
            update_module = bool(config['init'] or config['update'])
            Registry.new(dbname, update_module=update_module)
        except Exception:
            _logger.critical('Failed to initialize database `%s`.', dbname, exc_info=True)
            return -1
    return 0


def start(preload=None, stop=False):
    """Load the ``preload`` databases; unless ``stop``, then serve HTTP until SIGTERM/SIGINT."""
    if stop:
        return preload_registries(preload)
    stopping = threading.Event()

    def handler(signum, frame):
        if stopping.is_set():
            sys.exit(1)
        _logger.info('Initiating shutdown')
        _logger.info('Hit CTRL-C again or send a second signal to force the shutdown.')
        stopping.set()
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    interface = config['http_interface'] or '0.0.0.0'
    port = int(config['http_port'])
    httpd = None
    started = time.time()
    odoo_http.nodb_routes()     # imports the server-wide modules (base, web), as Odoo does at start
    timing.spend('start', started)      # test equipment (timing.py): real Odoo answers seconds after its start
    if config['http_enable']:
        httpd = ThreadedHTTPServer((interface, port), RequestHandler)
        threading.Thread(target=httpd.serve_forever, name='odoo.service.httpd', daemon=True).start()
        _logger.info('HTTP service (werkzeug) running on %s:%s', interface, port)
    preload_registries(preload)
    while not stopping.wait(0.5):
        pass
    if httpd is not None:
        httpd.shutdown()
        httpd.server_close()
    logging.shutdown()
    return 0
