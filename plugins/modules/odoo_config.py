#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: odoo_config
short_description: Edit an Odoo config file in place (addons_path, dbfilter, other options)
version_added: 0.1.0
description:
  - Changes values of the C([options]) section of an Odoo config file without rewriting it whole
    (admins edit it too). Every other line, comment, blank line, key spelling, separator, line ending
    (LF or CRLF) and the order of the lines stay as they are; only a changed line moves, and a new key goes
    after the last option of C([options]).
  - Adds folders to C(addons_path) without reordering or repeating the entries already there.
  - The file is written only when its text changes, through a temporary file in the same folder that
    replaces it atomically and keeps its mode, owner and SELinux context. Before writing, the new text is
    read again the way Odoo reads it; a text Odoo would refuse (an option given twice, a line it cannot
    parse) is never written.
  - Values of secret options (C(admin_passwd), C(db_password), C(smtp_password)) are replaced by
    C(********) in the diff and never returned.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  path:
    description:
      - The Odoo config file to edit (RV(systempay.odoo.odoo_info#module:config)).
      - It must exist. When it is a symbolic link, the file it points to is edited and the link is kept.
    type: path
    required: true
  addons_path_add:
    description:
      - Absolute folders to add to C(addons_path) when they are not already in it.
      - Entries are compared the way Odoo normalises them (absolute, C(..) and trailing slashes removed,
        symbolic links resolved; relative entries of the file hang from O(working_directory)), so
        C(/srv/addons/) or a link to C(/srv/addons) count as C(/srv/addons).
      - The entries already there never move. New ones are written as given (normalised with C(normpath)).
    type: list
    elements: path
    default: []
  addons_path_position:
    description:
      - Where new entries of O(addons_path_add) go, in the order given.
      - The first folder holding a module wins, so V(first) makes the new folders shadow the others.
    type: str
    choices: [first, last]
    default: last
  addons_path_default:
    description:
      - The folders Odoo searches when the file leaves C(addons_path) unset (missing, commented out as in the
        Debian package, or empty); RV(systempay.odoo.odoo_info#module:addons_path) gives them.
      - Required when O(addons_path_add) has to write C(addons_path) into such a file; the new value
        keeps these folders, so Odoo still finds its own modules.
      - Ignored when the file sets C(addons_path).
    type: list
    elements: path
  working_directory:
    description:
      - Folder the Odoo service runs from (the unit's C(WorkingDirectory),
        RV(systempay.odoo.odoo_info#module:working_directory)); relative C(addons_path) entries of the file are
        resolved from it, as Odoo does.
    type: path
    default: /
  dbfilter:
    description:
      - Value of C(dbfilter), a Python regular expression in which Odoo replaces C(%d) by the first label of the
        request's host name and C(%h) by the whole host name, for example C(^%d$) or C(^shop1$).
      - Refused when it does not compile as a regular expression after that substitution.
    type: str
  options:
    description:
      - Other C([options]) keys to set, name to value (text; V(true)/V(false) are written C(True)/C(False)).
      - Names are folded to lower case, as Odoo does. C(addons_path) and C(dbfilter) are refused here
        (use O(addons_path_add) and O(dbfilter)).
      - The values can be secrets; the module hides every value of this option from its logs, and the values of
        C(admin_passwd), C(db_password) and C(smtp_password) from its output. The other values are shown in
        the diff and in the invocation.
    type: dict
    default: {}
  backup:
    description:
      - Keep a copy of the file, with its date in the name, next to it before changing it.
    type: bool
    default: true
  validate_paths:
    description:
      - Fail, before writing, when an entry of C(addons_path) as it would be after the change is not a folder on
        the host. Checked when O(addons_path_add) is given.
    type: bool
    default: true
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Reports the change and the diff without writing the file or making a backup.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: The diff shows the whole file before and after, secret values masked in both.
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: posix
notes:
  - Only the C([options]) section is edited. Odoo's own command line options (C(--addons-path), C(--db-filter))
    override the file; RV(systempay.odoo.odoo_info#module:cli_options) shows them.
  - Odoo reads its config file at start; restart the service for a change to take effect.
seealso:
  - module: systempay.odoo.odoo_info
'''

EXAMPLES = r'''
- name: Discover Odoo
  systempay.odoo.odoo_info:
  register: odoo

- name: Let Odoo find the payment addon, keeping its default addons path on the Debian package
  systempay.odoo.odoo_config:
    path: "{{ odoo.config }}"
    addons_path_add:
      - /opt/odoo/custom-addons
    addons_path_default: "{{ odoo.addons_path }}"
    working_directory: "{{ odoo.working_directory }}"
  register: odoo_conf

- name: Serve one database per host name, so the payment notification reaches its shop
  systempay.odoo.odoo_config:
    path: /etc/odoo/odoo.conf
    dbfilter: ^%d$

- name: Set other options, one of them secret
  systempay.odoo.odoo_config:
    path: /etc/odoo-server.conf
    options:
      proxy_mode: true
      list_db: false
      admin_passwd: "{{ vault_odoo_admin_passwd }}"
    backup: false
'''

RETURN = r'''
addons_path:
  description: Entries of C(addons_path) in the file after the run, as written; empty when the file leaves it unset.
  returned: always
  type: list
  elements: str
  sample: ["/usr/lib/python3/dist-packages/odoo/addons", "/opt/odoo/custom-addons"]
dbfilter:
  description: The C(dbfilter) of the file after the run, empty when unset.
  returned: always
  type: str
  sample: ^%d$
changed_keys:
  description: Names of the C([options]) keys whose value changed (or would change in check mode).
  returned: always
  type: list
  elements: str
  sample: ["addons_path", "dbfilter"]
backup_file:
  description: The copy of the file made before changing it.
  returned: when the file was changed (not in check mode) and O(backup) is true
  type: str
  sample: /etc/odoo/odoo.conf.2741.2024-05-02@10:20:31~
diff:
  description: The file before and after, secret values replaced by C(********).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: Text before.
      type: str
      sample: "[options]\n;addons_path = /usr/lib/python3/dist-packages/odoo/addons\n"
    after:
      description: Text after.
      type: str
      sample: "[options]\n;addons_path = /usr/lib/python3/dist-packages/odoo/addons\n\
        addons_path = /usr/lib/python3/dist-packages/odoo/addons,/opt/odoo/custom-addons\n"
    before_header:
      description: The file.
      type: str
      sample: /etc/odoo/odoo.conf
    after_header:
      description: The file.
      type: str
      sample: /etc/odoo/odoo.conf
'''

import os
import re
import tempfile

from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_conf
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule

# Keys set by their own option, never through ``options``.
OWN_OPTIONS = {'addons_path': 'addons_path_add', 'dbfilter': 'dbfilter'}
_KEY_RE = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.-]*$')
# What Odoo puts in place of %h and %d (odoo/http.py db_filter(): re.escape of the host and its first label).
_SAMPLE_HOST = 'shop1.example.com'


def argument_spec():
    return dict(
        path=dict(type='path', required=True),
        addons_path_add=dict(type='list', elements='path', default=[]),
        addons_path_position=dict(type='str', choices=['first', 'last'], default='last'),
        addons_path_default=dict(type='list', elements='path'),
        working_directory=dict(type='path', default='/'),
        dbfilter=dict(type='str'),
        options=dict(type='dict', default={}, no_log=True),
        backup=dict(type='bool', default=True),
        validate_paths=dict(type='bool', default=True),
    )


def _os_error(exc):
    if isinstance(exc, FileNotFoundError):
        return 'no such file'
    if isinstance(exc, PermissionError):
        return 'permission denied'
    if isinstance(exc, IsADirectoryError):
        return 'it is a folder'
    if isinstance(exc, UnicodeDecodeError):
        return 'not UTF-8 text'
    return to_native(getattr(exc, 'strerror', None) or exc)


def dbfilter_error(value):
    """Why Odoo could not use ``value`` as its dbfilter, or None."""
    host = _SAMPLE_HOST
    pattern = value.replace('%h', re.escape(host)).replace('%d', re.escape(host.partition('.')[0]))
    try:
        re.compile(pattern)
    except re.error as exc:
        return to_native(exc)
    return None


def option_text(key, value):
    """An ``options`` value as the text written in the file."""
    if isinstance(value, bool):
        return 'True' if value else 'False'
    if value is None:
        return ''
    if isinstance(value, (dict, list)):
        raise odoo_conf.OdooConfError('Cannot set %s: its value must be text, not a %s' % (key, type(value).__name__))
    return to_native(value).strip()


def hide_only_secrets(module, options):
    """Keep Ansible's output masking for the secret values of ``options`` only.

    ``no_log`` on the dict makes Ansible keep every value of it out of the logs
    (wanted) and replace each of them wherever it appears in the output, even
    inside other text: ``workers: 2`` would turn ``/var/lib/odoo/addons/12.0``
    into ``/var/lib/odoo/addons/1********.0``. Values of non-secret keys that are
    not also the value of a secret key are given back to the output.
    """
    secret, public = set(), set()
    for key, value in options.items():
        (secret if key.strip().lower() in odoo_conf.SECRET_OPTIONS else public).add(to_native(value))
    module.no_log_values.difference_update(public - secret)


def main():
    module = CollectionModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    path = params['path']
    hide_only_secrets(module, params['options'])

    # what to set, checked before reading anything
    values = {}
    if params['dbfilter'] is not None:
        values['dbfilter'] = params['dbfilter'].strip()
        error = dbfilter_error(values['dbfilter'])
        if error:
            module.fail_json(msg='Cannot set dbfilter to %r: not a regular expression once %%d/%%h are replaced: %s'
                             % (values['dbfilter'], error))
    for key in sorted(params['options'], key=lambda name: name.lower()):
        name = key.strip().lower()
        if name in OWN_OPTIONS:
            module.fail_json(msg='Cannot set %s through options: use the %s option' % (name, OWN_OPTIONS[name]))
        if not _KEY_RE.match(name):
            module.fail_json(msg='Cannot set %r: not an Odoo option name' % key)
        if name in values:
            module.fail_json(msg='Cannot set %s: options names it twice' % name)
        try:
            values[name] = option_text(name, params['options'][key])
        except odoo_conf.OdooConfError as exc:
            module.fail_json(msg=to_native(exc))
    add = []
    for entry in params['addons_path_add']:
        if not os.path.isabs(entry):
            module.fail_json(msg='Cannot add %s to addons_path: not an absolute path' % entry)
        add.append(os.path.normpath(entry))

    # the file
    target = os.path.realpath(path)
    try:
        with open(target, 'rb') as handle:
            original = handle.read().decode('utf-8')
        before = odoo_conf.OdooConf(original)
    except (IOError, OSError, UnicodeDecodeError) as exc:
        module.fail_json(msg='Cannot read Odoo config %s: %s' % (path, _os_error(exc)))
    except odoo_conf.OdooConfError as exc:
        module.fail_json(msg='Cannot read Odoo config %s: %s' % (path, to_native(exc)))
    try:
        conf = odoo_conf.parse_strict(original)
    except odoo_conf.OdooConfError as exc:
        module.fail_json(msg='Cannot edit Odoo config %s: Odoo refuses it as it is: %s' % (path, to_native(exc)))
    changed_keys = []

    # addons_path
    if add:
        cwd = params['working_directory']

        def normalise(entry):
            return os.path.realpath(discovery.expand_path(entry, cwd))

        default = None
        if not conf.is_set('addons_path'):
            default = params['addons_path_default']
            if not default:
                module.fail_json(msg='Cannot add %s to addons_path: %s leaves addons_path unset, so Odoo searches its '
                                     'default folders; give them in addons_path_default (odoo_info returns them as '
                                     'addons_path) so that they stay searched' % (', '.join(add), path))
        try:
            if conf.add_to_list('addons_path', add, params['addons_path_position'], default=default,
                                same=lambda left, right: normalise(left) == normalise(right)):
                changed_keys.append('addons_path')
        except odoo_conf.OdooConfError as exc:
            module.fail_json(msg='Cannot add %s to addons_path: %s' % (', '.join(add), to_native(exc)))
        if params['validate_paths']:
            for entry in odoo_conf.split_list(conf.get('addons_path')):
                if os.path.isdir(normalise(entry)):
                    continue
                if entry in add:
                    module.fail_json(msg='Cannot add %s to addons_path: %s is not a directory' % (entry, entry))
                origin = 'from addons_path_default' if default is not None else 'already in %s' % path
                module.fail_json(msg='Cannot update addons_path of %s: its entry %s (%s) is not a directory; fix it or '
                                     'set validate_paths to false' % (path, entry, origin))

    # dbfilter and the other options
    for key, value in values.items():
        try:
            if conf.set(key, value):
                changed_keys.append(key)
        except odoo_conf.OdooConfError as exc:
            module.fail_json(msg=to_native(exc))

    rendered = conf.render()
    changed = rendered != original
    if changed:
        try:
            check = odoo_conf.parse_strict(rendered)
        except odoo_conf.OdooConfError as exc:
            module.fail_json(msg='Cannot write Odoo config %s: Odoo could not read the result: %s' % (path, to_native(exc)))
        for key, value in values.items():
            if check.get(key) != value:
                module.fail_json(msg='Cannot write Odoo config %s: %s would not read back as set' % (path, key))

    result = dict(
        changed=changed,
        addons_path=odoo_conf.split_list(conf.get('addons_path')) if conf.is_set('addons_path') else [],
        dbfilter=conf.get('dbfilter') if conf.is_set('dbfilter') else '',
        changed_keys=changed_keys,
    )
    if module._diff:
        result['diff'] = dict(
            before=before.render(mask=discovery.MASK),
            after=conf.render(mask=discovery.MASK),
            before_header=path,
            after_header=path,
        )

    if changed and not module.check_mode:
        if params['backup']:
            try:
                result['backup_file'] = module.backup_local(target)
            except Exception as exc:  # backup_local raises a bare Exception (its cause chained)
                module.fail_json(msg='Cannot back up Odoo config %s: %s' % (path, to_native(exc.__cause__ or exc)))
        write(module, target, rendered)
    module.exit_json(**result)


def write(module, target, text):
    """Replace ``target`` by ``text`` through a temporary file beside it (mode, owner and context kept)."""
    folder = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(target), dir=folder)
    except (IOError, OSError) as exc:
        module.fail_json(msg='Cannot write Odoo config %s: cannot create a temporary file in %s: %s'
                             % (target, folder, _os_error(exc)))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(to_bytes(text, encoding='utf-8'))
    except (IOError, OSError) as exc:
        module.cleanup(tmp)
        module.fail_json(msg='Cannot write Odoo config %s: %s' % (target, _os_error(exc)))
    module.atomic_move(tmp, target)


if __name__ == '__main__':
    main()
