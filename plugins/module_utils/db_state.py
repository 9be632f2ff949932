# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gather stage's one read of each database (``odoo_info`` ``read_databases``), and its use by later steps.

One ``odoo shell`` per database reads, in one transaction that writes nothing, everything the later steps of a run
compare with: the state and version of the addon's module, of ``base`` and of the modules an addon line requires;
``web.base.url`` and ``web.base.url.freeze``; the provider record (its ``ir.model.data`` row, ``fields_get`` of the
provider model, the values of every field the settings table knows, the records the addon stored for the brand,
and on Odoo 17+ the addon's ``payment.method`` records),
the installments record (``<brand>multi``: its ``ir.model.data`` row and the same fields)
and the rows of the models its relational settings name (websites, journals, countries, card types...).

``odoo_module``, ``payment_provider`` and ``ipn_probe`` take a database's state from there instead of starting Odoo
again to read it (:func:`usable`); a step that comes after a change to that database (an install or upgrade, new
addon files, written settings) is given no state for it by ``playbooks/site.yml`` and reads it itself.

Secret fields (the keys) are never returned: only a salted PBKDF2-SHA256 digest of each (:func:`digest`), with the
salt of the run (:data:`SALT_KEY`), so that a later step can tell whether a key it is given is the one stored. A read
made without a salt (``odoo_info`` ``digests: false``: no later step compares keys) costs no digest: each set
secret holds :data:`UNDIGESTED`, and :func:`usable` gives such a read to no step that compares keys.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import binascii
import hashlib
import os

from ansible_collections.systempay.odoo.plugins.module_utils import generations, provider, transport
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_shops

# The attributes of fields_get the provider step compares with (payment_provider reads the same).
FIELD_ATTRIBUTES = ['type', 'relation', 'selection', 'readonly']
PARAMS = ('web.base.url', 'web.base.url.freeze')
ROUNDS = 100000
SALT_KEY = 'salt'
STALE_KEY = 'stale'
# Inside payment_provider, the digests of the record's secret fields, kept apart from its values.
DIGESTS = '__digests__'
# What a secret field holds for the comparison when it is set to another value than the one given.
OTHER_SECRET = '(another value)'
DIGEST_PREFIX = 'pbkdf2-sha256$'
# What a set secret field holds in a read made without a salt: that it is set, nothing of its value.
UNDIGESTED = 'set (not digested)'

# Per relational setting: the fields its names are matched on (payment_provider ``_read``).
RELATION_FIELDS = {
    'website': ['name', 'domain'],
    'journal': ['name', 'code'],
    'payment_icons': ['name'],
}
RELATION_DEFAULT_FIELDS = ['code']
# The fields of the addon's payment methods (Odoo 17+) the read takes, and payment_provider when it reads them itself.
METHOD_FIELDS = ['code', 'active', 'primary_payment_method_id', 'provider_ids']


def methods_domain(brand):
    """The addon's payment methods, archived ones included (a domain naming ``active`` drops Odoo's active test)."""
    return [('code', '=like', brand + '%'), '|', ('active', '=', True), ('active', '=', False)]


# Run by ``odoo shell`` (``env`` is the superuser's). PARAMS is a Python literal. Each part that fails is rolled back
# and named in ``errors``; nothing is committed (the shell's transaction is dropped at its end).
_SCRIPT = '''
import hashlib as _hashlib
import json as _json
_p = %(params)s
_out = {'modules_asked': _p['modules'], 'modules': {}, 'params': {}, 'provider': None, 'installments': None,
        'errors': []}


def _digest(_value):
    if _value in (None, False, ''):
        return None
    if _p['salt'] is None:
        return %(undigested)r
    _raw = _hashlib.pbkdf2_hmac('sha256', str(_value).encode('utf-8'), _p['salt'].encode('ascii'), _p['rounds'])
    return %(prefix)r + _raw.hex()


try:
    _rows = env['ir.module.module'].sudo().search_read([('name', 'in', _p['modules'])],
                                                       ['name', 'state', 'latest_version', 'write_date'])
    _out['modules'] = dict((_row['name'], _row) for _row in _rows)
    _icp = env['ir.config_parameter'].sudo()
    _out['params'] = dict((_key, _icp.get_param(_key)) for _key in _p['params'])
except Exception as _exc:
    env.cr.rollback()
    _out['errors'].append('modules and parameters: %%s: %%s' %% (type(_exc).__name__, _exc))
_pv = _p['provider']


def _record_of(_model, _xmlid, _fields):
    _mod, _name = _xmlid.split('.', 1)
    _xmlids = env['ir.model.data'].sudo().search_read([('module', '=', _mod), ('name', '=', _name)],
                                                      ['model', 'res_id'])
    _record = None
    if _xmlids and _xmlids[0]['model'] == _pv['model']:
        _read = _model.browse([_xmlids[0]['res_id']]).read(_fields or ['id'])
        _record = _read[0] if _read else None
        if _record is not None:
            for _f in _pv['secret_fields']:
                if _f in _record:
                    _record[_f] = _digest(_record[_f])
    return _xmlids, _record


if _pv and _pv['model'] in env:
    try:
        _model = env[_pv['model']].sudo()
        _described = _model.fields_get(attributes=_pv['attributes'])
        _fields = sorted(set(_f for _f in _pv['fields'] if _f in _described))
        _xmlids, _record = _record_of(_model, _pv['xmlid'], _fields)
        # the installments record (<brand>multi): its ir.model.data row and the same fields
        _ixmlids, _irecord = _record_of(_model, _pv['xmlid_installments'], _fields)
        _out['installments'] = {'xmlids': _ixmlids, 'record': _irecord}
        _notify = _pv['notify_field']
        _stored = _model.search_read([(_pv['type_field'], '=', _pv['brand'])],
                                     [_notify] if _notify in _described else ['id'])
        _relations = {}
        for _path, _field, _rfields in _pv['relations']:
            _info = _described.get(_field) or {}
            if _info.get('relation') and _info['relation'] in env:
                _relations[_path] = env[_info['relation']].sudo().search_read([], _rfields)
        # Odoo 17+: the addon's payment methods (its primary and the card brands under it), archived ones included
        _methods = None
        if 'payment.method' in env:
            _methods = env['payment.method'].sudo().search_read(_pv['methods_domain'], _pv['methods_fields'])
        _out['provider'] = {'model': _pv['model'], 'xmlids': _xmlids, 'described': _described, 'record': _record,
                            'stored': _stored, 'relations': _relations, 'payment_methods': _methods}
    except Exception as _exc:
        env.cr.rollback()
        _out['errors'].append('provider: %%s: %%s' %% (type(_exc).__name__, _exc))
print(%(mark)r + _json.dumps(_out, default=str))
'''


def new_salt():
    """A random salt for one run's secret digests (hex, 32 characters)."""
    return binascii.hexlify(os.urandom(16)).decode('ascii')


def digest(value, salt):
    """The digest the read gives for a secret ``value`` (None for an empty one; :data:`UNDIGESTED` without a
    ``salt`` - a read for steps that compare no key)."""
    if value in (None, False, ''):
        return None
    if salt is None:
        return UNDIGESTED
    raw = hashlib.pbkdf2_hmac('sha256', str(value).encode('utf-8'), salt.encode('ascii'), ROUNDS)
    return DIGEST_PREFIX + binascii.hexlify(raw).decode('ascii')


def module_names(brand):
    """The modules the read covers: the addon's, ``base``, and every module an addon line requires."""
    required = set()
    for line in generations.ADDON_LINES:
        required.update(line['requires'])
    return ['payment_%s' % brand, 'base'] + sorted(required)


def read_params(series, brand, salt):
    """The parameters of the read script for a host of ``series``."""
    try:
        facts = generations.provider_facts(series, brand)
    except generations.GenerationError:
        facts = None
    pv = None
    if facts:
        secret_fields = sorted(provider.secret_fields(facts))
        fields = set(value for value in facts['fields'].values() if value)
        fields.update(field for field in (facts['mode_field'], facts['publish_field']) if field)
        relations = []
        for path in provider.RELATIONS:
            field = facts['fields'].get(path)
            if field:
                relations.append([path, field, RELATION_FIELDS.get(path, RELATION_DEFAULT_FIELDS)])
        pv = {'model': facts['model'], 'xmlid': facts['xmlid'], 'xmlid_installments': facts['xmlid_installments'],
              'type_field': facts['type_field'], 'brand': brand,
              'fields': sorted(fields), 'secret_fields': secret_fields, 'attributes': FIELD_ATTRIBUTES,
              'notify_field': ipn_shops.notify_field(brand), 'relations': relations,
              'methods_domain': methods_domain(brand), 'methods_fields': METHOD_FIELDS}
    return {'modules': module_names(brand), 'params': list(PARAMS), 'provider': pv, 'salt': salt, 'rounds': ROUNDS}


def read(odoo, db, series, brand, salt):
    """The state of ``db`` (one ``odoo shell``; ``odoo`` a CLI transport). Raises ``transport.TransportError``."""
    script = _SCRIPT % {'params': repr(read_params(series, brand, salt)), 'mark': transport.JSON_MARK,
                        'prefix': DIGEST_PREFIX, 'undigested': UNDIGESTED}
    state = odoo.shell(db, script)
    state[SALT_KEY] = salt
    return state


def usable(state, modules=None, fresh=True, secrets=False):
    """Whether a later step can take ``state`` (a database's entry of ``database_states``) instead of reading: it was
    read whole, covers the ``modules`` the step asks about, (``fresh``) no change since may have made it wrong, and
    (``secrets``: the step compares keys with it) its secrets are digests.

    ``playbooks/site.yml`` marks every state :data:`STALE_KEY` once new addon files are in place (the running
    registry then has other fields: only the module rows stay true, which the module step alone asks for with
    ``fresh=False``), and drops the state of a database a step changed (an install, an upgrade, written settings).
    """
    if not isinstance(state, dict) or state.get('errors') or SALT_KEY not in state:
        return False
    if secrets and not state[SALT_KEY]:
        return False
    if fresh and state.get(STALE_KEY):
        return False
    return all(name in (state.get('modules_asked') or []) for name in (modules or []))


def module_rows(state, names):
    """``{name: {name, state, latest_version, write_date}}`` of ``names``, as ``read_modules`` answers."""
    rows = state.get('modules') or {}
    return dict((name, rows[name]) for name in names if name in rows)


def relation_rows(state, path, value):
    """The rows of the model a relational setting names that a search for ``value`` finds (payment_provider's
    domains, applied to the rows the read took: a name or domain for a website, a name or code for a journal, names
    for payment icons, codes for the rest); None when the read did not take that model."""
    rows = ((state.get('provider') or {}).get('relations') or {}).get(path)
    if rows is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    fields = RELATION_FIELDS.get(path, RELATION_DEFAULT_FIELDS)
    if path in ('website', 'journal'):
        return [row for row in rows if any(row.get(field) == value for field in fields)]
    return [row for row in rows if row.get(fields[0]) in names]


def same_secret(state, stored, value):
    """Whether ``stored`` (a digest from the read, or None) is the digest of ``value``."""
    return stored == digest(value, state[SALT_KEY])


def chosen_from_facts(facts, requested):
    """``(names, listed, incompatible)``: the databases a step given ``requested`` (names, or ``all``) works on,
    chosen from the gather stage's facts as the modules choose them (``transport.choose_databases``), the server's
    list and the databases of another series; None when the facts cannot say (no series or list, a refusal, a name
    the server does not list): the step then asks the host."""
    if not isinstance(facts, dict) or not facts.get('series') or facts.get('databases') is None:
        return None
    listed = sorted(facts['databases'])
    incompatible = facts.get('incompatible_databases') or {}
    names, error = transport.choose_databases(list(requested or ['all']), listed, None, incompatible,
                                              facts['series'])
    if error or any(db not in listed for db in names):
        return None
    return names, listed, incompatible


def shops_from_facts(facts, brand, requested):
    """``{databases, host_facts}`` as the ``ipn_probe`` module reads them on the host (its ``odoo`` option), from
    the gather stage's facts alone (``odoo_info`` with ``read_databases``); None when a database it would read has
    no fresh read there (never read, marked stale, or dropped after a change): the host is then read."""
    chosen = chosen_from_facts(facts, requested)
    if chosen is None:
        return None
    names, listed, incompatible = chosen
    states = facts.get('database_states') or {}
    module = 'payment_%s' % brand
    if not all(usable(states.get(db), [module]) for db in names):
        return None
    databases = [ipn_shops.shop_from_state(states[db], db, brand) for db in names]
    shops = ipn_shops.host_facts(facts['series'], listed, facts.get('dbfilter'), facts.get('db_name'), databases,
                                 incompatible, names)
    return dict(databases=databases, host_facts=shops)
