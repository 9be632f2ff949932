"""``odoo.models``: model definition classes and recordsets.

Each ``class X(models.Model)`` an addon defines is recorded under its module name.  A registry
(one per database) builds, from the modules installed in that database and in dependency order,
one class per model whose bases are the definition classes (latest first), so ``super()`` works as
in Odoo.  Records live in the database's generic record store (see ``sql_db``); searches are
evaluated in Python.
"""
import collections
import re

from . import fields as fields_mod
from .exceptions import MissingError, ValidationError

MAGIC_FIELDS = ('id', 'display_name', 'create_date', 'write_date', 'create_uid', 'write_uid')


class MetaModel(type):
    """Records every model definition class by the addon (``odoo.addons.<name>``) defining it."""
    module_to_models = collections.defaultdict(list)

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if not attrs.get('_register', True):
            return
        parts = cls.__module__.split('.')
        if len(parts) >= 3 and parts[0] == 'odoo' and parts[1] == 'addons':
            cls._module = parts[2]
            MetaModel.module_to_models[parts[2]].append(cls)


def _like(value, pattern, case_insensitive, wrap=True):
    if value is None or value is False:
        return False
    value, pattern = str(value), str(pattern)
    if case_insensitive:
        value, pattern = value.lower(), pattern.lower()
    regex = ''.join('.*' if c == '%' else '.' if c == '_' else re.escape(c) for c in pattern)
    if wrap:
        regex = '.*' + regex + '.*'
    return re.fullmatch(regex, value, re.S) is not None


def _compare(value, operator, target):
    """One domain leaf on plain values (``value`` may be a list for x2many)."""
    if isinstance(value, list):
        if operator in ('=', '!=') and target is False:
            return (not value) == (operator == '=')
        if operator in ('in', '=', 'child_of'):
            targets = target if isinstance(target, (list, tuple)) else [target]
            return bool(set(value) & set(targets))
        if operator in ('not in', '!='):
            targets = target if isinstance(target, (list, tuple)) else [target]
            return not set(value) & set(targets)
        return any(_compare(v, operator, target) for v in value)
    if value is None:
        value = False
    if operator in ('=', '=='):
        return value == target or (target is False and value in (None, False, ''))
    if operator in ('!=', '<>'):
        return not _compare(value, '=', target)
    if operator == 'in':
        targets = list(target) if isinstance(target, (list, tuple, set)) else [target]
        return value in targets or (value is False and False in targets)
    if operator == 'not in':
        return not _compare(value, 'in', target)
    if operator in ('like', 'ilike', 'not like', 'not ilike', '=like', '=ilike'):
        found = _like(value, target, 'ilike' in operator, wrap=not operator.startswith('='))
        return not found if operator.startswith('not') else found
    if value is False or target is None or target is False:
        return False
    try:
        return {'>': value > target, '<': value < target, '>=': value >= target,
                '<=': value <= target}[operator]
    except TypeError:
        return False
    except KeyError:
        raise ValueError("Invalid domain term operator %r" % operator) from None


def _parse_domain(domain):
    """Prefix-notation domain -> tree of ('&'|'|', a, b), ('!', a) and leaves."""
    items = list(domain or [])
    pos = 0

    def parse():
        nonlocal pos
        token = items[pos]
        pos += 1
        if token in ('&', '|'):
            left = parse()
            right = parse()
            return (token, left, right)
        if token == '!':
            return ('!', parse())
        if isinstance(token, (list, tuple)) and tuple(token) in ((1, '=', 1), (0, '=', 1)):
            return ('true',) if token[0] else ('!', ('true',))
        if isinstance(token, (list, tuple)) and len(token) == 3:
            return ('leaf', tuple(token))
        raise ValueError("Invalid leaf %r" % (token,))

    nodes = []
    while pos < len(items):
        nodes.append(parse())
    tree = ('true',)
    for node in reversed(nodes):
        tree = node if tree == ('true',) else ('&', node, tree)
    return tree


class BaseModel(metaclass=MetaModel):
    """Recordset of one model: ``self.env``, ``self._ids``; the ORM methods addons call."""
    _register = False
    _name = None
    _inherit = ()
    _description = None
    _order = 'id'
    _rec_name = None
    _auto = True
    _abstract = False
    _transient = False
    _fields = {}

    def __init__(self, env, ids):
        self.env = env
        self._ids = tuple(ids)

    # ----- recordset basics -------------------------------------------------
    @property
    def ids(self):
        return list(self._ids)

    @property
    def id(self):
        return self._ids[0] if len(self._ids) == 1 else False

    @property
    def _cr(self):
        return self.env.cr

    @property
    def _uid(self):
        return self.env.uid

    @property
    def _context(self):
        return self.env.context

    def __iter__(self):
        for rid in self._ids:
            yield type(self)(self.env, (rid,))

    def __len__(self):
        return len(self._ids)

    def __bool__(self):
        return bool(self._ids)

    def __contains__(self, item):
        return item.id in self._ids if hasattr(item, '_ids') else item in self._ids

    def __eq__(self, other):
        return isinstance(other, BaseModel) and self._name == other._name and set(self._ids) == set(other._ids)

    def __hash__(self):
        return hash((self._name, frozenset(self._ids)))

    def __add__(self, other):
        return self.browse(self._ids + other._ids)

    def __or__(self, other):
        return self.browse(list(dict.fromkeys(self._ids + other._ids)))

    def __and__(self, other):
        return self.browse([i for i in self._ids if i in other._ids])

    def __sub__(self, other):
        return self.browse([i for i in self._ids if i not in other._ids])

    def __getitem__(self, key):
        if isinstance(key, str):
            return getattr(self, key)
        if isinstance(key, slice):
            return self.browse(self._ids[key])
        return self.browse([self._ids[key]])

    def __setitem__(self, key, value):
        setattr(self, key, value)

    def __repr__(self):
        return '%s%r' % (self._name, self._ids)

    def ensure_one(self):
        if len(self._ids) != 1:
            raise ValueError("Expected singleton: %s" % self)
        return self

    def browse(self, ids=None):
        if ids is None:
            ids = ()
        elif isinstance(ids, int):
            ids = (ids,)
        return type(self)(self.env, tuple(ids))

    def with_env(self, env):
        return type(self)(env, self._ids)

    def sudo(self, flag=True):
        return self.with_env(self.env(su=flag))

    def with_user(self, user):
        return self.with_env(self.env(user=user, su=False))

    def with_context(self, *args, **kwargs):
        context = dict(args[0] if args else self.env.context, **kwargs)
        return self.with_env(self.env(context=context))

    def with_company(self, company):
        return self

    def exists(self):
        found = self.env.cr.existing_ids(self._name, list(self._ids))
        return self.browse([i for i in self._ids if i in found])

    def filtered(self, func):
        if isinstance(func, str):
            name = func
            func = lambda rec: any(rec.mapped(name))  # noqa: E731
        return self.browse([rec.id for rec in self if func(rec)])

    def filtered_domain(self, domain):
        return self & self.search(domain)

    def mapped(self, func):
        if isinstance(func, str):
            values = self
            for name in func.split('.'):
                parts = [getattr(rec, name) for rec in values]
                if parts and isinstance(parts[0], BaseModel):
                    merged = parts[0].browse()
                    for part in parts:
                        merged |= part
                    values = merged
                else:
                    values = parts
            return values
        results = [func(rec) for rec in self]
        if results and isinstance(results[0], BaseModel):
            merged = results[0].browse()
            for part in results:
                merged |= part
            return merged
        return results

    def sorted(self, key=None, reverse=False):
        if key is None:
            return self.search([('id', 'in', list(self._ids))])
        if isinstance(key, str):
            name = key
            key = lambda rec: rec[name]  # noqa: E731
        return self.browse([rec.id for rec in sorted(self, key=key, reverse=reverse)])

    def _stored_values(self):
        vals = self.env.cr.fetch(self._name, self.id)
        if vals is None:
            raise MissingError("Record does not exist or has been deleted.\n(Record: %s, User: %s)"
                               % (self, self.env.uid))
        return vals

    def _one2many_ids(self, field):
        inverse = field.args.get('inverse_name')
        rows = self.env.cr.fetch_all(field.comodel_name)
        return fields_mod.active_ids([rid for rid, vals in rows.items() if vals.get(inverse) == self.id],
                                     field.comodel_name, self.env)

    @property
    def display_name(self):
        return self.name_get()[0][1] if self else False

    def name_get(self):
        rec_name = self._rec_name or ('name' if 'name' in self._fields else None)
        result = []
        for rec in self:
            value = rec[rec_name] if rec_name else False
            result.append((rec.id, value or '%s,%s' % (self._name, rec.id)))
        return result

    # ----- search -------------------------------------------------------------
    def _field_or_error(self, name, leaf=None):
        field = self._fields.get(name)
        if field is None:
            if leaf is not None:
                raise ValueError("Invalid field %s.%s in leaf %s" % (self._name, name, str(leaf)))
            raise ValueError("Invalid field %r on model %r" % (name, self._name))
        return field

    def _leaf_matches(self, rid, vals, leaf):
        path, operator, target = leaf
        operator = operator.lower()
        if hasattr(target, '_ids'):
            target = list(target._ids) if operator in ('in', 'not in') else target.id
        names = path.split('.')
        field = self._field_or_error(names[0], leaf)
        if names[0] == 'id':
            value = rid
        elif field.type == 'one2many':
            value = self.browse(rid)._one2many_ids(field)
        else:
            value = vals.get(names[0])
        if len(names) > 1 and field.type in ('many2one', 'many2many', 'one2many'):
            ids = value if isinstance(value, list) else ([value] if value else [])
            sub = self.env[field.comodel_name].with_context(active_test=False)
            matched = sub.search([('id', 'in', ids), ('.'.join(names[1:]), operator, target)])
            return bool(matched)
        if field.type == 'many2one' and isinstance(target, str) and operator not in ('=like', '=ilike'):
            names_op = operator if operator not in ('=', '!=') else operator
            comodel = self.env[field.comodel_name].with_context(active_test=False)
            rec = comodel.browse(value) if value else comodel.browse()
            return bool(rec) and _compare(rec.display_name, names_op, target)
        return _compare(value, operator, target)

    def _eval_tree(self, tree, rid, vals):
        kind = tree[0]
        if kind == 'true':
            return True
        if kind == 'leaf':
            return self._leaf_matches(rid, vals, tree[1])
        if kind == '!':
            return not self._eval_tree(tree[1], rid, vals)
        if kind == '&':
            return self._eval_tree(tree[1], rid, vals) and self._eval_tree(tree[2], rid, vals)
        return self._eval_tree(tree[1], rid, vals) or self._eval_tree(tree[2], rid, vals)

    def _sort_key_rows(self, rows, order):
        items = list(rows.items())
        for part in reversed([p.strip() for p in (order or self._order or 'id').split(',') if p.strip()]):
            bits = part.split()
            name, desc = bits[0], len(bits) > 1 and bits[1].lower() == 'desc'
            if name not in self._fields:
                continue

            def key(item, name=name):
                value = item[0] if name == 'id' else item[1].get(name)
                if isinstance(value, list):
                    value = len(value)
                return (value is None or value is False, value if value not in (None, False) else 0)
            try:
                items.sort(key=key, reverse=desc)
            except TypeError:
                items.sort(key=lambda item, key=key: str(key(item)), reverse=desc)
        return items

    def _search_ids(self, domain, offset=0, limit=None, order=None):
        domain = list(domain or [])
        if ('active' in self._fields and self.env.context.get('active_test', True)
                and not any(isinstance(leaf, (list, tuple)) and leaf[0] == 'active' for leaf in domain)):
            domain = [('active', '=', True)] + domain   # top-level terms are ANDed
        tree = _parse_domain(domain)
        rows = self.env.cr.fetch_all(self._name)
        matched = {rid: vals for rid, vals in rows.items() if self._eval_tree(tree, rid, vals)}
        ids = [rid for rid, _vals in self._sort_key_rows(matched, order)]
        ids = ids[offset or 0:]
        return ids[:limit] if limit else ids

    def search(self, domain, offset=0, limit=None, order=None, count=False):
        ids = self._search_ids(domain, offset, limit, order)
        return len(ids) if count else self.browse(ids)
    search._api = 'model'

    def search_count(self, domain, limit=None):
        return len(self._search_ids(domain, limit=limit))
    search_count._api = 'model'

    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **kwargs):
        records = self.search(domain or [], offset=offset, limit=limit, order=order)
        return records.read(fields) if records else []
    search_read._api = 'model'

    def name_search(self, name='', args=None, operator='ilike', limit=100):
        domain = list(args or [])
        rec_name = self._rec_name or 'name'
        if name and rec_name in self._fields:
            domain.append((rec_name, operator, name))
        return self.search(domain, limit=limit).name_get()
    name_search._api = 'model'

    # ----- read ---------------------------------------------------------------
    def read(self, fields=None, load='_classic_read'):
        names = list(fields) if fields else [n for n in self._fields if n != 'id']
        for name in names:
            self._field_or_error(name)
        result = []
        for rec in self:
            vals = rec._stored_values()
            row = {'id': rec.id}
            for name in names:
                field = self._fields[name]
                if name == 'display_name':
                    row[name] = rec.display_name
                elif field.type == 'one2many':
                    row[name] = rec._one2many_ids(field)
                elif field.type == 'many2one' and load != '_classic_read':
                    row[name] = vals.get(name) or False
                else:
                    row[name] = field.to_read(vals.get(name), self.env)
            result.append(row)
        return result

    def fields_get(self, allfields=None, attributes=None):
        result = {}
        for name, field in self._fields.items():
            if allfields and name not in allfields:
                continue
            desc = field.describe(self.env)
            if attributes:
                desc = {key: value for key, value in desc.items() if key in attributes}
            result[name] = desc
        return result
    fields_get._api = 'model'

    def default_get(self, fields_list):
        result = {}
        for name in fields_list:
            field = self._fields.get(name)
            if field is not None:
                value = field.default_value(self)
                if value is not fields_mod._UNSET:
                    result[name] = field.to_store(value, self) if field.type != 'many2many' else value
        return result
    default_get._api = 'model'

    def check_access_rights(self, operation, raise_exception=True):
        return True
    check_access_rights._api = 'model'

    def check_access_rule(self, operation):
        return None

    # ----- write --------------------------------------------------------------
    def _convert_vals(self, vals, current=None):
        """Validated JSON values and the pending one2many commands."""
        stored, o2m = {}, {}
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None:
                raise ValueError("Invalid field %r on model %r" % (name, self._name))
            if name in MAGIC_FIELDS:
                continue
            if field.type == 'one2many':
                o2m[name] = value
            elif field.type == 'many2many':
                stored[name] = field.apply_commands((current or {}).get(name), value, self.env)
            else:
                stored[name] = field.to_store(value, self)
        return stored, o2m

    def _check_required(self, stored):
        for name, field in self._fields.items():
            if field.required and field.type not in ('boolean', 'one2many', 'many2many') \
                    and name in stored and stored[name] in (None, False, ''):
                raise ValidationError(
                    "The operation cannot be completed:\n"
                    "- Create/update: a mandatory field is not set.\n"
                    "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
                    "Model: %s (%s)\nField: %s (%s)" % (self._description or self._name, self._name,
                                                         field.string, name))

    def _apply_o2m(self, o2m):
        for name, commands in o2m.items():
            field = self._fields[name]
            inverse = field.args.get('inverse_name')
            comodel = self.env[field.comodel_name]
            for rec in self:
                current = rec._one2many_ids(field)
                if commands and all(isinstance(c, (list, tuple)) and c and c[0] == 0 for c in commands):
                    for command in commands:
                        comodel.create(dict(command[2], **{inverse: rec.id}))
                    continue
                wanted = field.apply_commands(current, [c for c in (commands or []) if c[0] != 0], self.env)
                for command in commands or []:
                    if command[0] == 0:
                        wanted.append(comodel.create(dict(command[2], **{inverse: rec.id})).id)
                for rid in set(current) - set(wanted):
                    comodel.browse(rid).write({inverse: False})
                for rid in set(wanted) - set(current):
                    comodel.browse(rid).write({inverse: rec.id})

    def _run_constraints(self, names):
        for attr in dir(type(self)):
            method = getattr(type(self), attr, None)
            fields_checked = getattr(method, '_constrains', None)
            if fields_checked and set(fields_checked) & set(names):
                method(self)

    def _sync_other_side(self, rid, before, after):
        """Keep the other side of each many2many relation written (the comodel's many2many on the same relation
        table, :attr:`fields.Many2many.relation_table`) equal to this side, as one table is in Odoo."""
        for name, ids in after.items():
            field = self._fields[name]
            if field.type != 'many2many' or field.comodel_name == self._name:
                continue
            comodel = self.env[field.comodel_name]
            others = [other for other in comodel._fields.values() if other.type == 'many2many'
                      and other.comodel_name == self._name and other.relation_table == field.relation_table]
            old, new = set(before.get(name) or []), set(ids or [])
            for other in others:
                for cid in (old ^ new):
                    vals = self.env.cr.fetch(comodel._name, cid)
                    if vals is None:
                        continue
                    linked = [i for i in (vals.get(other.name) or []) if i != rid]
                    if cid in new:
                        linked.append(rid)
                    self.env.cr.update(comodel._name, cid, {other.name: linked})

    def write(self, vals):
        now = fields_mod.Datetime.to_string(fields_mod.Datetime.now())
        for rec in self:
            current = rec._stored_values()
            stored, o2m = rec._convert_vals(vals, current)
            rec._check_required(stored)
            stored['write_date'] = now
            stored['write_uid'] = self.env.uid
            self.env.cr.update(self._name, rec.id, stored)
            rec._sync_other_side(rec.id, current, stored)
        if self:
            self._apply_o2m({k: v for k, v in vals.items() if self._fields[k].type == 'one2many'})
            self._run_constraints(vals)
        return True

    def create(self, vals_list):
        single = isinstance(vals_list, dict)
        vals_list = [vals_list] if single else list(vals_list)
        now = fields_mod.Datetime.to_string(fields_mod.Datetime.now())
        ids = []
        for vals in vals_list:
            for name in vals:
                if name not in self._fields:
                    raise ValueError("Invalid field %r on model %r" % (name, self._name))
            full = dict(vals)
            for name, field in self._fields.items():
                if name not in full and name not in MAGIC_FIELDS:
                    value = field.default_value(self)
                    if value is not fields_mod._UNSET:
                        full[name] = value
            stored, o2m = self._convert_vals(full)
            for name, field in self._fields.items():
                if name not in stored and name not in MAGIC_FIELDS and field.type != 'one2many':
                    stored[name] = field.to_store(None, self) if field.type != 'many2many' else []
            self._check_required(stored)
            stored.update(create_date=now, write_date=now, create_uid=self.env.uid, write_uid=self.env.uid)
            record = self.browse(self.env.cr.insert(self._name, stored))
            record._sync_other_side(record.id, {}, stored)
            record._apply_o2m(o2m)
            record._run_constraints(full)
            ids.append(record.id)
        return self.browse(ids)
    create._api = 'model_create'

    def unlink(self):
        data = self.env['ir.model.data'].sudo() if 'ir.model.data' in self.env else None
        many2many = [name for name, field in self._fields.items() if field.type == 'many2many']
        for rec in self:
            if many2many:
                rec._sync_other_side(rec.id, rec._stored_values(), dict((name, []) for name in many2many))
            self.env.cr.delete(self._name, rec.id)
        if data is not None and self._name != 'ir.model.data' and self:
            data.search([('model', '=', self._name), ('res_id', 'in', list(self._ids))]).unlink()
        return True

    def copy(self, default=None):
        self.ensure_one()
        vals = {k: v for k, v in self._stored_values().items() if k in self._fields and k not in MAGIC_FIELDS}
        vals.update(default or {})
        return self.create(vals)

    def update(self, values):
        return self.write(values)

    def toggle_active(self):
        for rec in self:
            rec.active = not rec.active


class Model(BaseModel):
    _register = False


class AbstractModel(BaseModel):
    _register = False
    _abstract = True


class TransientModel(Model):
    _register = False
    _transient = True


def _inherits_of(cls):
    return [cls._inherit] if isinstance(cls._inherit, str) else list(cls._inherit or [])


def model_name_of(cls):
    """The model a definition class defines or extends: its own ``_name``, else the first ``_inherit``."""
    inherit = _inherits_of(cls)
    return cls.__dict__.get('_name') or cls._name or (inherit[0] if inherit else None)


def build_model(registry, cls):
    """Add definition class ``cls`` to ``registry.models`` (the Odoo ``_build_model`` step)."""
    inherit = _inherits_of(cls)
    name = model_name_of(cls)
    if not name:
        raise TypeError("Model %r has no _name" % cls)
    for parent in inherit:
        if parent not in registry.models:
            raise TypeError("Model %r does not exist in registry." % parent)
    bases = [cls]
    if name in inherit:
        bases.append(registry.models[name])
    for parent in inherit:
        parent_cls = registry.models[parent]
        if parent != name and all(parent_cls not in b.__mro__ for b in bases[1:]):
            bases.append(parent_cls)
    model_cls = type(name, tuple(bases), {'_name': name, '_register': False,
                                          '__module__': 'odoo.registry', '_inherit_chain': inherit})
    # merge the fields of every definition class, oldest first
    merged = {}
    merged['id'] = fields_mod.Integer('ID', readonly=True).merged(None, name, 'id')
    merged['display_name'] = fields_mod.Char('Display Name', readonly=True, store=False).merged(
        None, name, 'display_name')
    for klass in reversed(model_cls.__mro__):
        if klass.__dict__.get('_register') is False and klass is not model_cls:
            if klass.__module__ == 'odoo.registry':
                continue
        if not isinstance(klass, MetaModel) or klass.__module__ == 'odoo.registry':
            continue
        for attr, value in list(klass.__dict__.items()):
            if isinstance(value, fields_mod.Field):
                merged[attr] = value.merged(merged.get(attr), name, attr)
    for attr, ftype, label in (('create_date', fields_mod.Datetime, 'Created on'),
                               ('write_date', fields_mod.Datetime, 'Last Updated on'),
                               ('create_uid', fields_mod.Many2one, 'Created by'),
                               ('write_uid', fields_mod.Many2one, 'Last Updated by')):
        if attr not in merged:
            kwargs = {'comodel_name': 'res.users'} if ftype is fields_mod.Many2one else {}
            merged[attr] = ftype(string=label, readonly=True, **kwargs).merged(None, name, attr)
    for attr, field in merged.items():
        if attr not in ('id', 'display_name'):   # those two are properties of BaseModel
            setattr(model_cls, attr, field)
    model_cls._fields = merged
    registry.models[name] = model_cls
    return model_cls
