# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a database says about its shop, for the probe: ``web.base.url``, the state of ``payment_<brand>`` and the
notification URL the addon stored at install - taken from the gather stage's read (:func:`shop_from_state`, no Odoo
process; ``db_state`` reads it) or, when that read is stale, read by the probe itself (:func:`read_shop`) - and how
the host's Odoo picks a database (:func:`host_facts`), which ``ipn_verdicts`` uses to explain a 404."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.ipn_verdicts import is_local_url


def notify_field(brand='systempay'):
    """The addon's read-only field holding the notification URL it computed at install (ground truth 4)."""
    return '%s_notify_url' % brand


def shop_from_state(state, db, brand='systempay'):
    """:func:`read_shop`'s answer from the state the gather stage read of ``db`` (``db_state``): no Odoo process."""
    row = (state.get('modules') or {}).get('payment_%s' % brand)
    stored = (state.get('provider') or {}).get('stored') or []
    return _shop(db, (state.get('params') or {}).get('web.base.url'), row.get('state') if row else None,
                 (stored[0].get(notify_field(brand)) or None) if stored else None)


def host_facts(series, listed, dbfilter, db_name, databases, incompatible, names):
    """The ``host_facts`` of a host whose shops ``databases`` (:func:`read_shop` entries of ``names``) were read:
    how its Odoo picks a database (``dbfilter``, ``db_name``, the ``listed`` databases) and what each says."""
    read_all = listed is not None and (set(listed) - set(incompatible or {})) <= set(names)
    return dict(
        series=series,
        databases=listed,
        dbfilter=dbfilter or '',
        db_name=db_name,
        installed_in=[entry['name'] for entry in databases if entry['installed']] if read_all else None,
        web_base_urls=dict((entry['name'], entry['web_base_url']) for entry in databases if entry['web_base_url']),
        notify_urls=dict((entry['name'], entry['notify_url']) for entry in databases if entry['notify_url']),
    )


def _shop(db, base_url, state, notify_url):
    """One entry of ``databases`` (:func:`read_shop`)."""
    base_url = base_url or None
    return {
        'name': db,
        'web_base_url': base_url,
        'local': is_local_url(base_url) if base_url else None,
        'module_state': state,
        'installed': state in ('installed', 'to upgrade'),
        'notify_url': notify_url,
    }


def read_shop(odoo, db, brand='systempay', series=None):
    """What database ``db`` says about its shop, read with ``odoo`` (a ``transport`` CLI or RPC transport).

    Returns ``{'name', 'web_base_url', 'local', 'module_state', 'installed', 'notify_url'}``: the
    ``web.base.url`` system parameter, whether it names this machine only (:func:`is_local_url`), the
    state of ``payment_<brand>`` (None when the database does not list it), and the notification URL the
    addon's provider record stored at install (None when there is none). One batch of reads (one
    ``odoo shell``); in a database without the addon the provider model has no such field, so that read
    fails and the batch is made again without it. Only reads. Raises ``transport.TransportError``.
    """
    module = 'payment_%s' % brand
    calls = [transport.batch_call('ir.config_parameter', 'get_param', ['web.base.url']),
             transport.batch_call('ir.module.module', 'search_read', [[('name', '=', module)]], {'fields': ['state']})]
    stored_call = None
    try:
        facts = generations.provider_facts(series, brand) if series else None
    except generations.GenerationError:
        facts = None
    if facts:
        stored_call = transport.batch_call(facts['model'], 'search_read', [[(facts['type_field'], '=', brand)]],
                                           {'fields': [notify_field(brand)]})
    try:
        results = odoo.batch(db, calls + ([stored_call] if stored_call else []))
    except transport.TransportError as exc:
        if stored_call is None or exc.kind != 'odoo':
            raise
        results = odoo.batch(db, calls)
    rows = results[1] or []
    stored = results[2] if len(results) > 2 else []
    return _shop(db, results[0], rows[0].get('state') if rows else None,
                 (stored[0].get(notify_field(brand)) or None) if stored else None)
