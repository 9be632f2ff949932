# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The payment provider settings: schema, validation, and their translation to a generation's fields.

Pure helpers (no AnsibleModule, no I/O) for the ``payment_provider`` module. The
settings are one brand- and version-neutral structure (:data:`SETTINGS_SPEC`,
documented in docs/provider-settings.md); :func:`generations.provider_facts` says
which field of which model holds each one on an Odoo series. Sources:

* the vendor's integration guide section 6 (every setting, its meaning and its
  allowed values) and section 9 (production needs the production key);
* ground truth section 4 (field names and selections measured on 16 + 3.1.1:
  ``<brand>_sign_algo`` ``SHA-1``/``SHA-256``, ``<brand>_validation_mode``
  ``-1``/``0``/``1``, ``<brand>_redirect_enabled`` ``0``/``1``, the 13 language
  codes, the entry modes) and section 7 (Odoo 15 has no publish field:
  publishing is ``state = enabled``);
* Odoo's ``html`` fields are sanitized on write (``odoo/tools/mail.py``
  ``html_sanitize`` wraps a plain text in ``<p>``): messages are compared with
  that wrapping ignored, so a second run does not rewrite them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import decimal
import difflib
import re

from ansible_collections.systempay.odoo.plugins.module_utils import releases

MASK = '********'

# The 13 payment page languages of the addon (ground truth 4, ``<brand>_language`` selection).
LANGUAGES = ('cn', 'de', 'es', 'en', 'fr', 'it', 'jp', 'nl', 'pl', 'pt', 'ru', 'sv', 'tr')
SIGN_ALGOS = {'SHA-1': 'SHA-1', 'HMAC-SHA-256': 'SHA-256'}
VALIDATION_MODES = {'backoffice': '-1', 'automatic': '0', 'manual': '1'}
# The neutral entry mode spellings, and the 3.1.x ones accepted as their synonyms (module_utils/releases.py maps
# them to the spelling of the release in place).
ENTRY_MODES = releases.ENTRY_MODES + tuple(sorted(releases.ENTRY_MODE_SYNONYMS))
TIMEOUT_MAX = 300

_SECRET = dict(type='str', no_log=True)

# Suboptions of ``settings`` (and of each ``overrides[].settings``). Nothing has a default: a setting left out is
# left as the database has it.
SETTINGS_SPEC = dict(
    title=dict(type='str'),
    website=dict(type='str'),
    mode=dict(type='str', choices=['test', 'production']),
    published=dict(type='bool'),
    shop_id=dict(type='str'),
    key_test=dict(_SECRET),
    key_production=dict(_SECRET),
    sign_algo=dict(type='str', choices=sorted(SIGN_ALGOS)),
    gateway_url=dict(type='str'),
    language=dict(type='str', choices=list(LANGUAGES)),
    available_languages=dict(type='list', elements='str'),
    capture_delay=dict(type='raw'),
    validation_mode=dict(type='str', choices=sorted(VALIDATION_MODES)),
    card_types=dict(type='list', elements='str'),
    threeds_min_amount=dict(type='raw'),
    redirect=dict(type='dict', options=dict(
        enabled=dict(type='bool'),
        success_timeout=dict(type='int'),
        success_message=dict(type='str'),
        error_timeout=dict(type='int'),
        error_message=dict(type='str'),
    )),
    return_mode=dict(type='str', choices=['GET', 'POST']),
    messages=dict(type='dict', options=dict(
        pre=dict(type='str'),
        pending=dict(type='str'),
        auth=dict(type='str'),
        done=dict(type='str'),
        cancel=dict(type='str'),
        error=dict(type='str'),
    )),
    journal=dict(type='str'),
    specific_countries=dict(type='list', elements='str'),
    payment_icons=dict(type='list', elements='str'),
    rest=dict(type='dict', options=dict(
        test_password=dict(_SECRET),
        prod_password=dict(_SECRET),
        public_test_key=dict(_SECRET),
        public_production_key=dict(_SECRET),
        sha256_test_key=dict(_SECRET),
        sha256_prod_key=dict(_SECRET),
    )),
    entry_mode=dict(type='str', choices=list(ENTRY_MODES)),
    embedded_form=dict(type='dict', options=dict(
        pop_in=dict(type='bool'),
        theme=dict(type='str', choices=list(releases.THEMES)),
        compact_mode=dict(type='bool'),
        payment_attempts=dict(type='raw'),
    )),
    # the second provider record, <brand>multi (payment in installments, from addon 1.2.0)
    installments=dict(type='dict', options=dict(
        count=dict(type='int'),
        period=dict(type='int'),
        first=dict(type='raw'),
        mode=dict(type='str', choices=['test', 'production']),
        published=dict(type='bool'),
    )),
)

# Setting paths whose values are secrets: never returned, masked in diffs.
SECRET_PATHS = ('key_test', 'key_production', 'rest.test_password', 'rest.prod_password', 'rest.public_test_key',
                'rest.public_production_key', 'rest.sha256_test_key', 'rest.sha256_prod_key')

# The REST keys the embedded form needs, per mode (the vendor's Back Office guide, "Clés des API REST et formulaires
# en mode embarqué": the password for the REST calls that create the form, the public key that builds it in the
# buyer's browser, the HMAC-SHA-256 key that checks what it sends back).
EMBEDDED_KEYS = {
    'test': ('rest.test_password', 'rest.public_test_key', 'rest.sha256_test_key'),
    'production': ('rest.prod_password', 'rest.public_production_key', 'rest.sha256_prod_key'),
}

# The installments record (``<brand>multi``) is a provider record of its own, with its own shop id and keys: it takes
# these settings of the shop from ``settings`` (the same shop), and its count, period, first payment, mode and publish
# flag from ``settings.installments``.
INSTALLMENTS_SHOP_PATHS = ('shop_id', 'key_test', 'key_production', 'sign_algo')
INSTALLMENTS_PREFIX = 'installments.'

# Settings whose value is a record of another model, found by name or code.
RELATIONS = ('website', 'journal', 'specific_countries', 'payment_icons', 'card_types', 'available_languages')

_SHOP_ID_RE = re.compile(r'^\d{8}$')
_CARD_RE = re.compile(r'^[A-Z0-9][A-Z0-9_-]*$')
_COUNTRY_RE = re.compile(r'^[A-Z]{2}$')
_URL_RE = re.compile(r'^https?://[^\s/?#]+(/[^\s]*)?$')
_P_RE = re.compile(r'^<p>(?P<inner>(?:(?!</?p[\s>]).)*)</p>$', re.S)


class SettingsError(ValueError):
    """A setting with a value that cannot be used; ``str()`` names the setting."""


# -- the schema ----------------------------------------------------------------------------------
def _paths(spec, prefix=''):
    for name in sorted(spec):
        options = spec[name].get('options')
        if options:
            yield from _paths(options, prefix + name + '.')
        else:
            yield prefix + name


SETTING_PATHS = tuple(_paths(SETTINGS_SPEC))


def flatten(settings, prefix=''):
    """``{path: value}`` of the settings given (None values, meaning "left out", dropped)."""
    flat = {}
    for name, value in (settings or {}).items():
        path = prefix + name
        spec = _spec_of(path)
        if spec is not None and spec.get('options') and isinstance(value, dict):
            flat.update(flatten(value, path + '.'))
        elif value is not None:
            flat[path] = value
    return flat


def _spec_of(path):
    spec = {'options': SETTINGS_SPEC}
    for part in path.split('.'):
        spec = (spec.get('options') or {}).get(part)
        if spec is None:
            return None
    return spec


def closest(path):
    """The known setting path closest to a misspelt ``path`` (None when nothing is close)."""
    matches = difflib.get_close_matches(path, SETTING_PATHS, n=1, cutoff=0.6)
    if not matches:
        leaf = path.rsplit('.', 1)[-1]
        by_leaf = dict((known.rsplit('.', 1)[-1], known) for known in SETTING_PATHS)
        leaves = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)
        matches = [by_leaf[leaves[0]]] if leaves else []
    return matches[0] if matches else None


def unknown_settings(settings, where='settings'):
    """``[(where.path, value, suggestion)]`` for each name of ``settings`` the schema does not know."""
    found = []

    def walk(value, spec, prefix):
        if not isinstance(value, dict):
            return
        for name in sorted(value, key=str):
            path = prefix + str(name)
            sub = spec.get(name) if isinstance(spec, dict) else None
            if sub is None:
                found.append(('%s.%s' % (where, path), value[name], closest(path)))
            elif sub.get('options'):
                walk(value[name], sub['options'], path + '.')
    walk(settings, SETTINGS_SPEC, '')
    return found


def unknown_message(unknown):
    """The failure message for :func:`unknown_settings` results (values never shown)."""
    parts = []
    for path, _value, suggestion in unknown:
        if suggestion:
            parts.append('%s (did you mean %s%s?)' % (path, _where_prefix(path), suggestion))
        else:
            parts.append('%s (no known setting is close; see docs/provider-settings.md)' % path)
    return 'Cannot configure the payment provider: unknown setting%s %s' % (
        's' if len(parts) > 1 else '', ', '.join(parts))


def _where_prefix(path):
    """``settings.`` or ``overrides[shop2].settings.`` of a full path."""
    index = path.find('settings.')
    return path[:index + len('settings.')] if index >= 0 else ''


def secret_values(flat):
    """The secret values among flattened settings."""
    return [str(flat[path]) for path in SECRET_PATHS if flat.get(path) not in (None, '')]


def merge(base, override):
    """``base`` settings with ``override`` (partial, same shape) laid over it; None in ``override`` keeps ``base``."""
    result = copy.deepcopy(base or {})
    for name, value in (override or {}).items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name] = merge(result[name], value)
        else:
            result[name] = copy.deepcopy(value)
    return result


# -- validation ------------------------------------------------------------------------------------
def _amount_text(value, path):
    if isinstance(value, bool):
        raise SettingsError('%s must be a non-negative amount, not %r' % (path, value))
    try:
        amount = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise SettingsError('%s must be a non-negative amount, not %r' % (path, value))
    if not amount.is_finite() or amount < 0:
        raise SettingsError('%s must be a non-negative amount, not %r' % (path, value))
    return format(amount.normalize(), 'f')


def _days_text(value, path):
    if isinstance(value, bool) or not re.match(r'^\s*\d{1,4}\s*$', str(value)):
        raise SettingsError('%s must be a number of days (0 or more), or empty to use the Back Office '
                            'setting, not %r' % (path, value))
    return str(int(str(value).strip()))


def _percent_text(value, path):
    text = None
    if not isinstance(value, bool):
        try:
            amount = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            amount = None
        if amount is not None and amount.is_finite() and 0 < amount < 100:
            text = format(amount.normalize(), 'f')
    if text is None:
        raise SettingsError('%s must be the first payment as a percentage of the total, above 0 and below 100, or '
                            'empty for equal installments, not %r' % (path, value))
    return text


def split_installments(flat):
    """``(provider settings, installments record settings)`` of flattened settings: the second is None when
    ``installments`` is not given; otherwise it holds ``mode``/``published`` and ``installments.count``/``period``/
    ``first`` from ``installments``, and the shop's id, keys and signature algorithm from ``settings``."""
    main = dict((path, value) for path, value in flat.items() if not path.startswith(INSTALLMENTS_PREFIX))
    given = dict((path, value) for path, value in flat.items() if path.startswith(INSTALLMENTS_PREFIX))
    if not given:
        return main, None
    multi = dict((path, flat[path]) for path in INSTALLMENTS_SHOP_PATHS if path in flat)
    for path, value in given.items():
        name = path[len(INSTALLMENTS_PREFIX):]
        multi[name if name in ('mode', 'published') else path] = value
    return main, multi


def _attempts_text(value, path):
    if isinstance(value, bool) or not re.match(r'^\s*\d{1,2}\s*$', str(value)):
        raise SettingsError('%s must be a number of extra payment attempts (0 to 99), or empty to use the Back '
                            'Office setting, not %r' % (path, value))
    return str(int(str(value).strip()))


def check(flat, where='settings', ipn_probe_passed=None):
    """Errors of flattened settings for one database, each naming the setting (empty when none).

    Everything that can be checked without Odoo: formats, ranges, the keys the mode needs (guide 6.1, 9), and
    production refused when the IPN probe failed.
    """
    errors = []

    def err(path, text):
        errors.append('%s.%s %s' % (where, path, text))

    shop_id = flat.get('shop_id')
    if shop_id is not None and not _SHOP_ID_RE.match(str(shop_id)):
        err('shop_id', 'must be the 8 digits of the shop id (Back Office: Settings > Shop > Keys), not %r'
            % (shop_id,))
    for path in SECRET_PATHS:
        if path in flat and not str(flat[path]).strip():
            err(path, 'is empty (leave it out to keep the value the database has)')
    mode = flat.get('mode')
    if mode == 'test' and not str(flat.get('key_test') or '').strip():
        err('key_test', 'is required with mode test (the key of the mode in use)')
    if mode == 'production':
        if not str(flat.get('key_production') or '').strip():
            err('key_production', 'is required with mode production (guide section 9: fill in the production key, '
                'then switch to production)')
        if ipn_probe_passed is False:
            err('mode', 'production is refused: the IPN probe of this shop did not pass (ipn_probe_passed is false)')
    for path in ('redirect.success_timeout', 'redirect.error_timeout'):
        value = flat.get(path)
        if value is not None and not 0 <= int(value) <= TIMEOUT_MAX:
            err(path, 'must be between 0 and %d seconds, not %r' % (TIMEOUT_MAX, value))
    for path, check_value in (('threeds_min_amount', _amount_text), ('capture_delay', _days_text),
                              ('embedded_form.payment_attempts', _attempts_text)):
        value = flat.get(path)
        if value is not None and value != '':
            try:
                check_value(value, path)
            except SettingsError as exc:
                errors.append('%s.%s' % (where, exc))
    for code in flat.get('available_languages') or []:
        if code not in LANGUAGES:
            err('available_languages', 'has %r, not one of %s' % (code, ', '.join(LANGUAGES)))
    for code in flat.get('card_types') or []:
        if not _CARD_RE.match(str(code)):
            err('card_types', 'has %r, not a card code (upper case, like CB, VISA, MASTERCARD)' % (code,))
    for code in flat.get('specific_countries') or []:
        if not _COUNTRY_RE.match(str(code)):
            err('specific_countries', 'has %r, not a two-letter upper-case country code (FR, BE...)' % (code,))
    url = flat.get('gateway_url')
    if url is not None and url != '' and not _URL_RE.match(url):
        err('gateway_url', 'must be an http(s) URL like https://paiement.systempay.fr/vads-payment/, not %r' % (url,))
    for path in ('title',):
        if path in flat and not str(flat[path]).strip():
            err(path, 'is empty')
    errors.extend(_check_installments(flat, where, ipn_probe_passed))
    return errors


def _check_installments(flat, where, ipn_probe_passed):
    errors = []
    count = flat.get('installments.count')
    if count is not None and count < 2:
        errors.append('%s.installments.count must be 2 or more (the number of installments), not %r' % (where, count))
    period = flat.get('installments.period')
    if period is not None and period < 1:
        errors.append('%s.installments.period must be 1 or more (days between two installments), not %r'
                      % (where, period))
    first = flat.get('installments.first')
    if first is not None and first != '':
        try:
            _percent_text(first, 'installments.first')
        except SettingsError as exc:
            errors.append('%s.%s' % (where, exc))
    mode = flat.get('installments.mode')
    # the installments record is signed with the shop's key of its own mode, which it takes from settings
    if mode == 'test' and not str(flat.get('key_test') or '').strip():
        errors.append('%s.key_test is required with installments.mode test (the installments record takes the '
                      'shop\'s keys from settings)' % where)
    if mode == 'production':
        if not str(flat.get('key_production') or '').strip():
            errors.append('%s.key_production is required with installments.mode production (the installments '
                          'record takes the shop\'s keys from settings)' % where)
        if ipn_probe_passed is False:
            errors.append('%s.installments.mode production is refused: the IPN probe of this shop did not pass '
                          '(ipn_probe_passed is false)' % where)
    return errors


def check_url(url):
    """Error message of a ``web_base_url`` (None when it is fine)."""
    if not _URL_RE.match(url or '') or '?' in url or '#' in url:
        return 'web_base_url must be the public URL of the shop, like https://shop.example.com, not %r' % (url,)
    return None


def unavailable(flat, facts, where='settings'):
    """Errors for settings the host's Odoo series, or the addon release of ``facts``, has no field for (REST keys on
    3.0.x, the gateway URL on 3.1.x...), each naming the releases that have it."""
    errors = []
    addon_paths = releases.all_setting_paths()
    found = facts.get('release')
    for path in sorted(flat):
        # the installments record's mode and publish flag are there when the release has that record (its count)
        lookup = 'installments.count' if path in ('installments.mode', 'installments.published') else path
        if lookup not in facts['fields'] or facts['fields'][lookup] is not None:
            continue
        if lookup in addon_paths and found:
            errors.append('%s.%s is not a setting of addon release %s%s (releases that have it: %s)' % (
                where, path, found['version'],
                '' if found['exact'] else ' (judged as %s, the newest public release before it)' % found['release'],
                releases.releases_with(lookup)))
        elif lookup in addon_paths:
            errors.append('%s.%s is not a setting of any addon release made for Odoo %s (releases that have it: %s)'
                          % (where, path, facts['series_major'], releases.releases_with(lookup)))
        else:
            errors.append('%s.%s is not available on Odoo %s: this Odoo series has no field for it'
                          % (where, path, facts['series_major']))
    if 'published' in flat and flat['published'] and facts['publish_field'] is None \
            and flat.get('mode') is None:
        errors.append('%s.mode is required with published on Odoo %s (publishing is state = enabled or test there)'
                      % (where, facts['series_major']))
    if flat.get('installments.published') and facts['publish_field'] is None \
            and flat.get('installments.mode') is None:
        errors.append('%s.installments.mode is required with installments.published on Odoo %s (publishing is '
                      'state = enabled or test there)' % (where, facts['series_major']))
    return errors


def installments_summary(managed, mode, published):
    """What the report says of the installments record: ``test, not published`` when the settings manage it,
    ``not managed (test, not published)`` when they leave it as it is (``not managed`` alone when not read)."""
    status = '%s, %s' % (mode, 'published' if published else 'not published') if mode else None
    if managed:
        return status or 'set'
    return 'not managed (%s)' % status if status else 'not managed'


def missing_embedded_keys(mode, flat, stored):
    """The setting paths of the REST keys the embedded form needs in ``mode`` (test or production) that ``flat``
    does not give and the database does not hold (``stored``: the paths set there)."""
    return [path for path in EMBEDDED_KEYS.get(mode, ())
            if not str(flat.get(path) or '').strip() and path not in stored]


def keys_set(facts, record):
    """The setting paths of the REST keys the provider ``record`` (field values, or digests) holds a value for."""
    paths = set(path for paths in EMBEDDED_KEYS.values() for path in paths)
    return set(path for path in paths if facts['fields'].get(path) and record.get(facts['fields'][path]))


def embedded_keys_error(entry_mode, mode, missing, dbs, where='settings'):
    """The refusal of an embedded entry mode asked for without the REST keys it needs (``missing``) in the
    databases ``dbs`` (a name or a list)."""
    dbs = [dbs] if isinstance(dbs, str) else list(dbs)
    return ('%s.entry_mode %s needs the REST keys of mode %s, which the embedded form is built with: %s %s not given '
            'and not set in database%s %s; give %s, or leave entry_mode out (or set it to redirect)'
            % (where, entry_mode, mode, ', '.join('%s.%s' % (where, path) for path in missing),
               'is' if len(missing) == 1 else 'are', 's' if len(dbs) > 1 else '', ', '.join(dbs),
               'it' if len(missing) == 1 else 'them'))


def fresh_install_note(version, entry_mode, mode, missing):
    """What the report says when a fresh install's embedded form is switched to redirect for want of REST keys."""
    return ('entry mode set to redirect: the fresh install of %s started with %s, which needs the REST keys of mode '
            '%s (%s not given); give them with settings.entry_mode to keep the embedded form'
            % (version, entry_mode, mode, ', '.join('settings.' + path for path in missing)))


# -- fields ----------------------------------------------------------------------------------------
def secret_fields(facts):
    """The field names of the secret settings (the keys) on the generation of ``facts``."""
    return set(facts['fields'][path] for path in SECRET_PATHS if facts['fields'].get(path))


def needed_fields(flat, facts):
    """``{field: setting path}`` of every field the settings touch (mode and publish fields included)."""
    needed = {}
    for path in flat:
        if path in ('mode', 'published'):
            continue
        field = facts['fields'].get(path)
        if field:
            needed[field] = path
    if 'specific_countries' in flat and facts['fields'].get('specific_countries_flag'):
        needed[facts['fields']['specific_countries_flag']] = 'specific_countries'
    if 'mode' in flat or 'published' in flat:
        needed[facts['mode_field']] = 'mode'
    if 'published' in flat and facts['publish_field']:
        needed[facts['publish_field']] = 'published'
    return needed


def missing_fields(needed, described, facts):
    """Errors for fields the table expects and the host's ``fields_get`` does not have."""
    errors = []
    for field in sorted(needed):
        if field not in described:
            errors.append('field %s (setting %s) is missing from %s on this host (Odoo %s, addon line %s.x): '
                          'a generation this collection has not met' % (
                              field, needed[field], facts['model'], facts['series_major'], facts['line']))
    return errors


def state_values(flat, facts, current_state=None):
    """``{field: value}`` for ``mode``/``published`` on this generation.

    <= 12: ``environment`` ``test``/``prod`` and ``website_published``; 13-15 (no publish field): ``state``
    ``test`` (mode test), ``enabled`` (production), ``disabled`` (published false); 16+: ``state`` ``test``/
    ``enabled`` and ``is_published``.
    """
    mode = flat.get('mode')
    published = flat.get('published')
    values = {}
    if facts['mode_field'] == 'environment':
        if mode:
            values['environment'] = 'test' if mode == 'test' else 'prod'
    elif facts['publish_field'] is None:
        if published is False:
            values['state'] = 'disabled'
        elif mode:
            values['state'] = 'test' if mode == 'test' else 'enabled'
        elif published and current_state == 'disabled':
            raise SettingsError('settings.mode is required to publish a disabled provider on Odoo %s'
                                % facts['series_major'])
        return values
    elif mode:
        values['state'] = 'test' if mode == 'test' else 'enabled'
    if published is not None and facts['publish_field']:
        values[facts['publish_field']] = bool(published)
    return values


def status(values, facts):
    """``(mode, published)`` of a provider record whose mode and publish fields hold ``values``.

    ``mode`` is ``test``, ``production`` (``environment=prod`` up to 12, ``state=enabled`` from 13) or ``disabled``
    (``state=disabled``, 13+), None when the mode field is not in ``values``; ``published`` is the publish field,
    or on 13-15 (no publish field) whether ``state`` is not ``disabled``; None when unknown.
    """
    value = values.get(facts['mode_field'])
    if facts['mode_field'] == 'environment':
        mode = {'test': 'test', 'prod': 'production'}.get(value)
    else:
        mode = {'test': 'test', 'enabled': 'production', 'disabled': 'disabled'}.get(value)
    if facts['publish_field']:
        published = bool(values[facts['publish_field']]) if facts['publish_field'] in values else None
    else:
        published = None if mode is None else mode != 'disabled'
    return mode, published


def plain_value(path, value, form=None):
    """The field value (before relations are resolved) of a non-relational setting; ``form`` (``smartform`` or
    ``embedded``, the release's embedded form) spells the entry mode and the form's options."""
    if path == 'sign_algo':
        return SIGN_ALGOS[value]
    if path == 'validation_mode':
        return VALIDATION_MODES[value]
    if path == 'redirect.enabled':
        return '1' if value else '0'
    if path in ('redirect.success_timeout', 'redirect.error_timeout'):
        return str(int(value))
    if path == 'threeds_min_amount':
        return _amount_text(value, path) if value != '' else False
    if path == 'capture_delay':
        return _days_text(value, path) if value != '' else False
    if path == 'embedded_form.payment_attempts':
        return _attempts_text(value, path) if value != '' else False
    if path in ('installments.count', 'installments.period'):
        return str(int(value))
    if path == 'installments.first':
        return _percent_text(value, path) if value != '' else False
    if path == 'entry_mode' and form:
        return releases.FORM_VALUES[form]['entry_mode'][releases.ENTRY_MODE_SYNONYMS.get(value, value)]
    if path in ('embedded_form.pop_in', 'embedded_form.compact_mode') and form:
        return releases.FORM_VALUES[form][path][bool(value)]
    if value == '':
        return False
    return value


# -- comparing -------------------------------------------------------------------------------------
def normalize(value, ftype):
    """A value as read or as wanted, in a form where equal means "nothing to write"."""
    if ftype == 'many2one':
        if isinstance(value, (list, tuple)):
            value = value[0] if value else False
        return value or False
    if ftype in ('many2many', 'one2many'):
        return tuple(sorted(value or ()))
    if ftype == 'boolean':
        return bool(value)
    if value in (None, False, ''):
        return False
    if ftype == 'html':
        text = str(value).strip()
        match = _P_RE.match(text)
        return match.group('inner').strip() if match else text
    return str(value) if not isinstance(value, str) else value


def write_value(value, ftype):
    """The value to give ``write()`` (x2many as one ``(6, 0, ids)`` command; never None over XML-RPC)."""
    if ftype in ('many2many', 'one2many'):
        return [(6, 0, list(value or ()))]
    if ftype == 'boolean':
        return bool(value)
    return value if value not in (None, '') else False


def shown(value, ftype, secret, labels=None):
    """A value for a diff: secrets masked; a relation by the name or code ``labels`` (``{id: label}``) has for it,
    else by its id."""
    if secret:
        return MASK if value else ''
    norm = normalize(value, ftype)
    labels = labels or {}
    if ftype in ('many2many', 'one2many'):
        return [labels.get(item, item) for item in norm]
    if ftype == 'many2one' and norm:
        return labels.get(norm, norm)
    return norm


def differences(current, target, types, secrets=(), labels=None):
    """``(changed_fields, before, after)`` for the fields whose target differs from the current value; ``labels``
    (``{field: {id: label}}``) names the records a relational field holds."""
    changed = []
    before = {}
    after = {}
    for field in sorted(target):
        ftype = types.get(field)
        if normalize(current.get(field), ftype) == normalize(target[field], ftype):
            continue
        changed.append(field)
        secret = field in secrets
        named = (labels or {}).get(field)
        before[field] = shown(current.get(field), ftype, secret, named)
        after[field] = MASK + ' (changed)' if secret else shown(target[field], ftype, False, named)
    return changed, before, after
