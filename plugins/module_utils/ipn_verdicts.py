# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The verdict of a probe of a shop's notification (IPN) URL, and what to fix: :func:`classify` is a pure function
from the answers ``ipn_http.send`` got (plus the addon line and the host facts when known) to one verdict with a
``reason`` and a ``fix`` a shop owner can act on; :func:`platform_reach` and :func:`compare` add what the address
and the shop's own values say. No network here.

Facts relied on (``odoo-ground-truth.md`` sections 5-7, vendor guide sections 3 and 7):

* the platform does not follow 301/302/307/308, calls again with GET after a 303, waits about 35 s, reports TLS
  handshake failures;
* Odoo's route ``/payment/<brand>/ipn`` accepts POST only: GET answers 405 on every generation
  (``Allow: OPTIONS, POST`` on 16, ``Allow: POST`` on 15);
* addons of the ``payment.provider`` family (3.x, 4.x; Odoo 16+) answer 200 ``Bad request received.`` to any
  notification they cannot match (good or bad signature); those of the ``payment.acquirer`` family (1.x, 2.x;
  Odoo 15 and older) raise on it, and Odoo answers 500;
* several databases and no ``dbfilter``/``db_name``: every addon route answers 404 (``?db=`` does not help);
  ``dbfilter`` is matched as Odoo 16's ``http.db_filter`` does (``%h`` host, ``%d`` its first label, ``www.``
  dropped)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

try:
    from urllib.parse import urljoin, urlsplit, urlunsplit
except ImportError:  # pragma: no cover - Python 2 is not a target
    from urlparse import urljoin, urlsplit, urlunsplit  # type: ignore

from ansible_collections.systempay.odoo.plugins.module_utils.ipn_notify import DEFAULT_TIMEOUT, is_full_url, route, same_url

EXCERPT = 200                 # characters of an answer returned


VERDICTS = ('OK', 'REDIRECT', 'REDIRECT_303', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'AUTH_REQUIRED', 'MAINTENANCE',
            'SERVER_ERROR', 'TLS', 'TIMEOUT', 'CONNECTION_REFUSED', 'DNS', 'UNEXPECTED')


# What the payment addon answers (ground truth 5 and 7, the vendor's controllers).
ANSWER_UNMATCHED = 'Bad request received.'
ADDON_ANSWERS = (
    ANSWER_UNMATCHED,
    'Payment processed, order has been updated.',      # 3.x+, a matched notification
    'Accepted payment, order has been updated.',       # 1.x/2.x
    'Payment failure, order has been cancelled.',      # 1.x/2.x
)
FAMILY_RAISES = 'payment.acquirer'     # addon lines made for it answer 500 to what they cannot match
FAMILY_ANSWERS = 'payment.provider'    # ... and these 200 "Bad request received."


BACK_OFFICE = ('in the payment platform\'s Back Office (Settings > Notification rules, in French "Paramétrage > Règles '
               'de notifications"; rule "URL de notification à la fin du paiement"; fields "URL à appeler en mode '
               'TEST" and "URL à appeler en mode PRODUCTION")')
REDIRECT_CODES = (301, 302, 307, 308)


_WWW_AUTH_RE = re.compile(r'^\s*(?P<scheme>[A-Za-z-]+)(?:.*?realm="(?P<realm>[^"]*)")?')
_SPACES_RE = re.compile(r'\s+')
_TAGS_RE = re.compile(r'<[^>]+>')


def excerpt(body, width=EXCERPT):
    """The text of an answer on one line (HTML tags dropped), cut at ``width`` characters."""
    text = _SPACES_RE.sub(' ', _TAGS_RE.sub(' ', body or '')).strip()
    return text if len(text) <= width else text[:width] + '...'


def _status_text(answer):
    return ('%s %s' % (answer['status'], answer.get('phrase') or '')).strip()


def header(answer, name):
    return (answer or {}).get('headers', {}).get(name)


def _get_proves_route(get):
    """True when a GET answered 405 with POST allowed (or no Allow header): Odoo serves the addon's route."""
    if not get or get.get('status') != 405:
        return False
    allow = header(get, 'allow')
    return allow is None or 'POST' in [part.strip().upper() for part in allow.split(',')]


def first_label(host):
    """``%d`` of Odoo's dbfilter: the host's first label, after dropping ``www.`` (Odoo 16 ``http.db_filter``)."""
    host = (host or '').partition(':')[0]
    if host.startswith('www.'):
        host = host[4:]
    return host, host.partition('.')[0]


def databases_for(facts, host):
    """``(databases, selected, how)`` as Odoo 16 chooses the database of a request to ``host``.

    ``databases`` is the list the facts give (None when unknown or only counted), ``selected`` the
    ones left after ``dbfilter`` (else ``db_name``); ``how`` says which rule selected them.
    """
    names = facts.get('databases')
    if isinstance(names, int) and not isinstance(names, bool):
        names = None
    elif names is not None:
        names = [str(name) for name in names]
    dbfilter = facts.get('dbfilter') or ''
    db_name = facts.get('db_name') or ''
    if names is None:
        return None, None, 'dbfilter' if dbfilter else ('db_name' if db_name else 'none')
    if dbfilter:
        full, label = first_label(host)
        pattern = dbfilter.replace('%h', re.escape(full)).replace('%d', re.escape(label))
        try:
            return names, [name for name in names if re.match(pattern, name)], 'dbfilter'
        except re.error:
            return names, None, 'dbfilter'
    if db_name:
        exposed = set(part.strip() for part in str(db_name).split(','))
        return names, sorted(exposed.intersection(names)), 'db_name'
    return names, list(names), 'none'


def _count(facts):
    names = facts.get('databases')
    if isinstance(names, bool) or names is None:
        return None
    return names if isinstance(names, int) else len(names)


def served_database(facts, host):
    """The one database Odoo serves to a request for ``host`` according to ``facts``, else None."""
    dummy, selected, dummy = databases_for(facts or {}, host)
    return selected[0] if selected and len(selected) == 1 else None


def url_from_facts(facts, key, db):
    value = (facts.get(key) or {}).get(db) if db else None
    return value if is_full_url(value) else None


def _not_found(ctx):
    """Reason and fix of a 404, precise when the host facts say how Odoo chooses the database."""
    facts = ctx.get('facts') or {}
    module = 'payment_%s' % ctx['brand']
    host = ctx['host']
    head = '%s answers 404 Not Found to the POST' % ctx['probe_url']
    if ctx.get('db_param'):
        head += ' (?db= in the URL does not choose the database of this route)'
    if not facts:
        return (head + ': either the %s module is not installed in the database serving %s, or Odoo serves several '
                'databases without dbfilter and cannot choose one for the platform\'s call (it sends no session '
                'cookie), so every addon route answers 404.' % (module, host),
                'Install %s in the shop\'s database; if the server has several databases, set dbfilter = ^%%d$ '
                '(host name\'s first label = database name) or dbfilter = ^<database>$ in odoo.conf and restart '
                'Odoo. Give host_facts to get the exact cause.' % module)
    names, selected, how = databases_for(facts, host)
    count = _count(facts)
    installed = facts.get('installed_in')
    full, label = first_label(host)
    if count is not None and count > 1 and how == 'none':
        listed = ' (%s)' % ', '.join(names) if names else ''
        if names and label in names:
            fix_filter = 'dbfilter = ^%d$ (the first label of ' + full + ', ' + label + ', is a database name)'
        elif installed and len(installed) == 1:
            fix_filter = 'dbfilter = ^%s$ (the database with %s installed)' % (installed[0], module)
        else:
            fix_filter = ('dbfilter = ^%d$ (when each shop\'s host name starts with its database name) or '
                          'dbfilter = ^<database>$ (one shop a server)')
        return (head + ': Odoo serves %d databases%s and has neither dbfilter nor db_name, so it cannot choose a '
                'database for a call without a session cookie and every addon route answers 404.' % (count, listed),
                'Set %s in the [options] of odoo.conf and restart Odoo.' % fix_filter)
    if how == 'dbfilter' and selected is not None and len(selected) != 1:
        which = 'no database' if not selected else '%d databases (%s)' % (len(selected), ', '.join(selected))
        return (head + ': dbfilter = %s selects %s for the host %s, so Odoo cannot choose one and every addon '
                'route answers 404.' % (facts.get('dbfilter'), which, host),
                'Change dbfilter in odoo.conf so that it selects exactly the shop\'s database for %s (^%%d$ selects '
                '%s), and restart Odoo.' % (host, label))
    if how == 'db_name' and selected is not None and len(selected) != 1:
        return (head + ': db_name = %s leaves %d of the databases, so Odoo cannot choose one.'
                % (facts.get('db_name'), len(selected)),
                'Set db_name to the shop\'s one database, or set dbfilter = ^<database>$, and restart Odoo.')
    db = selected[0] if selected and len(selected) == 1 else None
    if db is None and count == 1 and names:
        db = names[0]
    if db and installed is not None and db not in installed:
        return (head + ': Odoo serves the database %s for %s, and %s is not installed in it.' % (db, host, module),
                'Install %s in the database %s (systempay.odoo.odoo_module) and restart Odoo.' % (module, db))
    if db:
        where = 'the database %s' % db
        tail = ('%s is installed there: a proxy or another application may answer this path, or Odoo was not '
                'restarted after the install' % module) if installed and db in installed else \
            'the %s module is not installed (or not loaded) there' % module
        return (head + ': Odoo serves %s for %s, so %s.' % (where, host, tail),
                'Install %s in %s and restart Odoo; check that the web server passes %s to Odoo.'
                % (module, db, ctx['path_route']))
    return (head + ': the %s module is not installed in the database serving %s, or Odoo cannot choose a database '
            'for it.' % (module, host),
            'Install %s in the shop\'s database; with several databases set dbfilter = ^%%d$ or ^<database>$ in '
            'odoo.conf and restart Odoo.' % module)


def _redirect(post, ctx, code_303):
    location = header(post, 'location')
    declared = ctx['probe_url']
    if not location:
        return ('%s answers %s without a Location header: the platform does not follow redirects and reports the '
                'call as failed.' % (declared, _status_text(post)),
                'Remove the redirect for %s on the web server, then declare %s %s, test AND production.'
                % (ctx['path_route'], declared, BACK_OFFICE))
    location = urljoin(declared, location)
    if code_303:
        reason = ('%s answers 303 See Other (Location: %s): the platform then calls again with GET, which the '
                  'notification route refuses (405), so the notification is lost.' % (declared, location))
    else:
        reason = ('%s answers %s (Location: %s): the platform does not follow redirects and reports the call as '
                  'redirected, so the shop never gets the notification.' % (declared, _status_text(post), location))
    if urlsplit(location).path.rstrip('/').endswith(ctx['path_route']):
        fix = 'Declare %s instead of %s %s, for test AND production.' % (location, declared, BACK_OFFICE)
        checked = ctx.get('location_check')
        if checked is not None:
            if checked['verdict'] == 'OK':
                fix += ' Checked: %s answers correctly.' % location
            else:
                fix += ' But %s itself answers %s: %s' % (location, checked['verdict'], checked['reason'])
    else:
        fix = ('The redirect leads to %s, not to the notification route: exempt %s from that redirect (web server or '
               'website redirect rules), then declare %s %s, test AND production.'
               % (location, ctx['path_route'], declared, BACK_OFFICE))
    return reason, fix


def _unreachable(post, ctx):
    """Verdict, reason and fix when no HTTP answer came back."""
    error, phase, detail = post['error'], post.get('phase'), post.get('detail') or ''
    host, port, timeout = ctx['host'], ctx['port'], ctx['timeout']
    if error == 'dns':
        return ('DNS', 'The host name %s does not resolve (%s): the platform cannot find the shop.' % (host, detail),
                'Create the DNS record (A/AAAA) of %s at the domain\'s DNS provider, or correct the host name of the '
                'URL.' % host)
    if error == 'refused':
        return ('CONNECTION_REFUSED',
                'Nothing accepts connections on %s port %d (connection refused): the web server is stopped or '
                'listens on another port.' % (host, port),
                'Start the web server (or Odoo) on %s port %d, open that port in the firewall, or correct the '
                'URL\'s port.' % (host, port))
    if error == 'unreachable':
        return ('CONNECTION_REFUSED', 'No route to %s port %d (%s).' % (host, port, detail),
                'Check the address %s resolves to and the network path (firewall, routing) to port %d.' % (host, port))
    if error == 'timeout':
        if phase == 'connect':
            why = ('no TCP connection to %s port %d within %s s: a firewall drops the packets (the platform\'s IP '
                   'addresses may be blocked) or the host is down' % (host, port, timeout))
            fix = 'Open port %d of %s to the payment platform\'s IP addresses (and check the host is up).' % (port, host)
        else:
            what = 'TLS handshake' if phase == 'tls' else 'answer'
            why = ('connected to %s port %d but got no %s within %s s (the platform gives up after about %d s and '
                   'reports "server unavailable")' % (host, port, what, timeout, DEFAULT_TIMEOUT))
            fix = ('Find what holds the request: Odoo busy or stuck (workers, long requests), a proxy waiting on a '
                   'dead upstream; the notification route must answer within seconds.')
        return 'TIMEOUT', 'No answer: %s.' % why, fix
    if error == 'tls':
        return ('TLS', 'The TLS handshake with %s port %d failed (%s): the platform rejects this certificate or '
                       'handshake and reports the call as failed.' % (host, port, detail),
                'Install a certificate issued by a public authority for %s, with its full chain (for example Let\'s '
                'Encrypt), valid and not expired; self-signed certificates are refused.' % host)
    if error == 'closed':
        return ('SERVER_ERROR', '%s port %d closed the connection without an HTTP answer (%s).' % (host, port, detail),
                'Check the web server and Odoo logs for a crash or a rule that drops POST requests to %s.'
                % ctx['path_route'])
    return ('CONNECTION_REFUSED', 'Cannot connect to %s port %d: %s.' % (host, port, detail),
            'Check the network path from outside to %s port %d.' % (host, port))


def classify(post, get=None, ctx=None):
    """The verdict of a probe, from the POST's answer (and the GET's, when sent). Pure.

    ``ctx`` keys: ``brand``, ``probe_url``, ``host``, ``port``, ``path_route``, ``timeout``,
    ``family`` (``payment.acquirer``/``payment.provider``/None), ``line``, ``signed``,
    ``facts`` (host facts), ``db_param``, ``location_check`` (verdict dict of the Location).
    Returns ``{'verdict', 'reason', 'fix', 'notes'}``.
    """
    ctx = dict(ctx or {})
    notes = []

    def verdict(name, reason, fix):
        return {'verdict': name, 'reason': reason, 'fix': fix, 'notes': notes}

    url = ctx['probe_url']
    keep = ('Nothing to fix on the shop; make sure %s is declared %s, test AND production.' % (url, BACK_OFFICE))
    if post.get('error'):
        return verdict(*_unreachable(post, ctx))
    status = post['status']
    family = ctx.get('family')
    body = (post.get('body') or '').strip()
    proof = _get_proves_route(get)
    if post.get('elapsed', 0) > ctx['timeout']:
        return verdict('TIMEOUT', '%s answered %s only after %.1f s, beyond the %s s the platform waits.'
                       % (url, _status_text(post), post['elapsed'], ctx['timeout']),
                       'Find what slows the notification route down (Odoo workers, proxy); it must answer within '
                       'seconds.')
    if status in REDIRECT_CODES:
        return verdict('REDIRECT', *_redirect(post, ctx, False))
    if status == 303:
        return verdict('REDIRECT_303', *_redirect(post, ctx, True))
    if 200 <= status < 300:
        if body in ADDON_ANSWERS:
            if body == ANSWER_UNMATCHED and family == FAMILY_RAISES:
                notes.append('The answer is that of the 3.x-and-later addon, though expect_generation says addon '
                             'line %s: check which addon the shop runs.' % ctx.get('line'))
            what = 'signed test notification' if ctx.get('signed') else 'test notification'
            return verdict('OK', '%s answers the %s with %s "%s": the payment addon itself answered (the order '
                                 'reference cannot exist, so nothing changed).' % (url, what, _status_text(post), body),
                           keep)
        if proof:
            notes.append('The answer text (%s) is not one the collection knows from the payment addon.'
                         % (excerpt(body) or 'empty'))
            return verdict('OK', '%s answers the POST with %s and the GET with 405: Odoo serves the notification '
                                 'route.' % (url, _status_text(post)), keep)
        got = excerpt(body) or 'an empty body'
        return verdict('UNEXPECTED', '%s answers the POST with %s, but not with an answer of the payment addon '
                                     '(got: %s): another application or a catch-all page answers this URL, and the '
                                     'shop\'s orders would not be updated.' % (url, _status_text(post), got),
                       'Make %s reach Odoo with payment_%s installed (web server location/proxy_pass rules); send '
                       'the GET too (methods) to tell Odoo\'s route apart.' % (ctx['path_route'], ctx['brand']))
    if status == 404:
        return verdict('NOT_FOUND', *_not_found(ctx))
    if status == 405:
        allow = header(post, 'allow')
        return verdict('METHOD_NOT_ALLOWED',
                       '%s refuses the POST with 405 Method Not Allowed%s: Odoo\'s notification route accepts POST, '
                       'so something else answers this URL (a web server rule, a proxy, another application).'
                       % (url, ' (Allow: %s)' % allow if allow else ''),
                       'Make POST requests to %s reach Odoo unchanged (web server location and proxy_pass rules), '
                       'then probe again.' % ctx['path_route'])
    if status in (401, 407):
        challenge = header(post, 'www-authenticate') or ''
        match = _WWW_AUTH_RE.match(challenge)
        how = ''
        if match and match.group('scheme'):
            how = ' (%s authentication%s)' % (match.group('scheme'),
                                              ', realm "%s"' % match.group('realm') if match.group('realm') else '')
        return verdict('AUTH_REQUIRED',
                       '%s asks for a login%s: basic authentication (.htaccess or the web server) protects the URL, '
                       'and the platform sends no credentials.' % (url, how),
                       'Exempt %s from the authentication (nginx: auth_basic off in a location for that path; '
                       'Apache: a <Location> with Require all granted), keeping the rest protected if you wish.'
                       % ctx['path_route'])
    if status == 403:
        return verdict('AUTH_REQUIRED',
                       '%s refuses the request with 403 Forbidden: IP filtering, a firewall/WAF or a deny rule. The '
                       'probe does not come from the platform\'s addresses; if the rule lets exactly those through, '
                       'check that it does.' % url,
                       'Allow the payment platform\'s IP addresses on %s (or lift the rule for that path).'
                       % ctx['path_route'])
    if status == 503:
        retry = header(post, 'retry-after')
        retry = ' (Retry-After: %s)' % retry if retry else ''
        return verdict('MAINTENANCE',
                       '%s answers 503 Service Unavailable%s: the shop is in maintenance mode (or Odoo is unavailable '
                       'behind the proxy), and the platform\'s call fails.' % (url, retry),
                       'Take the shop out of maintenance, or let %s through to Odoo during maintenance; the platform '
                       'retries a failed call at most 4 times, 15 minutes apart, and only with automatic replay on.'
                       % ctx['path_route'])
    if status == 500 and family == FAMILY_RAISES and proof:
        return verdict('OK', '%s answers the test notification with 500, the answer of addon line %s (Odoo 15 and '
                             'older) to a notification it cannot match, and the GET with 405: Odoo serves the '
                             'notification route.' % (url, ctx.get('line')), keep)
    if status == 500:
        if family == FAMILY_ANSWERS:
            why = ('addon line %s answers 200 even to a notification it cannot match, so this is a failure'
                   % ctx.get('line'))
        elif family == FAMILY_RAISES:
            why = ('addon line %s answers 500 to a notification it cannot match, but without a GET answering 405 '
                   'nothing proves that Odoo\'s route answered (send the GET: methods)' % ctx.get('line'))
        elif proof:
            why = ('the GET answered 405, so Odoo serves the route: if the shop runs Odoo 15 or older (addon 1.x/2.x) '
                   'this 500 is the addon\'s normal answer to a notification it cannot match; set expect_generation '
                   'to tell')
        else:
            why = 'an unhandled error in Odoo or the addon (a module that fails to load makes every request 500)'
        return verdict('SERVER_ERROR', '%s answers 500 Internal Server Error: %s.' % (url, why),
                       'Read the traceback in the Odoo log (for example /var/log/odoo/odoo-server.log) at the time '
                       'of the probe and fix it; set expect_generation when the shop runs Odoo 15 or older.')
    if status in (502, 504):
        return verdict('SERVER_ERROR', '%s answers %s: the web server in front of Odoo got no answer from it.'
                       % (url, _status_text(post)),
                       'Start Odoo, and check the proxy\'s upstream (proxy_pass address and port, timeouts).')
    if status >= 500:
        return verdict('SERVER_ERROR', '%s answers %s.' % (url, _status_text(post)),
                       'Read the web server and Odoo logs at the time of the probe.')
    return verdict('UNEXPECTED', '%s answers %s to the POST (got: %s), which neither Odoo\'s route nor the platform '
                                 'expects.' % (url, _status_text(post), excerpt(body) or 'an empty body'),
                   'Find the web server, WAF or application rule answering %s for %s and let the platform\'s POST '
                   'through to Odoo.' % (status, ctx['path_route']))


def is_local_url(url):
    """True when ``url`` names this machine only (``localhost``, ``*.localhost``, a loopback or unspecified
    address): what a fresh database's ``web.base.url`` holds (``http://localhost:8069``), never a shop's
    public address."""
    host = (urlsplit(str(url or '').strip()).hostname or '').lower().rstrip('.')
    if host in ('', 'localhost') or host.endswith('.localhost'):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def platform_reach(url):
    """``(reachable, notes)``: whether the payment platform, on the internet, could call ``url`` at all, judged from
    the address alone. ``reachable`` is False for an address naming the probing machine itself (loopback,
    ``localhost``) or an address that is not public (private, link-local, reserved), else None (a probe from the controller cannot prove it either way).
    ``notes`` say so, and that plain http travels unencrypted (the guide's example URL is http: the platform calls
    what is declared)."""
    parts = urlsplit(str(url or '').strip())
    host = (parts.hostname or '').lower().rstrip('.')
    notes = []
    reachable = None
    if is_local_url(url):
        reachable = False
        notes.append('%s names the machine the probe ran on (loopback): whatever it answers here, the payment '
                     'platform cannot reach a shop at this address. Declare the shop\'s public address in the Back '
                     'Office.' % host)
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if address is not None and not address.is_global:
            reachable = False
            notes.append('%s is not a public address (a private, link-local or reserved range): only machines of its '
                         'network reach it, not the payment platform. '
                         'Declare the shop\'s public address in the Back Office.' % host)
    if parts.scheme.lower() == 'http':
        notes.append('%s is plain http: the platform calls it as declared, but the notification (order, amount, '
                     'signature) crosses the network unencrypted; prefer the shop\'s https address.'
                     % urlunsplit((parts.scheme, parts.netloc, '', '', '')))
    return reachable, notes


def compare(notify_url, expected_notify_url=None, web_base_url=None, brand='systempay'):
    """``(matches_stored, matches_base, notes)``: the URL to declare against the addon's stored one and ``web.base.url``."""
    notes = []
    stored = base = None
    if expected_notify_url:
        stored = same_url(notify_url, expected_notify_url)
        if not stored:
            notes.append('The addon shows %s as its notification URL (fixed at install from web.base.url); the URL to '
                         'declare is %s.' % (expected_notify_url, notify_url))
    if web_base_url:
        base = same_url(notify_url, str(web_base_url).rstrip('/') + route(brand))
        if not base:
            notes.append('web.base.url is %s, which does not lead to %s: set web.base.url to the shop\'s public URL '
                         '(and web.base.url.freeze) so links and the addon\'s stored URL are right.'
                         % (web_base_url, notify_url))
    return stored, base, notes


def summary(probes):
    """One line a failing shop: ``<url>: <VERDICT>: <fix>``."""
    return ['%s: %s: %s' % (entry['probe_url'], entry['verdict'], entry['fix']) for entry in probes if not entry['ok']]
