"""``odoo.http``: controllers, routes, ``request``, and the request dispatching of Odoo 16.

Dispatching, as in Odoo 16's ``Request._get_session_and_dbname``/``_serve_db``/``_serve_nodb``:
the database is the session's one if ``db_filter`` accepts it, else the only database left by
``db_list(force=True)`` (``db_name`` list / ``dbfilter`` with ``%d``/``%h``), else none.  With a
database, routes come from the modules installed in it (its registry must load, else 500); without,
only ``auth='none'`` routes of the server-wide modules (``base``, ``web``) exist.
"""
import datetime
import functools
import html
import json
import logging
import re
import secrets
import threading
import traceback
import urllib.parse

from . import fields, release, sql_db
from .api import SUPERUSER_ID, Environment
from .exceptions import AccessDenied, AccessError, UserError
from .tools import config


def json_default(value):
    """JSON-RPC answers dates and datetimes as Odoo's ``date_utils.json_default`` does: as their text."""
    if isinstance(value, datetime.datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, datetime.date):
        return fields.Date.to_string(value)
    raise TypeError('Object of type %s is not JSON serializable' % type(value).__name__)


_logger = logging.getLogger('odoo.http')

CSRF_FREE_METHODS = ('GET', 'HEAD', 'OPTIONS', 'TRACE')
SESSION_LIFETIME = 60 * 60 * 24 * 7


# ---------------------------------------------------------------------------------------------
# controllers and routes
# ---------------------------------------------------------------------------------------------
class Controller:
    """Base class of HTTP controllers; subclasses are recorded by the addon defining them."""
    children_classes = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        parts = cls.__module__.split('.')
        module = parts[2] if len(parts) >= 3 and parts[:2] == ['odoo', 'addons'] else ''
        Controller.children_classes.setdefault(module, []).append(cls)


def route(route=None, **routing):
    """``@http.route(path|[paths], type='http'|'json', auth=, methods=, csrf=, website=...)``."""
    def decorator(func):
        params = dict(routing)
        if route:
            params['routes'] = [route] if isinstance(route, str) else list(route)
        if 'type' in params and params['type'] == 'jsonrpc':
            params['type'] = 'json'
        func.original_routing = params

        @functools.wraps(func)
        def route_wrapper(self, *args, **kwargs):
            return func(self, *args, **kwargs)
        route_wrapper.original_routing = params
        return route_wrapper
    return decorator


class Response:
    """A response: body (str/bytes), status, headers; ``set_cookie``."""

    def __init__(self, response=None, status=200, headers=None, mimetype=None, content_type=None):
        self.data = response.encode() if isinstance(response, str) else (response or b'')
        self.status_code = int(status) if not isinstance(status, str) else int(status.split()[0])
        self.headers = dict(headers or {})
        if content_type or 'Content-Type' not in self.headers:
            self.headers['Content-Type'] = content_type or (mimetype and (
                mimetype + ('; charset=utf-8' if mimetype.startswith('text/') else ''))) \
                or 'text/html; charset=utf-8'
        self.cookies = []

    def set_cookie(self, key, value='', max_age=None, path='/', httponly=False, **kw):
        cookie = '%s=%s; Path=%s' % (key, value, path)
        if max_age is not None:
            cookie += '; Max-Age=%d' % max_age
        if httponly:
            cookie += '; HttpOnly'
        self.cookies.append(cookie)


def _werkzeug_page(code, name, description):
    return ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n'
            '<title>%d %s</title>\n<h1>%s</h1>\n<p>%s</p>\n' % (code, name, name, description))


class HTTPException(Exception):
    code, name, description = 500, 'Internal Server Error', ''

    def __init__(self, description=None, valid_methods=None):
        super().__init__(description or self.description)
        if description is not None:
            self.description = description
        self.valid_methods = valid_methods

    def get_response(self):
        response = Response(_werkzeug_page(self.code, self.name, self.description), status=self.code)
        if self.valid_methods:
            response.headers['Allow'] = ', '.join(self.valid_methods)
        return response


class BadRequest(HTTPException):
    code, name = 400, 'Bad Request'
    description = ("The browser (or proxy) sent a request that this server could not understand.")


class Forbidden(HTTPException):
    code, name = 403, 'Forbidden'
    description = ("You don't have the permission to access the requested resource. It is either "
                   "read-protected or not readable by the server.")


class NotFound(HTTPException):
    code, name = 404, 'Not Found'
    description = ("The requested URL was not found on the server. If you entered the URL manually "
                   "please check your spelling and try again.")


class MethodNotAllowed(HTTPException):
    code, name = 405, 'Method Not Allowed'
    description = 'The method is not allowed for the requested URL.'


class InternalServerError(HTTPException):
    code, name = 500, 'Internal Server Error'
    description = ("The server encountered an internal error and was unable to complete your request. "
                   "Either the server is overloaded or there is an error in the application.")


def redirect(location, code=303, host_url=''):
    escaped = html.escape(location)
    body = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>Redirecting...</title>\n'
            '<h1>Redirecting...</h1>\n<p>You should be redirected automatically to target URL: '
            '<a href="%s">%s</a>. If not click the link.' % (escaped, escaped))
    target = location if '://' in location else host_url.rstrip('/') + location
    return Response(body, status=code, headers={'Location': target})


# ---------------------------------------------------------------------------------------------
# database selection (Odoo 16 http.db_filter / db_list)
# ---------------------------------------------------------------------------------------------
def db_filter(dbs, host=None):
    if config['dbfilter']:
        host = (host if host is not None else request.httprequest.host).partition(':')[0]
        if host.startswith('www.'):
            host = host[4:]
        domain = host.partition('.')[0]
        pattern = config['dbfilter'].replace('%h', re.escape(host)).replace('%d', re.escape(domain))
        return [db for db in dbs if re.match(pattern, db)]
    if config['db_name']:
        exposed = {db.strip() for db in str(config['db_name']).split(',')}
        return sorted(exposed.intersection(dbs))
    return list(dbs)


def list_dbs(force=False):
    if not config['list_db'] and not force:
        raise AccessDenied()
    if not config['dbfilter'] and config['db_name']:
        return sorted(db.strip() for db in str(config['db_name']).split(','))
    return sql_db.list_dbs()


def db_list(force=False, host=None):
    return db_filter(list_dbs(force), host)


# ---------------------------------------------------------------------------------------------
# request
# ---------------------------------------------------------------------------------------------
class HTTPRequest:
    """The raw request (what werkzeug's request offers that addons use)."""

    def __init__(self, method, path, query, headers, body, client_addr=''):
        self.method = method
        self.path = path
        self.query_string = query
        self.headers = headers
        self.data = body
        self.remote_addr = client_addr
        self.args = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        self.mimetype = (headers.get('Content-Type') or '').split(';')[0].strip().lower()
        self.form = {}
        if self.mimetype == 'application/x-www-form-urlencoded':
            self.form = dict(urllib.parse.parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True))
        self.cookies = {}
        for part in (headers.get('Cookie') or '').split(';'):
            if '=' in part:
                key, _, value = part.strip().partition('=')
                self.cookies[key] = value
        self.host = headers.get('Host') or ''
        self.environ = {'HTTP_HOST': self.host, 'REQUEST_METHOD': method, 'PATH_INFO': path,
                        'REMOTE_ADDR': client_addr, 'QUERY_STRING': query}
        self.host_url = 'http://%s/' % self.host
        self.url_root = self.host_url
        self.url = self.host_url.rstrip('/') + path + ('?' + query if query else '')
        self.full_path = path + '?' + query

    def get_data(self, as_text=False):
        return self.data.decode() if as_text else self.data


class Session(dict):
    """Session data (``db``, ``uid``, ``login``, ``context``); attribute access like Odoo's."""
    __getattr__ = dict.get

    def __setattr__(self, key, value):
        self[key] = value


class SessionStore:
    """In-memory sessions of the running server (Odoo keeps them in files under data_dir)."""

    def __init__(self):
        self._sessions = {}
        self._lock = threading.Lock()

    def get(self, sid):
        with self._lock:
            return self._sessions.get(sid)

    def new(self):
        session = Session(sid=secrets.token_hex(20), db=None, uid=None, login=None,
                          context={'lang': 'en_US'})
        return session

    def save(self, session):
        with self._lock:
            self._sessions[session.sid] = session


_request_stack = threading.local()


class _RequestProxy:
    def __getattr__(self, name):
        req = getattr(_request_stack, 'request', None)
        if req is None:
            raise RuntimeError("request not bound")
        return getattr(req, name)

    def __bool__(self):
        return getattr(_request_stack, 'request', None) is not None


request = _RequestProxy()


class Request:
    """The ``request`` an endpoint sees: ``env``, ``params``, ``httprequest``, ``session``, ``db``."""

    def __init__(self, httprequest, session, db):
        self.httprequest = httprequest
        self.session = session
        self.db = db
        self.env = None
        self.registry = None
        self.params = {}
        self.jsonrequest = None

    def make_response(self, data, headers=None, cookies=None, status=200):
        response = Response(data, status=status, headers=dict(headers or []))
        return response

    def make_json_response(self, data, headers=None, cookies=None, status=200):
        return Response(json.dumps(data, default=json_default), status=status, headers=dict(headers or []),
                        content_type='application/json; charset=utf-8')

    def redirect(self, location, code=303, local=True):
        return redirect(location, code, self.httprequest.host_url)

    def not_found(self, description=None):
        return NotFound(description)

    def render(self, template, qcontext=None, lazy=True, **kw):
        return Response('<html><body><!-- %s --></body></html>' % html.escape(template))

    def csrf_token(self, time_limit=None):
        return ''

    def validate_csrf(self, token):
        return False


# ---------------------------------------------------------------------------------------------
# routing
# ---------------------------------------------------------------------------------------------
_CONVERTER = re.compile(r'<(?:(?P<conv>[a-zA-Z_]+)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>')


def _rule_regex(path):
    out, pos = '', 0
    for m in _CONVERTER.finditer(path):
        out += re.escape(path[pos:m.start()])
        conv = m.group('conv') or 'string'
        pattern = {'int': r'\d+', 'path': r'.+', 'float': r'\d+\.\d+'}.get(conv, r'[^/]+')
        out += '(?P<%s>%s)' % (m.group('name'), pattern)
        pos = m.end()
    return re.compile('^' + out + re.escape(path[pos:]) + '$')


class Endpoint:
    def __init__(self, controller, method_name, routing):
        self.controller = controller
        self.method_name = method_name
        self.routing = routing
        methods = routing.get('methods')
        if methods:
            methods = {m.upper() for m in methods}
            if 'GET' in methods:
                methods.add('HEAD')
            if release.version_info[0] >= 16:
                # werkzeug 2's provide_automatic_options: measured "Allow: OPTIONS, POST" on 16,
                # "Allow: POST" on 15 (ground truth sections 5 and 7)
                methods.add('OPTIONS')
        self.methods = methods
        self.rules = [_rule_regex(path) for path in routing['routes']]

    def __call__(self, **kwargs):
        return getattr(self.controller, self.method_name)(**kwargs)


def _merged_routing(cls, attr):
    routing = {}
    for klass in reversed(cls.__mro__):
        func = klass.__dict__.get(attr)
        if func is not None and hasattr(func, 'original_routing'):
            routing.update(func.original_routing)
    routing.setdefault('type', 'http')
    routing.setdefault('auth', 'user')
    return routing


def build_routes(module_names, nodb_only=False):
    """Endpoints of the controllers defined by ``module_names`` (in that order; later ones win)."""
    classes = []
    for module in module_names:
        classes.extend(Controller.children_classes.get(module, []))
    leaves = [c for c in classes if not any(o is not c and issubclass(o, c) for o in classes)]
    endpoints = {}
    for cls in leaves:
        instance = cls()
        for attr in dir(cls):
            if attr.startswith('__') or not any(hasattr(k.__dict__.get(attr), 'original_routing')
                                                for k in cls.__mro__):
                continue
            routing = _merged_routing(cls, attr)
            if not routing.get('routes'):
                continue
            if nodb_only and routing['auth'] != 'none':
                continue
            for path in routing['routes']:
                endpoints[path] = Endpoint(instance, attr, dict(routing, routes=[path]))
    return list(endpoints.values())


def match(endpoints, path, method):
    """(endpoint, args) for ``path``/``method``; ``NotFound`` or ``MethodNotAllowed`` otherwise."""
    allowed = set()
    for endpoint in endpoints:
        for rule in endpoint.rules:
            m = rule.match(path)
            if not m:
                continue
            if endpoint.methods is None or method in endpoint.methods:
                args = {k: (int(v) if v.isdigit() else v) for k, v in m.groupdict().items()}
                return endpoint, args
            allowed |= endpoint.methods
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed))
    raise NotFound()


_nodb_routes_cache = {}


def nodb_routes():
    key = config['server_wide_modules']
    if key not in _nodb_routes_cache:
        from .modules import load_openerp_module
        names = [m.strip() for m in str(key).split(',') if m.strip()]
        for name in names:      # Odoo's load_server_wide_modules()
            load_openerp_module(name)
        _nodb_routes_cache[key] = build_routes(names, nodb_only=True)
    return _nodb_routes_cache[key]


# ---------------------------------------------------------------------------------------------
# serving one request
# ---------------------------------------------------------------------------------------------
def serialize_exception(exc):
    name = type(exc).__module__ + '.' + type(exc).__qualname__
    if type(exc).__module__ == 'builtins':
        name = type(exc).__name__
    return {'name': name, 'debug': ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
            'message': str(exc), 'arguments': list(exc.args), 'context': getattr(exc, 'context', {})}


class Application:
    """The WSGI-like root: ``app.serve(httprequest) -> Response``."""

    def __init__(self):
        self.session_store = SessionStore()

    def _session_and_db(self, httprequest):
        sid = httprequest.args.get('session_id') or httprequest.headers.get('X-Openerp-Session-Id') \
            or httprequest.cookies.get('session_id')
        session = self.session_store.get(sid) if sid else None
        if session is None:
            session = self.session_store.new()
        dbname = None
        host = httprequest.host
        if session.db and db_filter([session.db], host=host):
            dbname = session.db
        else:
            all_dbs = db_list(force=True, host=host)
            if len(all_dbs) == 1:
                dbname = all_dbs[0]
        if session.db != dbname:
            if session.db:
                _logger.warning("Logged into database %r, but dbfilter rejects it; logging session out.",
                                session.db)
                session.uid = None
            session.db = dbname
        return session, dbname

    def serve(self, httprequest):
        from .loading import Registry
        threading.current_thread().dbname = '?'
        session, dbname = self._session_and_db(httprequest)
        req = Request(httprequest, session, dbname)
        _request_stack.request = req
        try:
            if dbname:
                threading.current_thread().dbname = dbname
                try:
                    req.registry = Registry.get(dbname)
                except sql_db.OperationalError:
                    # the database is gone: forget it and serve without database, as Odoo 16 does
                    session.db = req.db = dbname = None
                    threading.current_thread().dbname = '?'
                except Exception:
                    _logger.exception("Exception during request handling.")
                    return InternalServerError().get_response()
            endpoints = req.registry.routes if dbname else nodb_routes()
            try:
                endpoint, args = match(endpoints, httprequest.path, httprequest.method)
            except HTTPException as exc:
                if isinstance(exc, NotFound) and dbname and 'website' in req.registry.loaded:
                    return Response('<!DOCTYPE html>\n<html><body><h1>404: Page not found</h1></body></html>',
                                    status=404, content_type='text/html;charset=utf-8')
                return exc.get_response()
            return self._dispatch(req, endpoint, args)
        finally:
            _request_stack.request = None

    def _dispatch(self, req, endpoint, args):
        routing = endpoint.routing
        httprequest = req.httprequest
        is_json = httprequest.mimetype in ('application/json', 'application/json-rpc')
        if routing['type'] == 'json' and not is_json:
            compatible = ['http']
            return BadRequest(html.escape(
                "Request inferred type is compatible with %r but %r is type=%r."
                % (compatible, routing['routes'][0], routing['type']), quote=True)).get_response()
        cr = None
        try:
            if req.registry is not None:
                cr = req.registry.cursor()
                uid = req.session.uid
                if routing['auth'] == 'user' and not uid:
                    if routing['type'] == 'json':
                        return Response(json.dumps({'jsonrpc': '2.0', 'id': None, 'error': {
                            'code': 100, 'message': 'Odoo Session Expired', 'data': {
                                'name': 'odoo.http.SessionExpiredException', 'message': 'Session expired',
                                'arguments': ['Session expired'], 'context': {}, 'debug': ''}}}),
                            content_type='application/json; charset=utf-8')
                    return redirect('/web/login', 303, httprequest.host_url)
                req.env = Environment(cr, uid or (None if routing['auth'] == 'none' else _public_uid(cr, req)),
                                      dict(req.session.context or {}), registry=req.registry)
            if routing['type'] == 'json':
                response = self._dispatch_json(req, endpoint, args)
            else:
                response = self._dispatch_http(req, endpoint, args)
            if cr is not None:
                cr.commit()
            if req.session.get('_dirty'):
                req.session['_dirty'] = False
                self.session_store.save(req.session)
                response.set_cookie('session_id', req.session.sid, max_age=SESSION_LIFETIME, httponly=True)
            return response
        except Exception as exc:  # any error of an http endpoint
            if routing['type'] == 'json':
                raise
            _logger.exception("Exception during request handling.")
            if isinstance(exc, HTTPException):
                return exc.get_response()
            if release.version_info[0] >= 16:
                if isinstance(exc, (AccessDenied, AccessError)):
                    return Forbidden(html.escape(str(exc.args[0]))).get_response()
                if isinstance(exc, UserError):
                    return BadRequest(html.escape(str(exc.args[0]))).get_response()
            return InternalServerError().get_response()
        finally:
            if cr is not None:
                cr.close()

    def _dispatch_http(self, req, endpoint, args):
        httprequest = req.httprequest
        params = dict(httprequest.args)
        params.update(httprequest.form)
        params.update(args)
        req.params = params
        if httprequest.method not in CSRF_FREE_METHODS and endpoint.routing.get('csrf', True):
            token = params.pop('csrf_token', None)
            if not req.validate_csrf(token):
                _logger.warning("No CSRF validation token provided for path %r", httprequest.path)
                raise BadRequest('Session expired (invalid CSRF token)')
        result = endpoint(**params)
        if isinstance(result, HTTPException):
            return result.get_response()
        if isinstance(result, Response):
            response = result
        else:
            response = Response(result if result is not None else b'')
        if httprequest.method == 'HEAD':
            response.data = b''
        return response

    def _dispatch_json(self, req, endpoint, args):
        try:
            payload = json.loads(req.httprequest.data or b'{}')
        except ValueError:
            return BadRequest("Invalid JSON data").get_response()
        req.jsonrequest = payload
        req.params = dict(payload.get('params') or {}, **args)
        rid = payload.get('id')
        try:
            result = endpoint(**req.params)
            body = {'jsonrpc': '2.0', 'id': rid, 'result': result}
        except Exception as exc:
            _logger.exception("Exception during JSON request handling.")
            if req.env is not None:
                req.env.cr.rollback()
            body = {'jsonrpc': '2.0', 'id': rid, 'error': {
                'code': 200, 'message': 'Odoo Server Error', 'data': serialize_exception(exc)}}
        return Response(json.dumps(body, default=json_default), content_type='application/json; charset=utf-8')


def _public_uid(cr, req):
    env = Environment(cr, SUPERUSER_ID, {}, registry=req.registry)
    public = env.ref('base.public_user', raise_if_not_found=False)
    return public.id if public else SUPERUSER_ID


root = Application()
