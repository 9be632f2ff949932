# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gather stage's read of every database with SQL: what ``db_state``'s ``odoo shell`` script reads, in the same
shape, without starting Odoo (no registry load: seconds per database on a real host).

One ``psql`` process reads every database of the host (``\\connect`` to each in turn), as Odoo's role with Odoo's
connection settings (``postgres.Postgres``), in read-only transactions. Each part is one query whose row is a
marker, the database it ran in (``current_database()``: a failed ``\\connect`` cannot pass another database's rows
off as this one's) and the part as JSON; a part that fails (a missing table, a refused connection) is simply
absent, and the database's state then names it in ``errors`` (``db_state.usable`` is false: the later steps read
for themselves).

What SQL gives as Odoo's ORM would (``read``/``search_read``/``fields_get`` in the shell script):
- ``write_date`` to the second (the ORM drops microseconds);
- a translated field (``jsonb`` from 16.0) in ``en_US``, the shell's language (the superuser's);
- empty values as the ORM's: ``False`` (``0`` for an integer, ``0.0`` for a float);
- a many2one as its id (the ORM gives ``[id, display name]``; every consumer keeps the id only:
  ``provider.normalize``, ``payment_provider._many2one_id``), a many2many as its sorted ids from its relation table
  (``ir_model_fields.relation_table``, ``column1``, ``column2``);
- ``fields_get`` from ``ir_model_fields`` (``ttype``, ``relation``, ``readonly``) with, from 13.0, the values of
  selections given as a list (``ir_model_fields_selection``, by sequence); a selection given by a method, and
  every selection up to 12.0, has no values there and is described without them (as over XML-RPC on 13+,
  ``payment_provider._lazy_labels``: the release table checks those values);
- ``search_read``'s active test on the related models (rows whose ``active`` is false left out).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.systempay.odoo.plugins.module_utils import db_state, transport
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import PostgresError, quote_ident, quote_literal

MARK = '@@systempay-sql@@'
RELATIONAL = ('many2one', 'one2many', 'many2many')
TEXT_TYPES = ('char', 'text', 'html', 'selection')


def table_of(model):
    return model.replace('.', '_')


def _part(name, select):
    """One part's query: a row ``MARK|database|name|json``."""
    return ("SELECT %s || '|' || current_database() || '|%s|' || coalesce((%s)::text, 'null');"
            % (quote_literal(MARK), name, select))


def _literals(values):
    return ', '.join(quote_literal(value) for value in values) or 'NULL'


def _xmlid_clause(xmlids):
    pairs = [xmlid.split('.', 1) for xmlid in xmlids if xmlid and '.' in xmlid]
    return ' OR '.join('(module = %s AND name = %s)' % (quote_literal(mod), quote_literal(name))
                       for mod, name in pairs) or 'false'


def script(databases, params, major, checked=(), series=None):
    """The psql script reading ``databases`` (``params``: ``db_state.read_params``; ``major``: the series' major).

    ``checked``: databases whose fitness for this server is read too (Odoo's ``list_db_incompatible``: the
    ``ir_module_module`` table, and the series of the ``base`` version it records, against ``series``); one of them
    is then read only when it fits."""
    lines = ['\\set ON_ERROR_STOP 0', '\\set QUIET 1', '\\pset format unaligned', '\\pset tuples_only on']
    pv = params['provider']
    for db in list(checked) + [name for name in databases if name not in checked]:
        lines.append('\\connect -reuse-previous=on %s' % quote_ident(db).replace('\\', '\\\\'))
        lines.append('SET default_transaction_read_only = on;')
        if db in checked:
            lines.extend(_fit_lines(series))
        if db not in databases:
            continue
        if db in checked:
            lines.append('\\if :sp_fits')
        lines.append(_part('modules', "SELECT json_agg(json_build_object('id', id, 'name', name, 'state', state, "
                                      "'latest_version', latest_version, 'write_date', "
                                      "to_char(write_date, 'YYYY-MM-DD HH24:MI:SS')) ORDER BY name) "
                                      "FROM ir_module_module WHERE name IN (%s)" % _literals(params['modules'])))
        lines.append(_part('params', 'SELECT json_object_agg(key, value) FROM ir_config_parameter WHERE key IN (%s)'
                           % _literals(params['params'])))
        if pv:
            lines.extend(_provider_lines(pv, major))
        if db in checked:
            lines.append('\\endif')
    return '\n'.join(lines) + '\n'


def _fit_lines(series):
    """Parts ``tables`` (whether ``ir_module_module`` exists) and ``base`` (the version it records for ``base``), and
    ``sp_fits``: whether that version's first two parts are ``series``, as ``list_db_incompatible`` compares them."""
    base = "SELECT latest_version FROM ir_module_module WHERE name = 'base'"
    return ['\\set sp_tables false', '\\set sp_fits false',
            "SELECT to_regclass('ir_module_module') IS NOT NULL AS sp_tables \\gset",
            _part('tables', "SELECT to_json(to_regclass('ir_module_module') IS NOT NULL)"),
            '\\if :sp_tables',
            _part('base', 'SELECT to_json((%s))' % base),
            "SELECT coalesce((SELECT array_to_string((string_to_array(latest_version, '.'))[1:2], '.') FROM "
            "ir_module_module WHERE name = 'base'), '') = %s AS sp_fits \\gset" % quote_literal(series or ''),
            '\\endif']


def fits(version, series):
    """Whether a database whose ``base`` records ``version`` fits a server of ``series`` (``list_db_incompatible``:
    the version's first two parts, e.g. ``16.0`` of ``16.0.1.3``)."""
    return bool(version) and '.'.join(version.split('.')[:2]) == series


def _provider_lines(pv, major):
    model, table = pv['model'], table_of(pv['model'])
    xmlids = _xmlid_clause([pv['xmlid'], pv['xmlid_installments']])
    # every \\gset below reads exactly one row (a flag and values), so no variable is left from an earlier database
    lines = ['SELECT to_regclass(%s) IS NOT NULL AS sp_table \\gset' % quote_literal(table),
             '\\if :sp_table',
             _part('fields', "SELECT json_agg(json_build_object('id', id, 'name', name, 'ttype', ttype, 'relation', "
                             "relation, 'readonly', readonly, 'relation_table', relation_table, 'column1', column1, "
                             "'column2', column2)) FROM ir_model_fields WHERE model = %s" % quote_literal(model))]
    if major >= 13:
        lines.append(_part('selections', "SELECT json_agg(json_build_object('field', f.name, 'value', s.value, 'name', "
                                         "s.name) ORDER BY s.sequence, s.id) FROM ir_model_fields_selection s JOIN "
                                         "ir_model_fields f ON f.id = s.field_id WHERE f.model = %s"
                                         % quote_literal(model)))
    lines.append(_part('xmlids', "SELECT json_agg(json_build_object('id', id, 'module', module, 'name', name, "
                                 "'model', model, 'res_id', res_id) ORDER BY id) FROM ir_model_data WHERE %s"
                       % xmlids))
    lines.append(_part('rows', "SELECT json_agg(to_jsonb(t) ORDER BY t.id) FROM %s t WHERE t.%s = %s OR t.id IN "
                               "(SELECT res_id FROM ir_model_data WHERE model = %s AND (%s))"
                       % (quote_ident(table), quote_ident(pv['type_field']), quote_literal(pv['brand']),
                          quote_literal(model), xmlids)))
    # the many2many fields the read takes: their relation tables, as ir_model_fields names them
    for index, field in enumerate(sorted(pv['fields'])):
        lines += ["SELECT count(*) > 0 AS sp_m2m, coalesce(max(relation_table), '') AS sp_rel, "
                  "coalesce(max(column1), '') AS sp_c1, coalesce(max(column2), '') AS sp_c2 FROM ir_model_fields "
                  "WHERE model = %s AND name = %s AND ttype = 'many2many' AND to_regclass(relation_table) IS NOT NULL "
                  "\\gset" % (quote_literal(model), quote_literal(field)),
                  '\\if :sp_m2m',
                  _part('m2m:%s' % field, "SELECT json_object_agg(r.:\"sp_c1\", r.ids) FROM (SELECT :\"sp_c1\", "
                                          "json_agg(:\"sp_c2\" ORDER BY :\"sp_c2\") AS ids FROM :\"sp_rel\" GROUP BY "
                                          ":\"sp_c1\") r"),
                  '\\endif']
    # the rows of the models the relational settings name (search_read([]): active ones)
    for path, field, dummy in pv['relations']:
        lines += ["SELECT count(*) > 0 AS sp_related, coalesce(max(replace(relation, '.', '_')), '') AS sp_rtable "
                  "FROM ir_model_fields WHERE model = %s AND name = %s "
                  "AND to_regclass(replace(relation, '.', '_')) IS NOT NULL \\gset" % (quote_literal(model),
                                                                                       quote_literal(field)),
                  '\\if :sp_related',
                  _part('relation:%s' % path, "SELECT json_agg(to_jsonb(x) ORDER BY x.id) FROM :\"sp_rtable\" x "
                                              "WHERE (to_jsonb(x)->>'active') IS DISTINCT FROM 'false'"),
                  '\\endif']
    if major >= 17:
        lines += ["SELECT count(*) > 0 AS sp_methods, coalesce(max(relation_table), '') AS sp_prel, "
                  "coalesce(max(column1), '') AS sp_p1, coalesce(max(column2), '') AS sp_p2 FROM ir_model_fields "
                  "WHERE model = 'payment.method' AND name = 'provider_ids' AND to_regclass(relation_table) IS NOT NULL "
                  "\\gset",
                  '\\if :sp_methods',
                  _part('methods', "SELECT json_agg(json_build_object('id', m.id, 'code', m.code, 'active', m.active, "
                                   "'primary_payment_method_id', m.primary_payment_method_id, 'provider_ids', "
                                   "(SELECT coalesce(json_agg(r.:\"sp_p2\" ORDER BY r.:\"sp_p2\"), '[]'::json) FROM "
                                   ":\"sp_prel\" r WHERE r.:\"sp_p1\" = m.id)) ORDER BY m.id) FROM payment_method m "
                                   "WHERE m.code LIKE %s" % quote_literal(pv['brand'] + '%')),
                  '\\endif']
    lines.append('\\endif')
    return lines


def parse(text):
    """``{database: {part: value}}`` from the script's output."""
    found = {}
    for line in (text or '').splitlines():
        if not line.startswith(MARK + '|'):
            continue
        dummy, db, part, value = line.split('|', 3)
        found.setdefault(db, {})[part] = json.loads(value)
    return found


def _plain(value, ftype):
    """A column's value (from ``to_jsonb``) as the ORM's ``read`` gives it (a many2one as its id)."""
    if isinstance(value, dict) and ftype in TEXT_TYPES:
        value = value.get('en_US')
    if value is None:
        return {'integer': 0, 'float': 0.0, 'monetary': 0.0}.get(ftype, False)
    return value


def _method_value(key, value):
    """A payment method's value as search_read gives it (an empty many2one is False)."""
    return (value or False) if key == 'primary_payment_method_id' else value


def described_of(fields, selections):
    """``fields_get``'s answer (type, relation, readonly, list selections' values) from ``ir_model_fields``."""
    described = {}
    for row in fields or []:
        entry = {'type': row['ttype'], 'readonly': bool(row['readonly'])}
        if row['ttype'] in RELATIONAL:
            entry['relation'] = row['relation']
        described[row['name']] = entry
    for row in selections or []:
        entry = described.get(row['field'])
        if entry is not None:
            label = row['name'].get('en_US') if isinstance(row['name'], dict) else row['name']
            entry.setdefault('selection', []).append([row['value'], label])
    return described


def _record(row, fields, described, m2m, pv, salt):
    """The record as the script's ``read(fields)`` gives it, secrets as digests."""
    if row is None:
        return None
    record = {'id': row['id']}
    for field in fields:
        ftype = described[field]['type']
        if ftype == 'many2many':
            record[field] = sorted((m2m.get(field) or {}).get(str(row['id'])) or [])
        elif ftype == 'one2many':
            continue
        else:
            record[field] = _plain(row.get(field), ftype)
        if field in pv['secret_fields']:
            record[field] = db_state.digest(record[field], salt)
    return record


def state_of(parts, params, salt):
    """One database's state, shaped as ``db_state.read`` returns it, from its parts (:func:`parse`)."""
    pv = params['provider']
    out = {'modules_asked': params['modules'], 'modules': {}, 'params': {}, 'provider': None, 'installments': None,
           'errors': [], db_state.SALT_KEY: salt}
    if 'modules' not in parts or 'params' not in parts:
        out['errors'].append('modules and parameters: not read with SQL')
    else:
        out['modules'] = dict((row['name'], dict((key, _plain(value, 'char')) for key, value in row.items()))
                              for row in parts['modules'] or [])
        values = parts['params'] or {}
        out['params'] = dict((key, values.get(key) or False) for key in params['params'])
    if not pv or 'fields' not in parts:
        return out
    missing = [name for name in ('xmlids', 'rows') if name not in parts]
    if missing:
        out['errors'].append('provider: %s not read with SQL' % ', '.join(missing))
        return out
    described = dict((name, dict((key, value) for key, value in entry.items() if key in pv['attributes']))
                     for name, entry in described_of(parts['fields'], parts.get('selections')).items())
    fields = sorted(set(field for field in pv['fields'] if field in described))
    m2m = dict((name[len('m2m:'):], value or {}) for name, value in parts.items() if name.startswith('m2m:'))
    rows = dict((row['id'], row) for row in parts['rows'] or [])
    xmlids = parts['xmlids'] or []

    def record_of(xmlid):
        module, name = xmlid.split('.', 1)
        found = [dict((key, row[key]) for key in ('id', 'model', 'res_id')) for row in xmlids
                 if row['module'] == module and row['name'] == name]
        record = None
        if found and found[0]['model'] == pv['model']:
            record = _record(rows.get(found[0]['res_id']), fields or ['id'], described, m2m, pv, salt)
        return found, record

    found, record = record_of(pv['xmlid'])
    ifound, irecord = record_of(pv['xmlid_installments'])
    out['installments'] = {'xmlids': ifound, 'record': irecord}
    notify = pv['notify_field']
    stored = [dict([('id', row['id'])] + ([(notify, _plain(row.get(notify), 'char'))] if notify in described else []))
              for dummy, row in sorted(rows.items()) if row.get(pv['type_field']) == pv['brand']]
    relations = {}
    for path, field, rfields in pv['relations']:
        key = 'relation:%s' % path
        if (described.get(field) or {}).get('relation') and key in parts:
            relations[path] = [dict([('id', row['id'])] + [(name, _plain(row.get(name), 'char')) for name in rfields])
                               for row in parts[key] or []]
    methods = None
    if 'methods' in parts:
        methods = [dict([('id', row['id'])] + [(key, _method_value(key, row[key])) for key in pv['methods_fields']])
                   for row in parts['methods'] or []]
    out['provider'] = {'model': pv['model'], 'xmlids': found, 'described': described, 'record': record,
                       'stored': stored, 'relations': relations, 'payment_methods': methods}
    return out


def read(pg, databases, series, brand, salt, major):
    """``{db: state}`` of ``databases``, one ``psql`` for all; raises ``postgres.PostgresError`` when psql cannot
    run at all (a database it cannot read gets a state whose ``errors`` say so)."""
    return read_host(pg, (), databases, series, brand, salt, major)[2]


def read_host(pg, checked, databases, series, brand, salt, major):
    """``(incompatible, unchecked, states)`` by one ``psql``: ``{name: base version or None}`` of the databases of
    ``checked`` this server cannot load (another series, or no Odoo tables), the names of ``checked`` that could not
    be checked (psql stopped before them: a connection refused), and ``{db: state}`` of the databases of
    ``databases`` that are not incompatible. Raises ``postgres.PostgresError`` when psql cannot run at all."""
    params = db_state.read_params(series, brand, salt)
    # exit 2: a connection went bad on the way (a database that refuses it): the others are still read
    out, err = pg.run('psql', ['-X', '-q', '-d', 'postgres', '-f', '-'],
                      data=script(databases, params, major, checked, series), accept=(0, 2))
    found = parse(out)
    if not found and (databases or checked):
        # nothing read at all: PostgreSQL refused the first connection (not Odoo's server, wrong role, ...)
        lines = [line for line in (err or '').splitlines() if line.strip()]
        raise PostgresError('psql read nothing (%s as %s): %s' % (pg.where, pg.role, transport.mask(
            ' '.join(lines[:3]) or 'no output', pg.secrets)))
    incompatible, unchecked = {}, []
    for db in checked:
        parts = found.get(db, {})
        if 'tables' not in parts:
            unchecked.append(db)
        elif not parts['tables'] or not fits(parts.get('base'), series):
            incompatible[db] = parts.get('base') or None
    states = dict((db, state_of(found.get(db, {}), params, salt)) for db in databases if db not in incompatible)
    return incompatible, unchecked, states
