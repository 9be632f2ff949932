"""XML-RPC services and fault mapping (Odoo 16 ``xmlrpc_handle_exception_int``):
``UserError``/``RedirectWarning`` -> 2, ``AccessDenied`` -> 3, ``AccessError`` -> 4, anything
else -> 1 with the formatted traceback as fault string."""
import datetime
import logging
import threading
import traceback
import xmlrpc.client

from .. import fields, release
from ..api import Environment
from ..exceptions import AccessDenied, AccessError, RedirectWarning, UserError
from ..tools import config

_logger = logging.getLogger('odoo.service.model')

RPC_FAULT_CODE_CLIENT_ERROR = 1
RPC_FAULT_CODE_APPLICATION_ERROR = 1
RPC_FAULT_CODE_WARNING = 2
RPC_FAULT_CODE_ACCESS_DENIED = 3
RPC_FAULT_CODE_ACCESS_ERROR = 4


class OdooMarshaller(xmlrpc.client.Marshaller):
    """Odoo's XML-RPC marshaller: dates and datetimes (what ``read()`` gives for those fields) go out as the text
    ``fields.Date/Datetime.to_string`` makes, not as ``dateTime.iso8601``."""
    dispatch = dict(xmlrpc.client.Marshaller.dispatch)

    def dump_datetime(self, value, write):
        self.dump_unicode(fields.Datetime.to_string(value), write)

    def dump_date(self, value, write):
        self.dump_unicode(fields.Date.to_string(value), write)

    dispatch[datetime.datetime] = dump_datetime
    dispatch[datetime.date] = dump_date


# as Odoo does, for every xmlrpc.client.dumps of the server
xmlrpc.client.Marshaller = OdooMarshaller


def version_info():
    return {
        'server_version': release.version,
        'server_version_info': list(release.version_info),
        'server_serie': release.serie,
        'protocol_version': 1,
    }


# ---- common -------------------------------------------------------------------------------------
def exp_version():
    return version_info()


def exp_authenticate(db, login, password, user_agent_env=None):
    from ..loading import Registry
    registry = Registry.get(db)
    with registry.cursor() as cr:
        env = Environment(cr, 1, {}, registry=registry)
        try:
            return env['res.users'].authenticate(db, login, password, user_agent_env or {})
        except AccessDenied:
            return False


def exp_login(db, login, password):
    return exp_authenticate(db, login, password, None)


def exp_about(extended=False):
    info = 'See http://openerp.com'
    return [info, release.version] if extended else info


# ---- db -----------------------------------------------------------------------------------------
def exp_list(document=False):
    from ..http import list_dbs
    if not config['list_db']:
        raise AccessDenied()
    return list_dbs()


def exp_server_version():
    return release.version


def exp_db_exist(db_name):
    from .. import sql_db
    return sql_db.exists(db_name)


# ---- object -------------------------------------------------------------------------------------
def check_method_name(name):
    if name.startswith('_'):
        raise AccessError('Private methods (such as %s) cannot be called remotely.' % name)


def _downgrade(value):
    if hasattr(value, '_ids') and hasattr(value, 'env'):
        return value.ids
    return value


def call_kw(model, name, args, kwargs):
    method = getattr(type(model), name)
    api = getattr(method, '_api', None)
    kwargs = dict(kwargs or {})
    context = kwargs.pop('context', None) or {}
    recs = model.with_context(context)
    if api == 'model':
        return _downgrade(method(recs, *args, **kwargs))
    if api == 'model_create':
        result = method(recs, *args, **kwargs)
        return result.id if isinstance(args[0], dict) else result.ids
    ids, args = (args[0] if args else []), args[1:]
    return _downgrade(method(recs.browse(ids), *args, **kwargs))


def execute_kw(db, uid, obj, method, args, kw=None):
    return execute(db, uid, obj, method, *args, **(kw or {}))


def execute(db, uid, obj, method, *args, **kw):
    from ..loading import Registry
    registry = Registry.get(db)
    with registry.cursor() as cr:
        check_method_name(method)
        env = Environment(cr, uid, {}, registry=registry)
        if obj not in env:
            raise UserError("Object %s doesn't exist" % obj)
        result = call_kw(env[obj], method, list(args), kw)
        if result is None:
            _logger.info('The method %s of the object %s can not return `None` !', method, obj)
        return result


def object_dispatch(method, params):
    from ..loading import Registry
    db, uid, passwd = params[0], int(params[1]), params[2]
    registry = Registry.get(db)
    with registry.cursor() as cr:
        Environment(cr, 1, {}, registry=registry)['res.users'].check(db, uid, passwd)
    threading.current_thread().dbname = db
    threading.current_thread().uid = uid
    if method == 'execute':
        return execute(db, uid, *params[3:])
    if method == 'execute_kw':
        return execute_kw(db, uid, *params[3:])
    raise NameError("Method not available %s" % method)


SERVICES = {
    'common': {'version': exp_version, 'login': exp_login, 'authenticate': exp_authenticate,
               'about': exp_about},
    'db': {'list': exp_list, 'server_version': exp_server_version, 'db_exist': exp_db_exist},
}


def dispatch_rpc(service_name, method, params):
    if service_name == 'object':
        return object_dispatch(method, params)
    if service_name not in SERVICES:
        raise KeyError(service_name)
    if method not in SERVICES[service_name]:
        raise KeyError("Method not supported %s" % method)
    return SERVICES[service_name][method](*params)


def xmlrpc_handle_exception_int(exc):
    if isinstance(exc, RedirectWarning):
        fault = xmlrpc.client.Fault(RPC_FAULT_CODE_WARNING, str(exc))
    elif isinstance(exc, AccessError):
        fault = xmlrpc.client.Fault(RPC_FAULT_CODE_ACCESS_ERROR, str(exc))
    elif isinstance(exc, AccessDenied):
        fault = xmlrpc.client.Fault(RPC_FAULT_CODE_ACCESS_DENIED, str(exc))
    elif isinstance(exc, UserError):
        fault = xmlrpc.client.Fault(RPC_FAULT_CODE_WARNING, str(exc))
    else:
        formatted = ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        fault = xmlrpc.client.Fault(RPC_FAULT_CODE_APPLICATION_ERROR, formatted)
    return xmlrpc.client.dumps(fault, allow_none=None)


def handle_xmlrpc(service, data):
    """Body of the XML-RPC response to ``data`` posted to ``/xmlrpc/2/<service>``."""
    try:
        params, method = xmlrpc.client.loads(data)
        result = dispatch_rpc(service, method, params)
        return xmlrpc.client.dumps((result,), methodresponse=1, allow_none=False)
    except Exception as exc:
        return xmlrpc_handle_exception_int(exc)
