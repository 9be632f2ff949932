# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the probe sends to a shop's notification (IPN) URL, as the payment platform would: the URL (a shop URL gets
``/payment/<brand>/ipn``, :func:`target`) and a form of ``vads_*`` fields for an order reference that cannot exist
(:func:`notification`), optionally signed (:func:`sign`). No network here (``ipn_http``), no verdicts
(``ipn_verdicts``).

Facts relied on (``odoo-ground-truth.md`` section 5, vendor guide sections 3 and 7): the platform POSTs a form
(``application/x-www-form-urlencoded``) to the URL declared in its Back Office; signature: values of the ``vads_*``
fields sorted by name, joined with ``+``, then ``+`` and the key; SHA-1 gives a hex digest, HMAC-SHA-256 the base64
of HMAC(key, that text)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import hashlib
import hmac
import os
import time

try:
    from urllib.parse import urlsplit, urlunsplit
except ImportError:  # pragma: no cover - Python 2 is not a target
    from urlparse import urlsplit, urlunsplit  # type: ignore

from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive

DEFAULT_TIMEOUT = 35          # the platform's ceiling ("server unavailable" after it)
DEFAULT_CONCURRENCY = 16      # requests at once (ipn_http.probe_many)
ALGORITHMS = ('SHA-1', 'HMAC-SHA-256', 'SHA-256')     # SHA-256 is how Odoo stores HMAC-SHA-256
MODES = ('TEST', 'PRODUCTION')


class IpnError(ValueError):
    """An input that cannot be probed; the message names what to change."""


def route(brand):
    """``/payment/<brand>/ipn``, the addon's notification route."""
    try:
        vendor_archive.module_for_brand(brand)
    except vendor_archive.AddonError as exc:
        raise IpnError(str(exc))
    return '/payment/%s/ipn' % brand


def display_url(url):
    """``url`` with the password of a ``user:password@`` part masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(':%s@' % parts.password, ':%s@' % transport.MASK, 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def target(url, brand='systempay'):
    """Where to send the probe for ``url`` (a shop URL, or the full notification URL).

    Returns a dict: ``url`` (as given, password masked), ``probe_url`` (the URL probed, no
    fragment, no credentials), ``scheme``, ``host``, ``port``, ``path`` (path and query sent),
    ``ipn_given`` (the URL already named the route). A shop URL gets the route appended to its
    path; a full notification URL is probed exactly as given.
    """
    text = str(url or '').strip()
    path_route = route(brand)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise IpnError('Cannot probe %r: not a URL (%s)' % (display_url(text), exc))
    if parts.scheme.lower() not in ('http', 'https') or not parts.hostname:
        raise IpnError('Cannot probe %r: give a full http:// or https:// URL, such as https://shop.example.com'
                       % (display_url(text),))
    scheme = parts.scheme.lower()
    host = parts.hostname
    port = port or (443 if scheme == 'https' else 80)
    path = parts.path or '/'
    ipn_given = path.rstrip('/').endswith(path_route)
    query = parts.query
    if not ipn_given:
        path = path.rstrip('/') + path_route
        query = ''
    default_port = 443 if scheme == 'https' else 80
    netloc = ('[%s]' % host if ':' in host else host) + ('' if port == default_port else ':%d' % port)
    return {
        'url': display_url(text),
        'probe_url': urlunsplit((scheme, netloc, path, query, '')),
        'scheme': scheme,
        'host': host,
        'port': port,
        'path': path + ('?' + query if query else ''),
        'ipn_given': ipn_given,
        'credentials': parts.username is not None,
    }


def is_full_url(text):
    """True for an ``http(s)://host...`` URL."""
    parts = urlsplit(str(text or '').strip())
    return parts.scheme.lower() in ('http', 'https') and bool(parts.netloc)


def same_url(first, second):
    """True when two URLs name the same resource (scheme and host case, default port, trailing slash ignored)."""
    def norm(url):
        parts = urlsplit(str(url or '').strip())
        scheme = parts.scheme.lower()
        try:
            port = parts.port or (443 if scheme == 'https' else 80)
        except ValueError:
            return str(url)
        return (scheme, (parts.hostname or '').lower(), port, parts.path.rstrip('/') or '/', parts.query)
    return norm(first) == norm(second)


def signed_text(fields, key):
    """The text the platform signs: ``vads_*`` values sorted by field name, joined with ``+``, then ``+key``."""
    return '+'.join([str(fields[name]) for name in sorted(fields) if name.startswith('vads_')] + [key or ''])


def sign(fields, key, algo):
    """The ``signature`` field of ``fields``: SHA-1 hex digest, or base64 of HMAC-SHA-256 keyed with ``key``."""
    message = signed_text(fields, key).encode('utf-8')
    if algo == 'SHA-1':
        return hashlib.sha1(message).hexdigest()
    if algo in ('HMAC-SHA-256', 'SHA-256'):
        digest = hmac.new((key or '').encode('utf-8'), message, hashlib.sha256).digest()
        return base64.b64encode(digest).decode('ascii')
    raise IpnError('Cannot sign with %r: use one of %s' % (algo, ', '.join(ALGORITHMS)))


def probe_reference(brand='systempay'):
    """An order reference no shop can have: ``<brand>-probe-<24 random hex digits>``."""
    return '%s-probe-%s' % (brand, binascii.hexlify(os.urandom(12)).decode('ascii'))


def notification(reference, site_id='00000000', mode='TEST', key=None, algo='HMAC-SHA-256', now=None):
    """The form of a payment notification for ``reference``, signed when ``key`` is given.

    Only the fields the addon reads to find and check a notification, as the platform names
    them: ``vads_site_id``, ``vads_ctx_mode``, ``vads_trans_status`` (``ABANDONED``: the buyer
    left, nothing was paid), ``vads_order_id``, ``vads_trans_id``, ``vads_amount`` (in cents),
    ``vads_currency`` (ISO 4217 numeric, 978 = EUR), ``vads_trans_date`` (UTC ``YYYYMMDDHHMMSS``),
    plus ``signature``. ``vads_hash`` is left out: the addon does not read it.
    """
    if mode not in MODES:
        raise IpnError('Cannot build a notification in mode %r: use TEST or PRODUCTION' % (mode,))
    stamp = time.gmtime(time.time() if now is None else now)
    fields = {
        'vads_site_id': str(site_id),
        'vads_ctx_mode': mode,
        'vads_trans_status': 'ABANDONED',
        'vads_order_id': reference,
        'vads_trans_id': '%06d' % (int(binascii.hexlify(os.urandom(4)), 16) % 900000),
        'vads_amount': '100',
        'vads_currency': '978',
        'vads_trans_date': time.strftime('%Y%m%d%H%M%S', stamp),
    }
    if key:
        fields['signature'] = sign(fields, key, algo)
    return fields


def addon_family(generation):
    """``(line, family)`` for an Odoo series (``'15.0'``, 16) or an addon version (``'2.0.5'``, ``'3'``).

    A first number of 10 or more is an Odoo series, below 10 an addon line; the family is the
    Odoo model that line was made for (``payment.acquirer`` or ``payment.provider``), from the
    generation table. ``(None, None)`` when ``generation`` is empty.
    """
    text = str(generation if generation is not None else '').strip()
    if not text:
        return None, None
    head = text.split('.', 1)[0].replace('saas~', '')
    try:
        if head.isdigit() and int(head) < 10:
            line = generations.line_of_version(text)
        else:
            line = generations.line_for_series(text)
    except generations.GenerationError as exc:
        raise IpnError('Cannot use expect_generation %r: %s (give an Odoo series such as 16.0 or an addon '
                       'version such as 3.1.1)' % (text, exc))
    return line['line'], generations.model_facts(line['first'])['model']
