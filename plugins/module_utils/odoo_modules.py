# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Odoo modules in databases and on disk: versions, what to do, and what a failure means.

Pure helpers (no AnsibleModule, no I/O but reading manifests and the addon's constants file) for
``odoo_module`` and later modules. Facts used, Odoo 16 unless said otherwise:

* ``odoo/modules/module.py`` ``adapt_version()``: a manifest version without the
  series prefix is stored as ``<series>.<version>`` (``3.1.1`` -> ``16.0.3.1.1``);
  ``ir.module.module.latest_version`` holds the version installed in the
  database, ``installed_version`` (not stored) the manifest's, as the process
  asked has it in memory.
* ``odoo/modules/loading.py`` ``_check_module_names``: a name Odoo cannot find
  is only logged (``invalid module names, ignored: …``) and the run exits 0.
* ``odoo/modules/registry.py`` ``Registry.new``: a failed install/upgrade runs
  ``reset_modules_state`` (``to install`` back to ``uninstalled``, ``to upgrade``
  back to ``installed``); an interrupted run can still leave the ``to …`` states.
* ground truth §1, §3: the 3.x addon on a database without ``account`` fails
  with ``TypeError: Model 'account.payment.method' does not exist in registry.``;
  an addon of the wrong line fails with ``No module named
  'odoo.addons.payment.models.payment_acquirer'`` (or ``payment_provider`` on 15
  and older). Such undeclared needs are the ``requires`` of the line in
  ``generations.ADDON_LINES``, checked before an install (:func:`addon_line`,
  :func:`missing_requirements`).
* ``odoo/modules/loading.py`` commits after each module it installs: a failed
  ``-i`` leaves the dependencies installed before it (``payment`` for the addon).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive
from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils import db_state as gathered

# Odoo module names are Python package names.
NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')

# States in which the module's code is part of the database.
INSTALLED_STATES = ('installed', 'to upgrade', 'to remove')

# Models and the module that defines them, for the "needs module" message.
_MODEL_MODULES = {
    'account': 'the account module (Invoicing)',
    'payment': 'the payment module',
    'website': 'the website module',
    'sale': 'the sale module',
}


# Names Odoo's Apps menu shows for modules a message asks the user to install.
_APP_NAMES = {
    'account': 'Invoicing',
}


def adapt_version(version, series):
    """The version Odoo stores for a manifest ``version`` on ``series`` (Odoo's ``adapt_version``)."""
    version = str(version)
    series = str(series)
    if version == series or not version.startswith(series + '.'):
        version = '%s.%s' % (series, version)
    return version


def version_key(version):
    """A sort key for dotted versions (numbers as numbers, other parts after them)."""
    key = []
    for part in re.split(r'[.+-]', str(version or '')):
        if part.isdigit():
            key.append((0, int(part), ''))
        elif part:
            key.append((1, 0, part))
    return tuple(key)


def disk_copy(name, folders):
    """The copy of module ``name`` Odoo loads from ``folders`` (see :func:`discovery.find_module_copies`), or None."""
    copies = discovery.find_module_copies(name, folders)
    return copies[0] if copies else None


def addon_line(copy, series):
    """The addon line (a dict of ``generations.ADDON_LINES``) of ``copy`` (:func:`disk_copy`), or None.

    Only the vendor's payment addon has a line: a copy whose ``helpers/constants.py`` declares
    ``CMS_IDENTIFIER`` (every line of it does, ground truth section 1); the line is that of its manifest
    version (``3.1.1``, or ``16.0.3.1.1`` as Odoo stores it on ``series``). Any other module, or a version
    of no known line, gives None.
    """
    if not copy or copy.get('version') is None:
        return None
    path = os.path.join(copy['path'], *vendor_archive.CONSTANTS_PATH.split('/'))
    try:
        with open(path, 'rb') as handle:
            text = handle.read(1024 * 1024).decode('utf-8', 'replace')
    except (IOError, OSError):
        return None
    if 'CMS_IDENTIFIER' not in text:
        return None
    prefix = str(series) + '.'
    version = adapt_version(copy['version'], series)[len(prefix):]
    try:
        return generations.line_of_version(version)
    except generations.GenerationError:
        return None


def missing_requirements(rows, requires):
    """``[(module, state)]`` of the modules of ``requires`` that ``rows`` (``{name: row}`` as read from a
    database) do not show installed; ``state`` is None when the database does not list the module."""
    missing = []
    for module in requires or ():
        state = db_state((rows or {}).get(module))['state']
        if not is_installed(state):
            missing.append((module, state))
    return missing


def app_label(module):
    """``Invoicing (account)`` for a module Apps shows under another name, else the module name."""
    return '%s (%s)' % (_APP_NAMES[module], module) if module in _APP_NAMES else module


def requirement_failure(name, line, missing, db):
    """The reason an install of ``name`` (addon ``line``) is refused in ``db``, naming the fix.

    ``missing`` is :func:`missing_requirements`.
    """
    labels = ', '.join(app_label(module) for module, dummy in missing)
    states = ', '.join('%s: %s' % (module, state or 'not listed') for module, state in missing)
    return ('%s (%s.x line) needs %s, which its manifest does not declare, and database %s does not have %s '
            'installed (%s): install %s in %s first, or leave %s out of `databases`'
            % (name, line['line'], labels, db, 'it' if len(missing) == 1 else 'them', states, labels, db, db))


def db_state(row):
    """``{state, version}`` of a module row as read from a database (both None when the database does not know it)."""
    if not row:
        return {'state': None, 'version': None}
    return {'state': row.get('state') or None, 'version': row.get('latest_version') or None}


def _stamp(value):
    """``YYYY-MM-DD HH:MM:SS`` of a ``write_date`` as a read gives it (text over XML-RPC, ``str()`` of a datetime,
    with or without microseconds, from ``odoo shell``), or None."""
    return str(value)[:19] if value else None


def rewritten(before, after, since):
    """Whether Odoo wrote the module's row (``before``/``after``: rows read with ``write_date``) after the time
    ``since`` (UTC, ``YYYY-MM-DD HH:MM:SS``, taken before the ``-i``/``-u``).

    Odoo's loader writes ``state`` and ``latest_version`` of each module it has loaded for an install or upgrade
    (``odoo/modules/loading.py``), which moves ``write_date``; a failed ``-u`` writes nothing (its transaction is
    rolled back, and ``reset_modules_state`` puts a ``to upgrade`` state back with plain SQL). So at an unchanged
    version, this is what tells an upgrade done from one that failed. Not alone over XML-RPC:
    ``button_immediate_upgrade`` commits its ``to upgrade`` mark (a write) before it loads, so there the call's Fault
    is needed too."""
    moved = _stamp((after or {}).get('write_date'))
    if moved is None:
        return False
    return moved != _stamp((before or {}).get('write_date')) or moved >= since


def is_installed(state):
    return state in INSTALLED_STATES


def decide(goal, before, expected, same_version_replaced=False):
    """``(action, reason)``: ``install``, ``upgrade`` or ``none``, for ``goal`` ``present``/``latest``.

    ``before`` is :func:`db_state`; ``expected`` the version the copy on disk
    would be stored as (None when there is no copy); ``same_version_replaced``: this run replaced the copy by other
    content of the same version, so a database at that version is upgraded too (Odoo loads data files only at
    ``-i``/``-u``).
    """
    if not is_installed(before['state']):
        if before['state'] == 'uninstallable':
            return 'none', 'the database lists the module as not installable (its manifest says installable: False)'
        return 'install', 'not installed'
    if before['state'] == 'to upgrade':
        return 'upgrade', 'marked "to upgrade" by an interrupted run'
    if goal != 'latest' or expected is None:
        return 'none', 'installed'
    if version_key(expected) > version_key(before['version']):
        return 'upgrade', 'installed %s, on disk %s' % (before['version'], expected)
    if version_key(expected) < version_key(before['version']):
        return 'none', ('installed %s is newer than the copy on disk (%s); not downgraded'
                        % (before['version'], expected))
    if same_version_replaced:
        return 'upgrade', 'installed at %s; new files of that same version are in place' % before['version']
    return 'none', 'installed at %s' % before['version']


def _model_owner(model):
    return _MODEL_MODULES.get(model.split('.', 1)[0], 'the module that defines %s' % model)


_SKIPPED_RE = re.compile(r'module (\w+): not installable, skipped')
_NOT_LOADED_RE = re.compile(r'Some modules are not loaded.*?: \[?(.*?)\]?\s*$')


def not_loaded(lines, first=None, skipped_only=False):
    """Modules Odoo's log ``lines`` say it skipped (graph: ``module X: not installable, skipped``) or, unless
    ``skipped_only``, did not load (loading: ``Some modules are not loaded ...: [...]``); ``first`` first."""
    found = []
    for line in lines:
        match = _SKIPPED_RE.search(line)
        names = [match.group(1)] if match else []
        match = None if skipped_only else _NOT_LOADED_RE.search(line)
        if match:
            names += re.findall(r'\w+', match.group(1))
        found += [name for name in names if name not in found]
    return sorted(found, key=lambda name: (name != first, name))


def explain_failure(text, name, db, series):
    """What an install/upgrade failure log (or Fault text) means, in one sentence; None when not known.

    Recognised: a model missing from the registry (an undeclared dependency
    not installed in the database), a module Odoo skipped as not installable
    (its folder unreadable by the service user), an addon of the wrong generation line, a
    name Odoo did not find, a dependency missing on disk, an unknown database.
    """
    text = text or ''
    match = re.search(r"Model '(?P<model>[\w.]+)' does not exist in registry", text)
    if match:
        return '%s needs %s in database %s (model %s is missing)' % (
            name, _model_owner(match.group('model')), db, match.group('model'))
    match = re.search(r"No module named '(?P<path>odoo\.addons\.payment\.models\.(?P<file>payment_\w+))'", text)
    if match:
        try:
            line = generations.line_for_series(series)
            hint = '; use the %s line (%s)' % (line['line'] + '.x', line['range'])
        except generations.GenerationError:
            hint = ''
        return ('the %s addon line on disk does not fit this Odoo series (%s): it imports %s, which Odoo %s '
                'does not have%s' % (name, series, match.group('path'), series, hint))
    if name in not_loaded(text.splitlines(), skipped_only=True):
        return ('Odoo skipped %s as not installable: the user Odoo runs as cannot read its folder, or its manifest '
                'says installable: False' % name)
    match = re.search(r'invalid module names, ignored: (?P<names>.*)', text)
    if match and name in [item.strip() for item in match.group('names').split(',')]:
        return '%s not found on the addons path: Odoo ignored the name' % name
    match = re.search(r"depends on module '?(?P<dep>[\w.]+)'?\.?\s*But the latter module is not available", text)
    if match:
        return '%s needs the module %s, which is not on the addons path' % (name, match.group('dep'))
    match = re.search(r'database "(?P<db>[^"]+)" does not exist', text)
    if match:
        return 'database %s does not exist' % match.group('db')
    match = re.search(r"No module named '(?P<mod>[\w.]+)'", text)
    if match:
        return '%s cannot be imported: no Python module named %s on this host' % (name, match.group('mod'))
    return None


def noop_from_facts(facts, name, requested, goal='latest'):
    """The module step's result, from the gather stage's facts alone, when they prove it has nothing to do; else None.

    ``facts`` is what ``odoo_info`` returned with ``read_databases`` (its ``addon`` copies of ``name`` and its
    ``database_states``); ``requested`` the step's ``databases``. The answer is what ``odoo_module`` answers for the
    same facts (the same choice of databases, :func:`decide` on the same module rows against the copy Odoo loads)
    when every database gives ``none``. None whenever any database would need an action, has no usable read, or the
    facts say nothing of the copy on disk: the step then runs on the host. Only true while no step changed the
    addon files or the addons path since gather (the caller's condition: ``playbooks/site.yml``).
    """
    chosen = gathered.chosen_from_facts(facts, requested)
    if chosen is None:
        return None
    names, dummy, incompatible = chosen
    addon = facts.get('addon') or {}
    active = addon.get('active') or {}
    if addon.get('name') != name or active.get('version') is None:
        return None
    series = facts['series']
    expected = adapt_version(active['version'], series)
    states = facts.get('database_states') or {}
    report = []
    for db in names:
        state = states.get(db)
        if not gathered.usable(state, [name], fresh=False):
            return None
        before = db_state(gathered.module_rows(state, [name]).get(name))
        action, reason = decide(goal, before, expected)
        if action != 'none':
            return None
        report.append(dict(name=db, before=before, after=before, action='none', seconds=0.0, msg=reason, log=[],
                           backup=None))
    report.extend(dict(name=db, before=None, after=None, action='skipped', seconds=0.0, log=[], backup=None,
                       msg='left out of all: %s' % transport.incompatible_message(db, incompatible[db], series))
                  for db in transport.left_out(requested, incompatible))
    return dict(changed=False, databases=report, disk=dict(path=active['path'], version=expected),
                addons_path=list(facts.get('effective_addons_path') or []), restart_needed=False,
                planned_from='gather')
