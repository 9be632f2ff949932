# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The probe of a shop's notification (IPN) URL over HTTP, standard library only: :func:`send` makes one request
(never following a redirect: the platform does not, so the probe must see the 30x itself) and returns what came
back, or which step failed (DNS, TCP, TLS, answer); :func:`probe` sends the platform's notification
(``ipn_notify``) and a GET, follows a redirect to the addon's route only to check it, and returns the verdict
(``ipn_verdicts``) with the shop's values compared; :func:`probe_many` probes many shops at once. Used by the
``ipn_probe`` module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import errno
import socket
import ssl
import time

try:
    import http.client as http_client
    from urllib.parse import urlencode, urljoin, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not a target
    import httplib as http_client  # type: ignore
    from urllib import urlencode  # type: ignore
    from urlparse import urljoin, urlsplit  # type: ignore

from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.ipn_notify import (
    DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, IpnError, addon_family, notification, probe_reference, route, same_url, target)
from ansible_collections.systempay.odoo.plugins.module_utils.ipn_verdicts import (
    REDIRECT_CODES, url_from_facts, header, classify, compare, excerpt, platform_reach, served_database)

MAX_REDIRECT_CHECKS = 3       # Location targets probed to check the URL we tell the owner to declare
BODY_LIMIT = 64 * 1024        # bytes of an answer read (the addon's answers are one line)
USER_AGENT = 'systempay.odoo ipn_probe (notification URL check)'
FORM_TYPE = 'application/x-www-form-urlencoded'


def _answer(method, **values):
    answer = dict(method=method, status=None, phrase='', headers={}, body='', elapsed=0.0, error=None,
                  phase=None, detail='')
    answer.update(values)
    return answer


def ssl_context(validate_certs=True, ca_path=None):
    """The TLS settings of the probe: the system's CAs (or ``ca_path``), host name checked, unless told not to."""
    context = ssl.create_default_context(cafile=ca_path) if validate_certs else ssl.create_default_context()
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send(where, method, body=None, timeout=DEFAULT_TIMEOUT, context=None):
    """One request to ``where`` (a :func:`target` dict); never follows a redirect, never raises for the network.

    Returns a dict: ``method``, ``status`` (None without an answer), ``phrase``, ``headers``
    (lower-case names: ``location``, ``allow``, ``www-authenticate``, ``server``, ``content-type``,
    ``retry-after`` when sent), ``body`` (text, at most :data:`BODY_LIMIT` bytes), ``elapsed``
    (seconds) and, when no answer came, ``error`` (``dns``, ``refused``, ``unreachable``,
    ``timeout``, ``tls``, ``closed``, ``network``) with ``phase`` (``connect``, ``tls``,
    ``answer``) and ``detail``.
    """
    start = time.time()
    host, port = where['host'], where['port']

    def failed(error, phase, exc):
        return _answer(method, error=error, phase=phase, detail=_detail(exc), elapsed=round(time.time() - start, 3))

    phase = 'connect'
    sock = None
    try:
        sock = socket.create_connection((host, port), timeout)
        if where['scheme'] == 'https':
            phase = 'tls'
            sock = (context or ssl_context()).wrap_socket(sock, server_hostname=host)
            conn = http_client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            conn = http_client.HTTPConnection(host, port, timeout=timeout)
        conn.sock = sock
        phase = 'answer'
        headers = {'User-Agent': USER_AGENT, 'Accept': '*/*', 'Connection': 'close'}
        payload = None
        if body is not None:
            payload = urlencode(sorted(body.items())).encode('ascii')
            headers['Content-Type'] = FORM_TYPE
        conn.request(method, where['path'], body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read(BODY_LIMIT)
        kept = dict((name.lower(), value) for name, value in response.getheaders()
                    if name.lower() in ('location', 'allow', 'www-authenticate', 'server', 'content-type',
                                        'retry-after'))
        return _answer(method, status=response.status, phrase=response.reason or '', headers=kept,
                       body=raw.decode('utf-8', 'replace'), elapsed=round(time.time() - start, 3))
    except socket.gaierror as exc:
        return failed('dns', phase, exc)
    except socket.timeout as exc:
        return failed('timeout', phase, exc)
    except ssl.SSLError as exc:
        return failed('tls', phase, exc)
    except ConnectionRefusedError as exc:
        return failed('refused', phase, exc)
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http_client.HTTPException) as exc:
        return failed('tls' if phase == 'tls' else 'closed', phase, exc)
    except OSError as exc:
        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL):
            return failed('unreachable', phase, exc)
        return failed('network', phase, exc)
    finally:
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass


def _detail(exc):
    if isinstance(exc, ssl.SSLCertVerificationError) and getattr(exc, 'verify_message', None):
        return 'certificate verify failed: %s' % exc.verify_message
    if isinstance(exc, ssl.SSLError) and getattr(exc, 'reason', None):
        return str(exc.reason).replace('_', ' ').lower()
    if isinstance(exc, socket.gaierror):
        return exc.strerror or str(exc)
    text = getattr(exc, 'strerror', None) or str(exc) or exc.__class__.__name__
    return text


def probe(shop, timeout=DEFAULT_TIMEOUT, methods=('POST', 'GET'), validate_certs=True, ca_path=None, hops=None):
    """Probe one shop; ``shop`` keys: ``url``, ``brand``, ``key``, ``algo``, ``mode``, ``site_id``, ``signed``,
    ``expect_generation``, ``host_facts``, ``expected_notify_url``, ``web_base_url``.

    Returns the result entry of the module (see ``ipn_probe`` RETURN). Never returns the key or
    the signature. Raises :class:`IpnError` for inputs that cannot be probed.
    """
    brand = shop.get('brand') or 'systempay'
    where = target(shop['url'], brand)
    key = shop.get('key') or None
    signed = bool(shop.get('signed')) if shop.get('signed') is not None else bool(key)
    if signed and not key:
        raise IpnError('Cannot sign the test notification for %s: give key (the shop\'s test or production key)'
                       % where['url'])
    line, family = addon_family(shop.get('expect_generation') or (shop.get('host_facts') or {}).get('series'))
    hops = MAX_REDIRECT_CHECKS if hops is None else hops
    reference = probe_reference(brand)
    form = notification(reference, shop.get('site_id') or '00000000', shop.get('mode') or 'TEST',
                        key if signed else None, shop.get('algo') or 'HMAC-SHA-256')
    context = ssl_context(validate_certs, ca_path) if where['scheme'] == 'https' else None
    post = send(where, 'POST', form, timeout, context)
    get = None
    if 'GET' in methods and not post.get('error'):
        get = send(where, 'GET', None, timeout, context)
    ctx = dict(brand=brand, probe_url=where['probe_url'], host=where['host'], port=where['port'],
               path_route=route(brand), timeout=timeout, family=family, line=line, signed=signed,
               facts=shop.get('host_facts') or {}, db_param='db=' in urlsplit(where['probe_url']).query)
    location = urljoin(where['probe_url'], header(post, 'location')) if header(post, 'location') else None
    check = None
    if post.get('status') in REDIRECT_CODES + (303,) and location and hops > 0 \
            and urlsplit(location).path.rstrip('/').endswith(ctx['path_route']) \
            and not same_url(location, where['probe_url']):
        follow = dict(shop, url=location, expected_notify_url=None, web_base_url=None)
        check = probe(follow, timeout, methods, validate_certs, ca_path, hops - 1)
        ctx['location_check'] = check
    result = classify(post, get, ctx)
    notify_url = where['probe_url']
    if check is not None and check['verdict'] == 'OK':
        notify_url = check['notify_url']
    elif location and urlsplit(location).path.rstrip('/').endswith(ctx['path_route']):
        notify_url = location
    notes = list(result['notes'])
    if where['credentials']:
        notes.append('The URL carries credentials; the probe does not send them (the platform would need none).')
    # Without the shop's own values, those of the database Odoo serves for this host (host facts read by
    # the odoo option: web_base_urls and notify_urls, by database).
    served = served_database(ctx['facts'], where['host'])
    expected_notify_url = shop.get('expected_notify_url') or url_from_facts(ctx['facts'], 'notify_urls', served)
    web_base_url = shop.get('web_base_url') or url_from_facts(ctx['facts'], 'web_base_urls', served)
    stored, base, compare_notes = compare(notify_url, expected_notify_url, web_base_url, brand)
    notes.extend(compare_notes)
    reachable, reach_notes = platform_reach(where['probe_url'])
    notes.extend(reach_notes)
    return {
        'url': where['url'],
        'probe_url': where['probe_url'],
        'notify_url': notify_url,
        'brand': brand,
        'verdict': result['verdict'],
        'ok': result['verdict'] == 'OK',
        'reason': transport.mask(result['reason'], [key]),
        'fix': transport.mask(result['fix'], [key]),
        'status': post.get('status'),
        'elapsed': post.get('elapsed'),
        'location': location,
        'get_status': get.get('status') if get else None,
        'answer': excerpt(post.get('body')),
        'error': post.get('error'),
        'signed': signed,
        'order_ref': reference,
        'addon_line': line,
        'matches_stored_notify_url': stored,
        'matches_web_base_url': base,
        'platform_reachable': reachable,
        'redirect_check': None if check is None else dict(
            (name, check[name]) for name in ('probe_url', 'verdict', 'status', 'reason')),
        'notes': [transport.mask(note, [key]) for note in notes],
    }


def probe_many(shops, concurrency=DEFAULT_CONCURRENCY, **options):
    """Probe every shop, ``concurrency`` at a time (threads); the results in the order of ``shops``."""
    if not shops:
        return []
    workers = max(1, min(int(concurrency), len(shops)))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(probe, shop, **options) for shop in shops]
        return [future.result() for future in futures]
