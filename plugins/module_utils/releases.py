# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every public release of the vendor's payment addon: its declared Odoo range and the settings it has.

The facts come from ``../shared/docs/ground-truth-data/vendor-releases.json`` (read from the vendor's code at each
public tag of lyra/plugin-odoo; the Systempay build is the same code with ``systempay`` in place of ``lyra``).
``tests/unit/plugins/module_utils/test_releases.py`` derives the same table from that file and fails when they
differ, so this copy cannot drift: which fields each release defines, with which selection values, and its range.

A release is described by its declared range (``CMS_IDENTIFIER``) and its *features*, the groups of fields that
came and went between releases (not by line: fields changed inside lines):

* ``gateway_url``: ``<brand>_gateway_url`` (1.1.0-3.0.3, and 4.0.0 again);
* ``doc``: ``<brand>_doc``, a read-only help text (2.0.5, 3.0.2 on);
* ``installments``: the ``<brand>_multi_*`` fields that the second provider record ``<brand>multi`` uses (from 1.2.0);
* ``rest``: the REST API keys and the payment data entry mode (3.1.x and 4.2.0+);
* ``smartform`` / ``embedded``: the embedded form's display options and entry mode spellings, ``smartform*`` on
  3.1.x (pop-in ``no``/``yes``), ``embedded*`` from 4.2.0 (pop-in ``0``/``1``);
* ``payment_methods``: the Odoo 17+ ``payment.method`` records the addon creates (``data/payment_method_data.xml``,
  every 4.x release): its primary method ``<brand>`` and card brands under it (:data:`PAYMENT_METHOD_BRANDS`), which
  the payment form shows; ``card_types`` also decides which of those brands are active.

A version the table does not hold (a release newer than it, or a patched build such as the collection's broken
test fixtures) is judged as the newest earlier release of its line that the table holds; before the first of its
line, it is not placed at all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


class ReleaseError(ValueError):
    """A version the table cannot place, or a release that is not supported."""


# version, declared range (None: 1.0.0 declares none), features. Oldest first.
_G = ('gateway_url', 'installments')
_GD = ('doc', 'gateway_url', 'installments')
_REST = ('doc', 'installments', 'rest')
_PM = ('payment_methods',)
RELEASES = (
    ('1.0.0', None, ()),
    ('1.1.0', 'Odoo_10-12', ('gateway_url',)),
    ('1.1.1', 'Odoo_10-12', ('gateway_url',)),
    ('1.2.0', 'Odoo_10-13', _G),
    ('1.2.1', 'Odoo_10-14', _G),
    ('1.2.2', 'Odoo_10-14', _G),
    ('1.2.3', 'Odoo_10-14', _G),
    ('1.2.4', 'Odoo_10-14', _G),
    ('1.2.5', 'Odoo_10-14', _G),
    ('1.2.6', 'Odoo_10-14', _G),
    ('2.0.0', 'Odoo_15', _G),
    ('2.0.1', 'Odoo_15', _G),
    ('2.0.2', 'Odoo_15', _G),
    ('2.0.3', 'Odoo_15', _G),
    ('2.0.4', 'Odoo_15', _G),
    ('2.0.5', 'Odoo_15', _GD),
    ('3.0.0', 'Odoo_16', _G),
    ('3.0.1', 'Odoo_16', _G),
    ('3.0.2', 'Odoo_16', _GD),
    ('3.0.3', 'Odoo_16', _GD),
    ('3.1.0', 'Odoo_16', _REST + ('smartform',)),
    ('3.1.1', 'Odoo_16', _REST + ('smartform',)),
    ('4.0.0', 'Odoo_17', _GD + _PM),
    ('4.1.0', 'Odoo_17-18', ('doc', 'installments') + _PM),
    ('4.2.0', 'Odoo_17-18', _REST + ('embedded',) + _PM),
    ('4.2.1', 'Odoo_17-18', _REST + ('embedded',) + _PM),
    ('4.3.0', 'Odoo_17-19', _REST + ('embedded',) + _PM),
)

# The folders of ``<module>/migrations/`` each release ships (vendor-releases.json, ``migrations``): at an upgrade, Odoo
# runs the scripts of those whose version is above the one the database records and at most the new one
# (:func:`migrations_run`). 3.1.x's and 4.2.0 on's rewrite payment_provider rows with SQL.
MIGRATIONS = {
    '3.1.0': ('16.0.3.1.0',),
    '3.1.1': ('16.0.3.1.0',),
    '4.2.0': ('17.0.4.2.0', '18.0.4.2.0'),
    '4.2.1': ('17.0.4.2.0', '18.0.4.2.0'),
    '4.3.0': ('17.0.4.2.0', '18.0.4.2.0', '19.0.4.3.0'),
}

# What the releases import beside Odoo when Odoo loads them (ground truth 9: every release pkg_resources, 3.1.0 on -
# every 4.x included - requests): module, first release that imports it, Debian package, PyPI distribution.
# Debian 12 ships pkg_resources in python3-pkg-resources, which python3-setuptools depends on.
PYTHON_IMPORTS = (
    ('pkg_resources', '1.1.0', 'python3-setuptools', 'setuptools'),
    ('requests', '3.1.0', 'python3-requests', 'requests'),
)

# Why a release is not supported (it is in the table, so that the refusal says so rather than "unknown").
UNSUPPORTED = {
    '1.0.0': 'the module is payment_payzen and the release declares no Odoo range',
}

# The embedded form's themes (the same on both forms).
THEMES = ('neon', 'classic')

# The neutral entry mode spellings of the settings -> each form's spelling. The 3.1.x names are accepted as
# synonyms of the neutral ones.
ENTRY_MODES = ('redirect', 'embedded', 'embedded_extended_with_logos', 'embedded_extended_without_logos')
ENTRY_MODE_SYNONYMS = {
    'smartform': 'embedded',
    'smartform_extended_with_logos': 'embedded_extended_with_logos',
    'smartform_extended_without_logos': 'embedded_extended_without_logos',
}

# Setting path -> field (``{brand}`` replaced by the brand) for every supported release.
_COMMON = {
    'shop_id': '{brand}_site_id', 'key_test': '{brand}_key_test', 'key_production': '{brand}_key_prod',
    'sign_algo': '{brand}_sign_algo', 'language': '{brand}_language',
    'available_languages': '{brand}_available_languages', 'capture_delay': '{brand}_capture_delay',
    'validation_mode': '{brand}_validation_mode', 'card_types': '{brand}_payment_cards',
    'threeds_min_amount': '{brand}_threeds_min_amount', 'redirect.enabled': '{brand}_redirect_enabled',
    'redirect.success_timeout': '{brand}_redirect_success_timeout',
    'redirect.success_message': '{brand}_redirect_success_message',
    'redirect.error_timeout': '{brand}_redirect_error_timeout',
    'redirect.error_message': '{brand}_redirect_error_message', 'return_mode': '{brand}_return_mode',
}
# Setting path -> field, per feature. The embedded form's four options are one field each, named after the form.
_FORM_OPTIONS = ('pop_in', 'theme', 'compact_mode', 'payment_attempts')
FEATURE_SETTINGS = {
    'gateway_url': {'gateway_url': '{brand}_gateway_url'},
    'rest': {
        'rest.test_password': '{brand}_test_password', 'rest.prod_password': '{brand}_prod_password',
        'rest.public_test_key': '{brand}_public_test_key',
        'rest.public_production_key': '{brand}_public_production_key',
        'rest.sha256_test_key': '{brand}_sha256_test_key', 'rest.sha256_prod_key': '{brand}_sha256_prod_key',
        'entry_mode': '{brand}_payment_data_entry_mode',
    },
    'smartform': dict(('embedded_form.%s' % name, '{brand}_smartform_%s' % name) for name in _FORM_OPTIONS),
    'embedded': dict(('embedded_form.%s' % name, '{brand}_embedded_%s' % name) for name in _FORM_OPTIONS),
    # the second provider record, ``<brand>multi`` (payment in installments); its mode and publish flag are those
    # fields of that record (the core fields ``installments.mode`` / ``installments.published`` map to, see provider.py)
    'installments': {'installments.count': '{brand}_multi_count', 'installments.period': '{brand}_multi_period',
                     'installments.first': '{brand}_multi_first'},
    'doc': {},
    'payment_methods': {},
}
# The card brands among the payment methods of the releases that create them (feature ``payment_methods``): card code
# (``settings.card_types``, the ``<brand>.card`` codes) -> the method's code after the brand (``<brand>visa``), in
# the order of the vendor's data file; and the ones its install leaves active (ground truth 10: the others are
# e-Carte Bleue, Visa Electron, V PAY, Apple Pay and PayPal).
PAYMENT_METHOD_BRANDS = (
    ('CB', 'cb'), ('VISA', 'visa'), ('MASTERCARD', 'mastercard'), ('AMEX', 'amex'), ('E-CARTEBLEUE', 'ecartebleue'),
    ('VISA_ELECTRON', 'visaelectron'), ('VPAY', 'vpay'), ('APPLE_PAY', 'applepay'), ('PAYPAL', 'paypal'),
)
PAYMENT_METHOD_DEFAULT_CARDS = ('CB', 'VISA', 'MASTERCARD', 'AMEX')
# The values each form's fields take (selection values of the vendor's fields).
FORM_VALUES = {
    'smartform': {'entry_mode': {'redirect': 'redirect', 'embedded': 'smartform',
                                 'embedded_extended_with_logos': 'smartform_extended_with_logos',
                                 'embedded_extended_without_logos': 'smartform_extended_without_logos'},
                  'embedded_form.pop_in': {False: 'no', True: 'yes'},
                  'embedded_form.compact_mode': {False: '0', True: '1'}},
    'embedded': {'entry_mode': dict((mode, mode) for mode in ENTRY_MODES),
                 'embedded_form.pop_in': {False: '0', True: '1'},
                 'embedded_form.compact_mode': {False: '0', True: '1'}},
}
# Fields of a feature that hold no setting: read-only, computed, or not managed (yet) by the collection.
FEATURE_OTHER_FIELDS = {
    'doc': ('{brand}_doc',),
    'rest': ('{brand}_rest_api_notify_url',),
    'installments': ('{brand}_multi_warning',),
}
COMMON_OTHER_FIELDS = ('{brand}_notify_url',)

# a suffix (``3.1.1-broken-start``) marks a patched build of that version
_VERSION_RE = re.compile(r'^\s*(?:\d{1,2}\.\d+\.)?(?P<version>\d+\.\d+\.\d+)(?:[-+][A-Za-z0-9.-]+)?\s*$')
_RANGE_RE = re.compile(r'^Odoo_(\d{1,2})(?:-(\d{1,2}))?$')
_BY_VERSION = dict((row[0], row) for row in RELEASES)


def _key(version):
    return tuple(int(part) for part in version.split('.'))


def addon_version(text):
    """The addon version of a manifest or database version: ``'16.0.3.1.1'``, ``'3.1.1'`` and ``'3.1.1-patched'``
    give ``'3.1.1'``."""
    match = _VERSION_RE.match(str(text or ''))
    if not match:
        raise ReleaseError('Cannot place addon version %r: it is not like "3.1.1" or "16.0.3.1.1"' % (text,))
    return match.group('version')


def release(version):
    """The release of the table a version is judged as: a dict with ``version`` (the one given), ``release`` (the
    table's), ``exact`` (whether it is a public release), ``range``, ``first``/``last`` (Odoo majors, both included)
    and ``features`` (list). Raises :class:`ReleaseError` for a version before any supported release of its line and
    for an unsupported release."""
    version = addon_version(version)
    row = _BY_VERSION.get(version)
    if row is None:
        line = version.split('.', 1)[0]
        earlier = [known for known in RELEASES if known[0].split('.', 1)[0] == line and _key(known[0]) < _key(version)]
        if not earlier:
            public = spans(known[0] for known in RELEASES if known[0] not in UNSUPPORTED)
            raise ReleaseError('Cannot place addon version %s: no public release of line %s.x comes before it (the '
                               'public releases are %s)' % (version, line, public))
        row = earlier[-1]
    if row[0] in UNSUPPORTED:
        raise ReleaseError('Addon release %s is not supported: %s' % (row[0], UNSUPPORTED[row[0]]))
    majors = [int(part) for part in _RANGE_RE.match(row[1]).groups() if part]
    return {'version': version, 'release': row[0], 'exact': row[0] == version, 'range': row[1],
            'first': majors[0], 'last': majors[-1], 'features': list(row[2])}


def fits_series(version, major):
    """Whether the release of ``version`` declares the Odoo major version ``major`` (an int) in its range."""
    facts = release(version)
    return facts['first'] <= int(major) <= facts['last']


def settings_dropped(before, after):
    """The setting paths the release of ``before`` has and the release of ``after`` lacks (sorted): what an upgrade
    from one to the other leaves without a field (``gateway_url`` from 3.0.3 to 3.1.0). Empty when either version
    cannot be placed."""
    try:
        old, new = settings(before, 'brand'), settings(after, 'brand')
    except ReleaseError:
        return []
    return sorted(set(old) - set(new))


def imported_modules():
    """Every Python module some release imports beside Odoo (what gather asks Odoo's interpreter about)."""
    return sorted(set(module for module, dummy, dummy2, dummy3 in PYTHON_IMPORTS))


def python_imports(version):
    """The Python modules the release of ``version`` imports beside Odoo: a list of dicts ``module``, ``debian``
    (package), ``pip`` (distribution)."""
    found = release(version)['release']
    return [dict(module=module, debian=debian, pip=pip) for module, since, debian, pip in PYTHON_IMPORTS
            if _key(found) >= _key(since)]


def _odoo_version(text):
    """A version as Odoo's ``parse_version`` orders these (numbers only; anything else orders as 0)."""
    return tuple(int(part) if part.isdigit() else 0 for part in str(text).split('.'))


def migrations_run(installed, version, series):
    """The migration folders of the release of ``version`` whose scripts Odoo runs when it upgrades a database that
    records ``installed`` (its ``latest_version``, ``16.0.3.1.0``) to ``version`` on ``series`` (``16.0``), in Odoo's
    order: as ``MigrationManager.migrate_module`` (``odoo/modules/migration.py``) chooses them, a folder whose
    version (the series in front when it has fewer than two dots) is above the installed version and at most the
    module's new one (the series in front of the manifest's version), and ``0.0.0`` at every version change. Empty
    when nothing is installed yet (an install runs none); raises :class:`ReleaseError` for a version the table
    cannot place."""
    folders = MIGRATIONS.get(release(version)['release'], ())
    if not installed:
        return []

    def full(text):
        return text if text.count('.') >= 2 else '%s.%s' % (series, text)

    # the new version as Odoo records it: the series in front of the manifest's (``adapt_version``)
    done, new = _odoo_version(installed), _odoo_version('%s.%s' % (series, addon_version(version)))
    run = [folder for folder in folders
           if (folder == '0.0.0' and done < new) or done < _odoo_version(full(folder)) <= new]
    return sorted(run, key=lambda folder: _odoo_version(full(folder)))


def form_of(facts):
    """``smartform``, ``embedded`` or None: the embedded form of a release (its :func:`release` facts)."""
    for form in ('smartform', 'embedded'):
        if form in facts['features']:
            return form
    return None


def settings(version, brand):
    """``{setting path: field}`` of every setting of the release of ``version`` (the settings it lacks are absent)."""
    facts = release(version)
    names = dict(_COMMON)
    for feature in facts['features']:
        names.update(FEATURE_SETTINGS[feature])
    return dict((path, field.replace('{brand}', brand)) for path, field in names.items())


def all_setting_paths():
    """Every setting path some supported release has a field for."""
    paths = set(_COMMON)
    for names in FEATURE_SETTINGS.values():
        paths.update(names)
    return paths


def releases_with(path):
    """The supported releases that have the setting ``path``, as spans (``3.1.0-3.1.1, 4.2.0-4.3.0``)."""
    found = []
    for row in RELEASES:
        if row[0] in UNSUPPORTED:
            continue
        if path in _COMMON or any(path in FEATURE_SETTINGS[feature] for feature in row[2]):
            found.append(row[0])
    return spans(found)


def spans(versions):
    """Versions (in table order) as runs of consecutive releases: ``1.1.0-3.0.3, 4.0.0``."""
    wanted = set(versions)
    runs = []
    current = []
    for row in RELEASES:
        if row[0] in wanted:
            current.append(row[0])
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return ', '.join(run[0] if len(run) == 1 else '%s-%s' % (run[0], run[-1]) for run in runs) or 'none'


def for_series(major):
    """The supported releases whose declared range includes the Odoo major version ``major``."""
    found = []
    for row in RELEASES:
        if row[0] in UNSUPPORTED:
            continue
        facts = release(row[0])
        if facts['first'] <= int(major) <= facts['last']:
            found.append(row[0])
    return found
