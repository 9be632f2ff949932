"""``odoo.fields``: field declarations, their merging across ``_inherit`` and value conversions.

Stored values are JSON: scalars as themselves, many2one as an id, many2many as a list of ids;
one2many is read from the inverse many2one.  ``compute``/``related``/``store`` are accepted and
otherwise ignored (a computed field behaves like a plain stored field).
"""
import datetime

_UNSET = object()


class Field:
    type = None
    _positional = ('string',)
    _empty = False

    def __init__(self, *args, **kwargs):
        for name, value in zip(self._positional, args):
            kwargs[name] = value
        self.args = kwargs          # the arguments given in this definition only
        self.name = None
        self.model_name = None

    def __set_name__(self, owner, name):
        self.name = name

    # attributes, merged from every definition of the field
    def __getattr__(self, attr):
        if attr.startswith('__') or attr in ('args', 'name', 'model_name'):
            raise AttributeError(attr)
        defaults = {'string': None, 'help': None, 'readonly': False, 'required': False,
                    'default': _UNSET, 'groups': None, 'compute': None, 'store': True,
                    'related': None, 'translate': False, 'copy': True, 'index': False}
        if attr in self.args:
            return self.args[attr]
        if attr in defaults:
            return defaults[attr]
        raise AttributeError(attr)

    def merged(self, previous, model_name, name):
        """A new field made of ``previous`` (may be None) extended by this definition."""
        args = dict(previous.args) if previous is not None and type(previous) is type(self) else {}
        args.update(self.args)
        field = type(self)(**args)
        field.name, field.model_name = name, model_name
        if field.args.get('string') is None:
            base = name[:-4] if name.endswith('_ids') else name[:-3] if name.endswith('_id') else name
            field.args['string'] = base.replace('_', ' ').title()
        field._finish_merge(previous)
        return field

    def _finish_merge(self, previous):
        pass

    def __str__(self):
        return '%s.%s' % (self.model_name, self.name)

    def __repr__(self):
        return 'Field(%s)' % self

    # descriptor protocol: record.field and record.field = value
    def __get__(self, record, owner=None):
        if record is None:
            return self
        if not record._ids:
            return self.to_record(None, record.env)
        record.ensure_one()
        return self.to_record(record._stored_values().get(self.name), record.env)

    def __set__(self, record, value):
        record.write({self.name: value})

    # conversions
    def to_store(self, value, record):
        """Validate and convert a value given to create/write into its JSON form."""
        return value

    def to_read(self, stored, env):
        """Value returned by ``read()``."""
        return self._empty if stored is None else stored

    def to_record(self, stored, env):
        """Value of ``record.field``."""
        return self.to_read(stored, env)

    def default_value(self, record):
        default = self.default
        if default is _UNSET:
            return _UNSET
        return default(record) if callable(default) else default

    def describe(self, env):
        desc = {'type': self.type, 'string': self.string, 'readonly': bool(self.readonly),
                'required': bool(self.required), 'store': bool(self.store), 'sortable': True,
                'searchable': True, 'manual': False, 'depends': (), 'company_dependent': False,
                'change_default': False}
        if self.help:
            desc['help'] = self.help
        if self.groups:
            desc['groups'] = self.groups
        return desc


class Boolean(Field):
    type = 'boolean'

    def to_store(self, value, record):
        return bool(value)


class Integer(Field):
    type = 'integer'
    _empty = 0

    def to_store(self, value, record):
        return int(value or 0)


class Float(Field):
    type = 'float'
    _positional = ('string', 'digits')
    _empty = 0.0

    def to_store(self, value, record):
        return float(value or 0.0)


class Monetary(Float):
    type = 'monetary'
    _positional = ('string', 'currency_field')


class _String(Field):
    def to_store(self, value, record):
        if value is None or value is False:
            return None
        return value if isinstance(value, str) else str(value)


class Char(_String):
    type = 'char'


class Text(_String):
    type = 'text'


class Html(_String):
    type = 'html'


class Date(_String):
    """Stored as text ``YYYY-MM-DD``; ``read()`` gives a ``datetime.date``, as Odoo's does (XML-RPC and JSON-RPC
    answer it as that text: ``odoo.service.rpc`` and ``odoo.http``)."""
    type = 'date'
    FORMAT = '%Y-%m-%d'

    def to_store(self, value, record):
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.strftime(self.FORMAT)
        return super().to_store(value, record)

    def to_read(self, stored, env):
        return datetime.datetime.strptime(stored, self.FORMAT).date() if stored else False

    @classmethod
    def to_string(cls, value):
        return value.strftime(cls.FORMAT) if value else False

    @staticmethod
    def today(*args):
        return datetime.date.today()

    context_today = today


class Datetime(_String):
    """Stored as text ``YYYY-MM-DD HH:MM:SS`` (UTC); ``read()`` gives a naive ``datetime.datetime``, as Odoo's does
    (XML-RPC and JSON-RPC answer it as that text)."""
    type = 'datetime'
    FORMAT = '%Y-%m-%d %H:%M:%S'

    def to_store(self, value, record):
        if isinstance(value, datetime.datetime):
            return value.strftime(self.FORMAT)
        return super().to_store(value, record)

    def to_read(self, stored, env):
        return datetime.datetime.strptime(stored[:19], self.FORMAT) if stored else False

    @classmethod
    def to_string(cls, value):
        return value.strftime(cls.FORMAT) if value else False

    @staticmethod
    def now(*args):
        return datetime.datetime.utcnow().replace(microsecond=0)


class Binary(Field):
    type = 'binary'

    def to_store(self, value, record):
        if not value:
            return None
        return value.decode('ascii') if isinstance(value, bytes) else str(value)


Image = Binary


class Selection(Field):
    type = 'selection'
    _positional = ('selection', 'string')

    def _finish_merge(self, previous):
        add = self.args.pop('selection_add', None)
        if add is not None:
            base = list(previous.args.get('selection') or []) if previous is not None else []
            if callable(base) or isinstance(base, str):
                base = []
            for item in add:
                item = tuple(item) if isinstance(item, (list, tuple)) else (item,)
                values = [v for v, _label in base]
                if len(item) == 2 and item[0] not in values:
                    base.append(item)
                elif len(item) == 2:
                    base[values.index(item[0])] = item
            self.args['selection'] = base

    def get_selection(self, env):
        selection = self.args.get('selection') or []
        if isinstance(selection, str):
            selection = getattr(env[self.model_name], selection)()
        elif callable(selection):
            selection = selection(env[self.model_name])
        return [tuple(item) for item in selection]

    def to_store(self, value, record):
        if value in [v for v, _label in self.get_selection(record.env)]:
            return value
        if not value:
            return None
        raise ValueError("Wrong value for %s: %r" % (self, value))

    def describe(self, env):
        desc = super().describe(env)
        desc['selection'] = [list(item) for item in self.get_selection(env)]
        return desc


class _Relational(Field):
    _positional = ('comodel_name', 'string')

    @property
    def comodel_name(self):
        return self.args.get('comodel_name')

    def describe(self, env):
        desc = super().describe(env)
        desc['relation'] = self.comodel_name
        desc['domain'] = self.args.get('domain', [])
        desc['context'] = self.args.get('context', {})
        return desc


class Many2one(_Relational):
    type = 'many2one'

    def to_store(self, value, record):
        if hasattr(value, '_ids'):
            return value.id or None
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        return int(value) if value else None

    def to_read(self, stored, env):
        if not stored:
            return False
        record = env[self.comodel_name].browse(stored).exists()
        return (record.id, record.display_name) if record else False

    def to_record(self, stored, env):
        return env[self.comodel_name].browse([stored] if stored else [])


def active_ids(ids, comodel_name, env):
    """``ids`` without the inactive records of a model that has ``active``, unless the context says
    ``active_test=False``: Odoo reads x2many fields through a search of the comodel, which leaves them out."""
    comodel = env[comodel_name]
    if 'active' not in comodel._fields or not env.context.get('active_test', True):
        return list(ids)
    kept = []
    for rid in ids:
        vals = env.cr.fetch(comodel_name, rid)
        if vals is not None and vals.get('active', True) is not False:
            kept.append(rid)
    return kept


class _X2many(_Relational):
    _empty = []

    def to_read(self, stored, env):
        return active_ids(stored or [], self.comodel_name, env)

    def to_record(self, stored, env):
        return env[self.comodel_name].browse(self.to_read(stored, env))

    def apply_commands(self, current, commands, env):
        """New list of ids after x2many ``commands`` (Odoo's (0,0,v) (1,id,v) (2,id) (3,id) (4,id)
        (5,) (6,0,ids)); a plain list of ids means (6, 0, ids)."""
        ids = list(current or [])
        comodel = env[self.comodel_name]
        if hasattr(commands, '_ids'):
            return list(commands._ids)
        if commands and all(isinstance(c, int) for c in commands):
            return list(commands)
        for command in commands or []:
            code = command[0]
            if code == 0:
                ids.append(comodel.create(command[2]).id)
            elif code == 1:
                comodel.browse(command[1]).write(command[2])
            elif code == 2:
                comodel.browse(command[1]).unlink()
                ids = [i for i in ids if i != command[1]]
            elif code == 3:
                ids = [i for i in ids if i != command[1]]
            elif code == 4:
                if command[1] not in ids:
                    ids.append(command[1])
            elif code == 5:
                ids = []
            elif code == 6:
                ids = list(command[2])
        return ids


class Many2many(_X2many):
    type = 'many2many'
    _positional = ('comodel_name', 'relation', 'column1', 'column2', 'string')

    def to_store(self, value, record):
        return value  # commands are applied by the model, which knows the current ids

    @property
    def relation_table(self):
        """The relation table: ``relation``, else Odoo's default name, ``<table1>_<table2>_rel`` with the two
        models' tables sorted (``fields.Many2many.setup_nonrelated``). Two many2many fields between the same two
        models with the same table are the two sides of one relation (e.g. ``payment.provider.payment_method_ids``
        and ``payment.method.provider_ids`` on 17+)."""
        if self.args.get('relation'):
            return self.args['relation']
        tables = sorted(name.replace('.', '_') for name in (self.model_name, self.comodel_name))
        return '%s_%s_rel' % tuple(tables)

    @property
    def relation_columns(self):
        """``(column1, column2)`` of the relation table: given, else ``<model's table>_id`` and ``<comodel's
        table>_id`` (``fields.Many2many.setup_nonrelated``)."""
        return (self.args.get('column1') or '%s_id' % self.model_name.replace('.', '_'),
                self.args.get('column2') or '%s_id' % self.comodel_name.replace('.', '_'))


class One2many(_X2many):
    type = 'one2many'
    _positional = ('comodel_name', 'inverse_name', 'string')

    def describe(self, env):
        desc = super().describe(env)
        desc['relation_field'] = self.args.get('inverse_name')
        return desc

    def __get__(self, record, owner=None):
        if record is None:
            return self
        if not record._ids:
            return record.env[self.comodel_name]
        record.ensure_one()
        return self.to_record(record._one2many_ids(self), record.env)


Id = Integer


_COLUMN_TYPES = {'boolean': 'bool', 'integer': 'int4', 'monetary': 'numeric', 'char': 'varchar', 'text': 'text',
                 'html': 'text', 'selection': 'varchar', 'date': 'date', 'datetime': 'timestamp',
                 'many2one': 'int4', 'reference': 'varchar', 'json': 'jsonb'}


def column_type(field):
    """The PostgreSQL type of ``field``'s column in its model's table, as Odoo's ``column_type``; None for a field
    without a column: one2many and many2many (a relation table), a field not stored (computed or related without
    ``store=True``), a binary kept as an attachment (Odoo's default)."""
    args = field.args
    if not args.get('store', not (args.get('compute') or args.get('related'))):
        return None
    if field.type in ('one2many', 'many2many'):
        return None
    if field.type == 'binary':
        return None if args.get('attachment', True) else 'bytea'
    if field.type == 'float':
        return 'numeric' if args.get('digits') else 'float8'
    if field.type in ('char', 'text', 'html') and field.translate:
        from . import release
        if release.version_info[0] >= 16:
            return 'jsonb'      # translations in one jsonb column per field from 16.0 (Odoo's _String.column_type)
    if field.type == 'char' and args.get('size'):
        return 'varchar(%d)' % args['size']
    return _COLUMN_TYPES.get(field.type, 'varchar')
