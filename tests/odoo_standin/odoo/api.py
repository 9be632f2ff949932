"""``odoo.api``: method decorators and ``Environment`` (cursor + user + context + registry)."""
import functools

SUPERUSER_ID = 1


def model(method):
    """The method works on the model, not on records (called on an empty recordset over RPC)."""
    method._api = 'model'
    return method


def model_create_multi(method):
    """``create`` taking a list of values; a single dict is accepted too (as in Odoo)."""
    @functools.wraps(method)
    def create(self, vals_list):
        if isinstance(vals_list, dict):
            return method(self, [vals_list])
        return method(self, vals_list)
    create._api = 'model_create'
    return create


def model_create_single(method):
    @functools.wraps(method)
    def create(self, vals_list):
        if isinstance(vals_list, dict):
            return method(self, vals_list)
        records = self.browse()
        for vals in vals_list:
            records |= method(self, vals)
        return records
    create._api = 'model_create'
    return create


def constrains(*names):
    def decorate(method):
        method._constrains = names
        return method
    return decorate


def _noop_with_args(*args, **kwargs):
    def decorate(method):
        return method
    return decorate


depends = depends_context = onchange = returns = ondelete = _noop_with_args


def multi(method):
    return method


one = multi


def autovacuum(method):
    return method


class Environment:
    """``env``: ``env['model']``, ``env.ref(xmlid)``, ``env.cr``, ``env.uid``, ``env.user``,
    ``env.company``, ``env.context``, ``env.su``."""

    def __init__(self, cr, uid, context, su=False, registry=None):
        self.cr = cr
        self.uid = uid
        self.context = dict(context or {})
        self.su = su or uid == SUPERUSER_ID
        self.registry = registry or getattr(cr, 'registry', None)
        if self.registry is None:
            from .loading import Registry
            self.registry = Registry.get(cr.dbname)

    def __getitem__(self, model_name):
        return self.registry[model_name](self, ())

    def __contains__(self, model_name):
        return model_name in self.registry

    def get(self, model_name, default=None):
        return self[model_name] if model_name in self.registry else default

    def __call__(self, cr=None, user=None, context=None, su=None):
        uid = self.uid if user is None else (user.id if hasattr(user, '_ids') else user)
        return Environment(cr or self.cr, uid, self.context if context is None else context,
                           self.su if su is None else su, self.registry)

    @property
    def user(self):
        return self(su=True)['res.users'].browse(self.uid or SUPERUSER_ID)

    @property
    def company(self):
        company_id = self.context.get('allowed_company_ids', [None])[0]
        if company_id:
            return self['res.company'].browse(company_id)
        return self.user.company_id or self['res.company'].browse(1)

    companies = company

    @property
    def lang(self):
        return self.context.get('lang')

    def ref(self, xml_id, raise_if_not_found=True):
        """The record of external id ``module.name`` (``ValueError`` if not found)."""
        res_model, res_id = self['ir.model.data']._xmlid_to_res_model_res_id(
            xml_id, raise_if_not_found=raise_if_not_found)
        if res_model and res_id:
            record = self[res_model].browse(res_id)
            if record.exists():
                return record
            if raise_if_not_found:
                raise ValueError('No record found for unique ID %s. It may have been deleted.' % xml_id)
        return None
