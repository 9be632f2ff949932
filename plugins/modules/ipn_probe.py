#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ipn_probe
short_description: Call shops' payment notification (IPN) URLs like the payment platform, and say what to fix
version_added: 0.1.0
description:
  - For each shop, sends the request the payment platform sends at the end of every payment - a form POST
    (C(application/x-www-form-urlencoded)) to C(/payment/<brand>/ipn), redirects not followed, within the
    platform's ceiling of about 35 s - and optionally a GET, then classifies what came back into one verdict with a
    C(reason) and a C(fix) a shop owner can act on, and the exact URL to declare in the platform's Back Office.
  - The POST is a notification for an order reference that cannot exist (C(<brand>-probe-<random>)), optionally
    signed with the shop's key (O(signed)). The payment addon answers it without changing anything - 3.x and later
    (Odoo 16+) with 200 C(Bad request received.), 1.x and 2.x (Odoo 15 and older) with 500 - so the probe proves that
    the addon itself, not a proxy or another application, answers. A GET answering 405 is the proof, on every
    generation, that Odoo serves the route.
  - "Verdicts: V(OK), V(REDIRECT) (301/302/307/308), V(REDIRECT_303), V(NOT_FOUND), V(METHOD_NOT_ALLOWED),
    V(AUTH_REQUIRED) (401/403), V(MAINTENANCE) (503), V(SERVER_ERROR), V(TLS), V(TIMEOUT), V(CONNECTION_REFUSED),
    V(DNS), V(UNEXPECTED) (an answer neither Odoo's route nor the platform expects). See C(docs/ipn.md)."
  - Runs where the task runs - on the controller (from outside, like the platform) or on the Odoo host. Shops are
    probed concurrently (O(concurrency)).
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  urls:
    description:
      - Shop URLs (C(https://shop.example.com), the route is appended) or full notification URLs
        (C(https://shop.example.com/payment/systempay/ipn), probed as given). Probed with the options of this task.
    type: list
    elements: str
    default: []
  shops:
    description:
      - Shops with their own settings; a key left out takes the value of the option of the same name.
      - Probed after O(urls).
    type: list
    elements: dict
    default: []
    suboptions:
      url:
        description: Shop URL or full notification URL.
        type: str
        required: true
      brand:
        description: Brand of the addon of this shop (O(brand)).
        type: str
      key:
        description: Key to sign with (O(key)).
        type: str
      algo:
        description: Signature algorithm (O(algo)).
        type: str
        choices: [SHA-1, HMAC-SHA-256, SHA-256]
      mode:
        description: C(vads_ctx_mode) of the notification (O(mode)).
        type: str
        choices: [TEST, PRODUCTION]
      site_id:
        description: C(vads_site_id) of the notification (O(site_id)).
        type: str
      signed:
        description: Whether to sign (default, when this shop has a key).
        type: bool
      expect_generation:
        description: Odoo series or addon version of this shop (O(expect_generation)).
        type: str
      host_facts:
        description: How this shop's Odoo chooses its database (O(host_facts)).
        type: dict
      expected_notify_url:
        description: The addon's stored notification URL (O(expected_notify_url)).
        type: str
      web_base_url:
        description: The database's C(web.base.url) (O(web_base_url)).
        type: str
  brand:
    description:
      - Brand of the payment addon (C(payment_<brand>), route C(/payment/<brand>/ipn)).
    type: str
    default: systempay
  timeout:
    description:
      - Seconds to wait for each answer; the platform gives up after about 35 s.
    type: int
    default: 35
  methods:
    description:
      - Requests to send. The POST (what the platform sends) decides the verdict and cannot be left out; the GET
        (answered 405 by Odoo's route on every generation) proves that Odoo serves the route, and tells an Odoo 15
        addon's normal 500 from a failure.
    type: list
    elements: str
    choices: [POST, GET]
    default: [POST, GET]
  signed:
    description:
      - Sign the test notification with O(key) and O(algo), as the platform does. The addon answers an unknown
        order the same way whatever the signature; signing makes the request the exact shape of a real one,
        for web application firewalls or proxies that look at it.
      - Default, V(true) for a shop that has a key.
    type: bool
  key:
    description:
      - The shop's test (or production) key. Never returned nor logged.
      - Required with O(signed=true).
    type: str
  algo:
    description:
      - Signature algorithm of the shop (the addon's C(systempay_sign_algo); V(SHA-256) is how Odoo stores
        V(HMAC-SHA-256)).
    type: str
    choices: [SHA-1, HMAC-SHA-256, SHA-256]
    default: HMAC-SHA-256
  mode:
    description:
      - C(vads_ctx_mode) of the test notification.
    type: str
    choices: [TEST, PRODUCTION]
    default: TEST
  site_id:
    description:
      - C(vads_site_id) of the test notification (the shop id; the addon does not read it for an unknown order).
    type: str
    default: '00000000'
  expect_generation:
    description:
      - Odoo series (V(15.0), V(16.0)) or addon version (V(2.0.5), V(3.1.1)) of the shops, to know what the addon
        answers to a notification it cannot match (500 up to Odoo 15, 200 from 16). Default, C(host_facts.series).
    type: str
  host_facts:
    description:
      - How the shop's Odoo chooses the database of a request, to tell why the route answers 404. Keys (all
        optional; the result of M(systempay.odoo.odoo_info) fits, RV(host_facts) of a task with O(odoo) is made
        for it) - C(databases) (list of names, or a count), C(dbfilter), C(db_name), C(installed_in) (databases
        where C(payment_<brand>) is installed), C(series), C(web_base_urls) and C(notify_urls) (database name to
        its C(web.base.url) and to the addon's stored notification URL; the values of the database Odoo serves
        for the shop's host name are the defaults of O(web_base_url) and O(expected_notify_url)).
    type: dict
  expected_notify_url:
    description:
      - The notification URL the addon shows (fixed at install from C(web.base.url)); RV(probes[].matches_stored_notify_url)
        says whether it is the URL to declare.
    type: str
  web_base_url:
    description:
      - The database's C(web.base.url); RV(probes[].matches_web_base_url) says whether it leads to the URL to declare.
    type: str
  validate_certs:
    description:
      - Check the server's certificate (chain and host name), as the platform does. V(false) only to look past a
        certificate problem already known.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the authorities to trust instead of the system's (an internal CA).
    type: path
  concurrency:
    description:
      - Shops probed at the same time.
    type: int
    default: 16
  fail_on_error:
    description:
      - Fail the task when any verdict is not V(OK), with a message giving each failing shop and its fix.
        V(false) only reports.
    type: bool
    default: true
  odoo:
    description:
      - Read the shops' facts from the Odoo of the host the task runs on, before probing (the task must then run on
        the Odoo host, as root or the service user). For each database of O(odoo.databases) - its C(web.base.url),
        the state of C(payment_<brand>) and the notification URL the addon stored at install - returned in
        RV(databases); and how that Odoo chooses the database of a request, returned in RV(host_facts).
      - Shops given without O(shops[].host_facts) are then probed with RV(host_facts); a shop's O(web_base_url)
        and O(expected_notify_url) default to those of the database Odoo serves for its host name.
      - With O(urls) and O(shops) empty, the task only reads. Nothing is written (C(odoo shell) transactions are
        rolled back), so it runs the same in check mode.
      - The service is discovered as M(systempay.odoo.odoo_info) does it; the suboptions other than
        O(odoo.databases) are those of M(systempay.odoo.odoo_module).
    type: dict
    suboptions:
      databases:
        description:
          - Databases to read. V(all) is every database the running service lists over XML-RPC (C(list_db) must be
            on; that list ignores C(dbfilter)).
        type: list
        elements: str
        default: [all]
      transport:
        description:
          - V(cli) runs the host's Odoo program (C(odoo shell)) as the service user; V(rpc) calls the running server
            over XML-RPC as O(odoo.login).
        type: str
        choices: [cli, rpc]
        default: cli
      service:
        description:
          - Systemd unit running Odoo; V(auto) looks for the one C(odoo*.service) unit.
        type: str
        default: auto
      config:
        description:
          - Odoo config file. Default, the one the service uses.
        type: path
      binary:
        description:
          - Odoo program. Default, the one the service runs.
        type: path
      user:
        description:
          - User to run the Odoo program as, with O(odoo.transport=cli). Default, the service's.
        type: str
      url:
        description:
          - Base URL of the Odoo server, with O(odoo.transport=rpc). Default, from the config file.
        type: str
      login:
        description:
          - Odoo user to log in as, with O(odoo.transport=rpc) (required then).
        type: str
      password:
        description:
          - Password (or API key) of O(odoo.login), with O(odoo.transport=rpc) (required then). Never returned.
        type: str
      timeout:
        description:
          - Seconds one Odoo run (O(odoo.transport=cli)) or one XML-RPC call (O(odoo.transport=rpc)) may take.
        type: int
        default: 600
      odoo_facts:
        description:
          - What M(systempay.odoo.odoo_info) returned for this host earlier in the run, so that Odoo is not
            discovered again (as O(systempay.odoo.odoo_module#module:odoo_facts)).
          - With V(read_databases) given to M(systempay.odoo.odoo_info), and no O(urls) or O(shops) (a read of the
            shops only, with O(brand) the only other option), and that result holding a fresh read of every database
            named, the action plugin answers on the controller with what the module would read, and the host is
            not called.
        type: dict
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The probe only reads; it runs the same way in check mode. The test notification changes nothing on the shop.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The probe sends no cookie, as the platform; proxies from the environment (C(https_proxy)) are not used.
  - A probe from the controller is not a probe from the platform's addresses - a firewall that lets only those through
    shows here as V(TIMEOUT) or V(AUTH_REQUIRED) (403); the reason says so.
  - Facts relied on are listed in C(docs/ipn.md) (ground truth sections 5 to 7, vendor guide sections 3 and 7).
seealso:
  - module: systempay.odoo.odoo_info
'''

EXAMPLES = r'''
- name: Probe the notification URL of every shop from the controller
  systempay.odoo.ipn_probe:
    urls:
      - https://shop1.example.com
      - https://www.shop2.example.com/payment/systempay/ipn
  delegate_to: localhost
  run_once: true

- name: Read every database's web.base.url and stored notification URL on the Odoo host (no probe)
  systempay.odoo.ipn_probe:
    odoo:
      databases: [all]
  become: true
  register: shops

- name: Probe the public web.base.url of each database with the addon, from the controller
  systempay.odoo.ipn_probe:
    urls: "{{ shops.databases | selectattr('installed') | rejectattr('local') | map(attribute='web_base_url') | list }}"
    host_facts: "{{ shops.host_facts }}"
    fail_on_error: false
  delegate_to: localhost
  register: ipn

- name: Probe one shop with a signed notification, explain a 404 with the host's facts, only report
  systempay.odoo.ipn_probe:
    shops:
      - url: "https://{{ shop_host }}"
        key: "{{ systempay_key_test }}"
        algo: HMAC-SHA-256
        expect_generation: "{{ odoo.series }}"
        host_facts: "{{ odoo }}"   # registered from systempay.odoo.odoo_info
        expected_notify_url: "{{ provider.systempay_notify_url }}"
    fail_on_error: false
  delegate_to: localhost
  no_log: true
  register: ipn
'''

RETURN = r'''
probes:
  description: One entry a URL, in the order given (O(urls), then O(shops)).
  returned: always
  type: list
  elements: dict
  contains:
    url:
      description: The URL as given (a password in it masked).
      type: str
      sample: https://shop.example.com
    probe_url:
      description: The URL probed (the route appended to a shop URL).
      type: str
      sample: https://shop.example.com/payment/systempay/ipn
    notify_url:
      description:
        - The exact URL to declare in the Back Office (Settings > Notification rules > C(URL de notification à la fin
          du paiement)), for test and production - the Location of a redirect to the route, else the URL probed.
      type: str
      sample: https://www.shop.example.com/payment/systempay/ipn
    brand:
      description: Brand probed.
      type: str
      sample: systempay
    verdict:
      description: One of V(OK), V(REDIRECT), V(REDIRECT_303), V(NOT_FOUND), V(METHOD_NOT_ALLOWED), V(AUTH_REQUIRED),
        V(MAINTENANCE), V(SERVER_ERROR), V(TLS), V(TIMEOUT), V(CONNECTION_REFUSED), V(DNS), V(UNEXPECTED).
      type: str
      sample: REDIRECT
    ok:
      description: Whether the verdict is V(OK).
      type: bool
      sample: false
    reason:
      description: What happened and what it means for the platform's call.
      type: str
      sample: >-
        http://shop.example.com/payment/systempay/ipn answers 301 Moved Permanently
        (Location: https://shop.example.com/payment/systempay/ipn): the platform does not follow redirects ...
    fix:
      description: What to do.
      type: str
      sample: Declare https://shop.example.com/payment/systempay/ipn instead of ... Checked - it answers correctly.
    status:
      description: HTTP status of the POST, V(null) without an answer.
      type: int
      sample: 200
    elapsed:
      description: Seconds the POST took.
      type: float
      sample: 0.084
    location:
      description: Location of a redirect (made absolute), else V(null).
      type: str
      sample: https://shop.example.com/payment/systempay/ipn
    get_status:
      description: HTTP status of the GET, V(null) when not sent or unanswered.
      type: int
      sample: 405
    answer:
      description: The POST's answer on one line (HTML tags dropped), at most 200 characters.
      type: str
      sample: Bad request received.
    error:
      description: Without an HTTP answer - V(dns), V(refused), V(unreachable), V(timeout), V(tls), V(closed), V(network).
      type: str
      sample: null
    signed:
      description: Whether the test notification was signed.
      type: bool
      sample: true
    order_ref:
      description: Order reference of the test notification (to find it in the shop's logs).
      type: str
      sample: systempay-probe-5f0c2a9e1b7d43a8c6e2f190
    addon_line:
      description: Addon line expected from O(expect_generation), V(null) when not given.
      type: str
      sample: "3"
    matches_stored_notify_url:
      description: Whether RV(probes[].notify_url) is the addon's stored URL; V(null) without O(expected_notify_url).
      type: bool
      sample: false
    matches_web_base_url:
      description: Whether C(web.base.url) leads to RV(probes[].notify_url); V(null) without O(web_base_url).
      type: bool
      sample: true
    platform_reachable:
      description:
        - V(false) when the address cannot be reached by the payment platform whatever the probe saw - it names the
          probing machine itself (loopback, C(localhost)) or an address that is not public (private, link-local,
          reserved); the verdict then only says whether the route answers as the addon's. V(null) otherwise (a
          probe from the controller cannot prove the platform's reach). RV(probes[].notes) says why.
      type: bool
      sample: null
    redirect_check:
      description: For a redirect to the route, C(probe_url), C(verdict), C(status) and C(reason) of the Location; else V(null).
      type: dict
      sample: {"probe_url": "https://shop.example.com/payment/systempay/ipn", "verdict": "OK", "status": 200,
               "reason": "..."}
    notes:
      description: Remarks that do not change the verdict (stored URL or web.base.url differing, unknown answer text).
      type: list
      elements: str
      sample: []
databases:
  description:
    - With O(odoo), one entry a database read, in the order of O(odoo.databases); else an empty list.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Database.
      type: str
      sample: shop1
    web_base_url:
      description: Its C(web.base.url) system parameter (V(null) when unset).
      type: str
      sample: https://shop1.example.com
    local:
      description:
        - Whether RV(databases[].web_base_url) names only the machine itself (C(localhost), a loopback address), as
          a fresh database's C(http://localhost:8069) does - never an address the platform can call.
      type: bool
      sample: false
    module_state:
      description: State of C(payment_<brand>) in the database, V(null) when the database does not list it.
      type: str
      sample: installed
    installed:
      description: Whether C(payment_<brand>) is installed there.
      type: bool
      sample: true
    notify_url:
      description: The notification URL the addon stored at install (C(<brand>_notify_url)), V(null) when none.
      type: str
      sample: http://localhost:8069/payment/systempay/ipn
host_facts:
  description:
    - With O(odoo), what O(host_facts) expects, read on the host - C(series), C(databases) (as the service lists
      them; V(null) when it does not), C(dbfilter), C(db_name), C(installed_in) (V(null) unless every listed
      database was read), C(web_base_urls), C(notify_urls); else V(null).
  returned: always
  type: dict
  sample: {"series": "16.0", "databases": ["shop1", "shop2"], "dbfilter": "", "db_name": null,
           "installed_in": ["shop1"], "web_base_urls": {"shop1": "https://shop1.example.com"},
           "notify_urls": {"shop1": "https://shop1.example.com/payment/systempay/ipn"}}
failed_count:
  description: Number of probes whose verdict is not V(OK).
  returned: always
  type: int
  sample: 1
ok:
  description: Whether every probe is V(OK).
  returned: always
  type: bool
  sample: false
'''

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import ipn_http
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_notify
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_options
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_shops
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_verdicts
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_host
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule

# Options a shop entry may set for itself; the task's value is the default.
SHOP_KEYS = ('brand', 'key', 'algo', 'mode', 'site_id', 'signed', 'expect_generation', 'host_facts',
             'expected_notify_url', 'web_base_url')


def read_host(module):
    """``(databases, host_facts)`` read from the Odoo of this host (the ``odoo`` option); fails the task."""
    options = module.params['odoo']
    brand = module.params['brand']
    host, odoo, url, secrets = odoo_host.open_odoo(module, options)
    listed, reason = odoo_host.server_databases(host, odoo, url, min(options['timeout'], 30))
    candidates = listed if listed is not None else [name for name in options['databases'] if name != 'all']
    incompatible = odoo_host.incompatible_databases(module, host, odoo, candidates)
    names, error = transport.choose_databases(options['databases'], listed, reason, incompatible, host.series)
    if error:
        module.fail_json(msg=error.replace('name them in databases', 'name them in odoo.databases'))
    databases = []
    for db in names:
        # the gather stage's read of that database, when no step changed it since (playbooks/site.yml)
        state = host.state(db, ['payment_%s' % brand])
        if state is not None:
            databases.append(ipn_shops.shop_from_state(state, db, brand))
            continue
        try:
            databases.append(ipn_shops.read_shop(odoo, db, brand, host.series))
        except transport.TransportError as exc:
            module.fail_json(msg=transport.mask('Cannot read the shop of database %s: %s' % (db, to_native(exc)),
                                                secrets), databases=databases)
    return databases, ipn_shops.host_facts(host.series, listed, host.option('dbfilter'), host.option('db_name'),
                                           databases, incompatible, names)


def shops_of(params):
    """Every shop to probe, as dicts with every setting filled from the task's options."""
    shops = []
    for url in params['urls']:
        shops.append(dict((name, params[name]) for name in SHOP_KEYS))
        shops[-1]['url'] = url
    for given in params['shops']:
        shop = dict((name, params[name]) for name in SHOP_KEYS)
        shop.update((name, value) for name, value in given.items() if value is not None)
        shops.append(shop)
    return shops


def check(shop):
    """Refuse, before any request, what cannot be probed (raises ipn_notify.IpnError)."""
    where = ipn_notify.target(shop['url'], shop['brand'])
    if shop['signed'] and not shop['key']:
        raise ipn_notify.IpnError('Cannot sign the test notification for %s: give key (the shop\'s test or '
                                  'production key)' % where['url'])
    ipn_notify.addon_family(shop['expect_generation'] or (shop['host_facts'] or {}).get('series'))
    for name in ('expected_notify_url', 'web_base_url'):
        if shop[name] and not ipn_notify.is_full_url(shop[name]):
            raise ipn_notify.IpnError('Cannot compare with %s %r: not a full URL' % (name, shop[name]))


def main():
    module = CollectionModule(argument_spec=ipn_options.argument_spec(), required_one_of=ipn_options.REQUIRED_ONE_OF,
                              supports_check_mode=True)
    params = module.params
    if 'POST' not in params['methods']:
        module.fail_json(msg='Cannot probe without POST: the platform POSTs its notifications (methods must hold POST)')
    if params['timeout'] < 1:
        module.fail_json(msg='Cannot probe with timeout %d: give at least 1 second' % params['timeout'])
    if params['concurrency'] < 1:
        module.fail_json(msg='Cannot probe with concurrency %d: give at least 1' % params['concurrency'])
    shops = shops_of(params)
    if not shops and not params['odoo']:
        module.fail_json(msg='Cannot probe: urls and shops are both empty')
    for shop in shops:
        try:
            check(shop)
        except ipn_notify.IpnError as exc:
            module.fail_json(msg=to_native(exc))
    databases, facts = read_host(module) if params['odoo'] else ([], None)
    if facts is not None:
        shop_facts = facts
        try:
            ipn_notify.addon_family(facts['series'])
        except ipn_notify.IpnError:    # a series the generation table does not know: probe without it
            shop_facts = dict(facts, series=None)
        for shop in shops:
            shop['host_facts'] = shop['host_facts'] or shop_facts
    probes = ipn_http.probe_many(shops, params['concurrency'], timeout=params['timeout'], methods=params['methods'],
                                 validate_certs=params['validate_certs'], ca_path=params['ca_path'])
    failing = [entry for entry in probes if not entry['ok']]
    result = dict(changed=False, probes=probes, failed_count=len(failing), ok=not failing, databases=databases,
                  host_facts=facts)
    if failing and params['fail_on_error']:
        module.fail_json(msg='Cannot receive payment notifications at %d of %d shops: %s'
                         % (len(failing), len(probes), ' | '.join(ipn_verdicts.summary(probes))), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
