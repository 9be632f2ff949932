# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one table of Odoo series, payment addon lines and model/field names.

Every module and role of the collection asks this file which addon line fits an
Odoo series and which model and fields that series uses. Never keep a second
copy of these facts anywhere else.

Sources (see docs/architecture.md and the ground-truth page):

* addon lines and their declared ranges (``CMS_IDENTIFIER``): the vendor's code,
  ground truth section 1; the modules a line needs without declaring them
  (``requires``): see the comment of ``ADDON_LINES``;
* ``payment.acquirer`` up to Odoo 15, ``payment.provider`` from 16 (type field
  ``provider`` then ``code``): ground truth sections 1, 4 and 7;
* mode field ``environment`` (``test``/``prod``) up to 12, ``state``
  (``disabled``/``enabled``/``test``) from 13: ground truth section 1;
* publish field: ``website_published`` up to 12 (ground truth 4), none on 13 and
  14 (Odoo 14 ``addons/payment/models/payment_acquirer.py`` defines ``state``
  and no publish flag) nor on 15 (ground truth 7: publishing is
  ``state = enabled``), ``is_published`` from 16 (ground truth 4).
* provider record xml ids ``payment_<brand>.payment_acquirer_<brand>`` (1.x, 2.x)
  and ``payment_<brand>.payment_provider_<brand>`` (3.x, 4.x): ground truth 4 and
  7, the vendor data files (tests/fixtures/addons/README.md);
* the field of each ``payment_provider`` setting (:func:`provider_fields`): see
  the comments of ``_CORE_FIELD_ROWS`` and ``_ADDON_FIELDS`` and
  docs/provider-settings.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.systempay.odoo.plugins.module_utils import releases

# Addon lines, oldest first. ``first``/``last`` are Odoo major versions, both included.
# ``requires``: Odoo modules the line needs in a database although its manifest does not declare them (every line
# says ``depends: ['payment']``), so Odoo does not install them first and the install fails. Only what is known:
# 3.x - ground truth section 3 (measured: without ``account``, ``-i`` exits 255 with ``TypeError: Model
#       'account.payment.method' does not exist in registry.``);
# 4.x - the vendor's code (lyra/plugin-odoo, tags v4.0.0 to v4.3.0): the manifest still says ``depends:
#       ['payment']`` and ``models/__init__.py`` still imports the ``account.payment.method`` extension
#       (``_inherit = 'account.payment.method'``) that makes 3.1.1 fail; that model is the ``account`` module's.
# 1.x, 2.x - nothing recorded.
ADDON_LINES = (
    {'line': '1', 'range': 'Odoo_10-14', 'first': 10, 'last': 14, 'requires': ()},
    {'line': '2', 'range': 'Odoo_15', 'first': 15, 'last': 15, 'requires': ()},
    {'line': '3', 'range': 'Odoo_16', 'first': 16, 'last': 16, 'requires': ('account',)},
    {'line': '4', 'range': 'Odoo_17-19', 'first': 17, 'last': 19, 'requires': ('account',)},
)

# Model and field names by Odoo major version: each row holds from ``since`` up
# to the next row. Any field name may be None when the series has no such field.
_MODEL_ROWS = (
    {'since': 10, 'model': 'payment.acquirer', 'type_field': 'provider',
     'mode_field': 'environment', 'mode_values': ('test', 'prod'),
     'publish_field': 'website_published'},
    {'since': 13, 'model': 'payment.acquirer', 'type_field': 'provider',
     'mode_field': 'state', 'mode_values': ('disabled', 'enabled', 'test'),
     'publish_field': None},
    {'since': 16, 'model': 'payment.provider', 'type_field': 'code',
     'mode_field': 'state', 'mode_values': ('disabled', 'enabled', 'test'),
     'publish_field': 'is_published'},
)

SUPPORTED_MAJORS = tuple(range(ADDON_LINES[0]['first'], ADDON_LINES[-1]['last'] + 1))

_RANGE_RE = re.compile(r'^\s*(?P<brand>[A-Za-z][A-Za-z0-9]*_)?Odoo_(?P<first>\d{1,2})(?:-(?P<last>\d{1,2}))?\s*$')
_SERIES_RE = re.compile(r'^\s*(?:saas~)?(?P<major>\d{1,2})(?:\.(?P<minor>\d+))?\s*$')
_ARCHIVE_RE = re.compile(
    r'^(?P<brand>[A-Za-z][A-Za-z0-9]*)_(?P<range>Odoo_\d{1,2}(?:-\d{1,2})?)_v(?P<version>\d+(?:\.\d+)*(?:[-+][A-Za-z0-9.-]+)?)\.zip$')


# Settings of the payment_provider module -> core Odoo field of the provider record, by Odoo major version
# (each row holds from ``since`` up to the next one; None: the series has no such field).
# <= 12: ground truth 4 (1.x read from source) and Odoo 12's payment_acquirer.py (``specific_countries`` flag
# + ``country_ids``; ``post_msg`` "Thanks Message" and ``error_msg``; no ``auth_msg``).
# 13-15: ground truth 7 (``country_ids``, ``auth_msg``; no ``post_msg``/``error_msg``/flag).
# 16: ground truth 4 and ground-truth-data/odoo16-provider-fields.json (``available_country_ids``).
# 17+: Odoo 17 replaced ``payment.icon``/``payment_icon_ids`` by ``payment.method`` (odoo/odoo 17.0
# addons/payment/models/payment_method.py): no icons setting there.
_CORE_FIELD_ROWS = (
    {'since': 10, 'fields': {
        'title': 'name', 'website': 'website_id', 'journal': 'journal_id',
        'specific_countries': 'country_ids', 'specific_countries_flag': 'specific_countries',
        'payment_icons': 'payment_icon_ids',
        'messages.pre': 'pre_msg', 'messages.pending': 'pending_msg', 'messages.auth': 'post_msg',
        'messages.done': 'done_msg', 'messages.cancel': 'cancel_msg', 'messages.error': 'error_msg'}},
    {'since': 13, 'fields': {
        'title': 'name', 'website': 'website_id', 'journal': 'journal_id',
        'specific_countries': 'country_ids', 'specific_countries_flag': None,
        'payment_icons': 'payment_icon_ids',
        'messages.pre': 'pre_msg', 'messages.pending': 'pending_msg', 'messages.auth': 'auth_msg',
        'messages.done': 'done_msg', 'messages.cancel': 'cancel_msg', 'messages.error': None}},
    {'since': 16, 'fields': {
        'title': 'name', 'website': 'website_id', 'journal': 'journal_id',
        'specific_countries': 'available_country_ids', 'specific_countries_flag': None,
        'payment_icons': 'payment_icon_ids',
        'messages.pre': 'pre_msg', 'messages.pending': 'pending_msg', 'messages.auth': 'auth_msg',
        'messages.done': 'done_msg', 'messages.cancel': 'cancel_msg', 'messages.error': None}},
    {'since': 17, 'fields': {
        'title': 'name', 'website': 'website_id', 'journal': 'journal_id',
        'specific_countries': 'available_country_ids', 'specific_countries_flag': None,
        'payment_icons': None,
        'messages.pre': 'pre_msg', 'messages.pending': 'pending_msg', 'messages.auth': 'auth_msg',
        'messages.done': 'done_msg', 'messages.cancel': 'cancel_msg', 'messages.error': None}},
)

# The addon's own settings (shop id, keys, REST keys, entry mode, embedded form...) come from the release table
# (module_utils/releases.py): fields changed inside lines, so they are looked up by release, not by line.

_BRAND_RE = re.compile(r'^[a-z][a-z0-9]*$')


class GenerationError(ValueError):
    """A range, series or archive name that the table cannot place."""


def parse_series(series):
    """Return the Odoo major version (int) of a series text or number.

    Accepts ``'16.0'``, ``'16'``, ``16``, ``16.0`` and ``'saas~16.1'``.
    """
    if isinstance(series, bool):
        raise GenerationError('Cannot parse Odoo series: %r is not a series' % (series,))
    if isinstance(series, int):
        return series
    if isinstance(series, float):
        return int(series)
    match = _SERIES_RE.match(str(series or ''))
    if not match:
        raise GenerationError('Cannot parse Odoo series: %r is not like "16.0"' % (series,))
    return int(match.group('major'))


def parse_range(text):
    """Parse a declared range like ``Odoo_10-14``, ``Odoo_16`` or ``Systempay_Odoo_17-19``.

    Returns a tuple ``(first, last)`` of Odoo major versions, both included.
    """
    match = _RANGE_RE.match(str(text or ''))
    if not match:
        raise GenerationError('Cannot parse declared Odoo range: %r is not like "Odoo_10-14" or "Odoo_16"' % (text,))
    first = int(match.group('first'))
    last = int(match.group('last') or first)
    if last < first:
        raise GenerationError('Cannot parse declared Odoo range: %r ends before it starts' % (text,))
    return first, last


def range_includes(text, series):
    """True when the declared range ``text`` includes the Odoo ``series``."""
    first, last = parse_range(text)
    return first <= parse_series(series) <= last


def parse_archive_name(filename):
    """Split a vendor archive name ``<Brand>_Odoo_<range>_v<version>.zip``.

    Returns a dict with ``brand`` (lower case, as in ``payment_<brand>``), ``range``,
    ``first``, ``last``, ``version`` and ``line`` (the addon line the version
    belongs to, from its first number).
    """
    base = str(filename or '').replace('\\', '/').rsplit('/', 1)[-1]
    match = _ARCHIVE_RE.match(base)
    if not match:
        raise GenerationError(
            'Cannot parse archive name: %r is not like "Systempay_Odoo_16_v3.1.1.zip"' % (base,))
    first, last = parse_range(match.group('range'))
    version = match.group('version')
    return {
        'brand': match.group('brand').lower(),
        'range': match.group('range'),
        'first': first,
        'last': last,
        'version': version,
        'line': version.split('.', 1)[0],
    }


def line_for_series(series):
    """Return the addon line (a dict of ``ADDON_LINES``) to deploy on an Odoo series."""
    major = parse_series(series)
    for line in ADDON_LINES:
        if line['first'] <= major <= line['last']:
            return dict(line)
    raise GenerationError('Cannot choose an addon line: Odoo %s is outside the supported %d-%d'
                          % (series, SUPPORTED_MAJORS[0], SUPPORTED_MAJORS[-1]))


def line_of_version(version):
    """Return the addon line (a dict of ``ADDON_LINES``) an addon version such as ``3.1.1`` belongs to."""
    head = str(version or '').strip().split('.', 1)[0]
    for line in ADDON_LINES:
        if line['line'] == head:
            return dict(line)
    raise GenerationError('Cannot place addon version %r: its first number is not one of the lines %s'
                          % (version, ', '.join(line['line'] for line in ADDON_LINES)))


def version_fits_series(version, series):
    """True when the range the addon release of ``version`` declares includes the Odoo ``series`` (by release, not by
    line: 4.0.0 declares Odoo_17 only, 1.1.x Odoo_10-12; see module_utils/releases.py). A version the release table
    cannot place, or an unsupported one, fits no series."""
    try:
        return releases.fits_series(version, parse_series(series))
    except releases.ReleaseError:
        return False


def model_facts(series):
    """Return the model and field names the payment addon uses on an Odoo series.

    Keys: ``series_major``, ``model``, ``type_field``, ``mode_field``,
    ``mode_values`` (list), ``publish_field`` (None when the series has none:
    publishing is then ``state = enabled``).
    """
    major = parse_series(series)
    if major < _MODEL_ROWS[0]['since'] or major > SUPPORTED_MAJORS[-1]:
        raise GenerationError('Cannot give model names: Odoo %s is outside the supported %d-%d'
                              % (series, SUPPORTED_MAJORS[0], SUPPORTED_MAJORS[-1]))
    row = None
    for candidate in _MODEL_ROWS:
        if major >= candidate['since']:
            row = candidate
    facts = dict(row)
    facts.pop('since')
    facts['mode_values'] = list(facts['mode_values'])
    facts['series_major'] = major
    return facts


def provider_facts(series, brand='systempay', release=None):
    """Where the ``payment_provider`` settings live on an Odoo series, for an addon release made for it.

    Keys: those of :func:`model_facts`, plus ``line`` (addon line), ``module``
    (``payment_<brand>``), ``xmlid`` (``payment_<brand>.payment_provider_<brand>``
    from 16, ``payment_<brand>.payment_acquirer_<brand>`` before), ``xmlid_installments``
    (the same with ``multi`` after it: the installments record), ``card_model``
    and ``language_model`` (``<brand>.card``, ``<brand>.language``), ``release``
    (:func:`releases.release` of ``release``, None without one), ``form``
    (``smartform``, ``embedded`` or None: the embedded form of that release) and
    ``fields``: setting path (``shop_id``, ``messages.pre``, ``rest.test_password``,
    ``specific_countries_flag``...) -> field name, None when there is no such field.

    With ``release`` (an addon version, ``3.1.1`` or ``16.0.3.1.1``) the addon's fields are that release's; without,
    they are every field some release made for the series has (what a read of the host may find).
    Raises :class:`GenerationError` for a release the table cannot place or whose range leaves the series out.
    """
    if not _BRAND_RE.match(str(brand or '')):
        raise GenerationError('Cannot give field names: brand %r is not lower-case letters and digits' % (brand,))
    facts = model_facts(series)
    line = line_for_series(series)
    row = None
    for candidate in _CORE_FIELD_ROWS:
        if facts['series_major'] >= candidate['since']:
            row = candidate
    names = dict(row['fields'])
    names.update(dict.fromkeys(releases.all_setting_paths()))
    facts['release'] = None
    facts['form'] = None
    if release is not None:
        try:
            found = releases.release(release)
        except releases.ReleaseError as exc:
            raise GenerationError(str(exc))
        if not found['first'] <= facts['series_major'] <= found['last']:
            raise GenerationError('Addon release %s declares %s, which leaves Odoo %s out'
                                  % (found['version'], found['range'], series))
        names.update(releases.settings(found['version'], brand))
        facts['release'] = found
        facts['form'] = releases.form_of(found)
    else:
        for version in releases.for_series(facts['series_major']):
            names.update(releases.settings(version, brand))
    facts['fields'] = dict((key, value.replace('{brand}', brand) if value else None) for key, value in names.items())
    facts['line'] = line['line']
    facts['module'] = 'payment_%s' % brand
    kind = 'payment_provider' if facts['model'] == 'payment.provider' else 'payment_acquirer'
    facts['xmlid'] = 'payment_%s.%s_%s' % (brand, kind, brand)
    # the installments record (payment in several times), from addon 1.2.0 (releases.py, feature installments)
    facts['xmlid_installments'] = facts['xmlid'] + 'multi'
    facts['card_model'] = '%s.card' % brand
    facts['language_model'] = '%s.language' % brand
    return facts
