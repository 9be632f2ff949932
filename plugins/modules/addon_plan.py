#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: addon_plan
short_description: Work out, read-only, what the payment addon's files need on an Odoo host
version_added: 0.1.0
description:
  - The plan of the role systempay.odoo.addon (its entry point C(plan)), in one task run in the controller's own
    process from what M(systempay.odoo.odoo_info) gathered. Nothing is changed anywhere.
  - "In this order, each refusal naming what to fix: the role's inputs; Odoo's facts (read by
    M(systempay.odoo.odoo_info) here only when O(odoo_facts) is empty); a unit that can be restarted, an HTTP
    service to check it by, the destination on an addons path the role can edit, no C(dbfilter) on the unit's command
    line when O(dbfilter) is given, and the process serving Odoo's port in that unit; the archive (O(src), the
    download of O(url), or the first of O(search_dirs) holding a vendor zip) checked as M(systempay.odoo.addon_archive)
    checks it against the host's series; the destination (a writable folder, readable by the service user, on the
    addons path or O(manage_config)); no other copy of the module on Odoo's addons path; what the files need (the
    content hash of the copy in place against the archive's); a downgrade refused unless O(allow_downgrade) (or the
    run finishes the rollback of an upgrade an earlier run left with Odoo not answering); the Python modules the
    release imports, as Odoo's interpreter finds them; and C(--tags) of playbooks/site.yml that leave out a stage the
    selected ones need."
  - The host is asked something only where the gathered facts cannot answer - a destination other than Odoo's own
    C(<data_dir>/addons/<series>) (C(stat), and C(test -r) as the service user), the newest backup of an unfinished
    upgrade (M(systempay.odoo.addon_install) in check mode) and the imports gather did not ask about. On the default
    layout a plan costs the host nothing.
  - This is an action plugin; this page only documents it.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  brand:
    description: Brand of the addon; the module is C(payment_<brand>). Lower-case letters, digits and C(_).
    type: str
    default: systempay
  src:
    description:
      - Controller path of the vendor zip, of a folder of vendor zips, or of an unpacked addon folder
        (M(systempay.odoo.addon_archive)'s O(systempay.odoo.addon_archive#module:src)).
    type: str
    default: ''
  url:
    description:
      - URL of the vendor zip, already downloaded into O(cache_dir) (the role downloads it before the plan).
      - Needs O(checksum); not with O(src).
    type: str
    default: ''
  checksum:
    description: C(sha256:<hex>) or C(sha1:<hex>) the zip must have.
    type: str
    default: ''
  cache_dir:
    description: Controller folder the download of O(url) is in.
    type: str
    default: ''
  search_dirs:
    description:
      - Controller folders looked in, in this order, for C(*_Odoo_*_v*.zip) when O(src) and O(url) are empty; the
        first that holds one is the archive folder.
    type: list
    elements: str
    default: []
  force_range:
    description: Accept an archive whose declared Odoo range does not include the host's series (a warning is given).
    type: bool
    default: false
  dest:
    description: Addons folder the module goes in; empty means Odoo's own C(<data_dir>/addons/<series>).
    type: str
    default: ''
  backup_keep:
    description: Backups of the addon folder to keep (at least 1).
    type: int
    default: 3
  restart_timeout:
    description: Seconds (10 to 3600) the apply stage waits for Odoo after a restart; checked here.
    type: int
    default: 120
  manage_config:
    description: Whether the role may edit odoo.conf; when false, a destination off the addons path is refused.
    type: bool
    default: true
  dbfilter:
    description: The C(dbfilter) the role is to set; refused when the unit's command line sets it.
    type: str
    default: ''
  allow_downgrade:
    description: Accept an archive older than the copy in place.
    type: bool
    default: false
  odoo_facts:
    description:
      - What M(systempay.odoo.odoo_info) returned for the host (the gather stage of playbooks/site.yml). Empty, it is
        read here with O(odoo_service), O(odoo_config) and O(odoo_binary).
    type: dict
    default: {}
  odoo_service:
    description: Systemd unit running Odoo, when O(odoo_facts) is empty (C(auto) finds it).
    type: str
    default: auto
  odoo_config:
    description: Odoo's config file, when O(odoo_facts) is empty (empty, the one the unit names).
    type: str
    default: ''
  odoo_binary:
    description: Odoo's program, when O(odoo_facts) is empty (empty, the one the unit runs).
    type: str
    default: ''
  scope:
    description:
      - V(files) is the whole plan. V(host) stops after Odoo's facts and the unit checks - the destination and how to
        reach Odoo, for a rollback that needs no archive.
    type: str
    choices: [files, host]
    default: files
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads, in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: systempay.odoo.addon_archive
  - module: systempay.odoo.odoo_info
'''

EXAMPLES = r'''
- name: Work out what the addon files need on this host, from the gathered facts
  systempay.odoo.addon_plan:
    brand: systempay
    src: files/Systempay_Odoo_16_v3.1.1.zip
    odoo_facts: "{{ systempay_odoo_facts }}"
  register: plan

- name: Say whether the files change
  ansible.builtin.debug:
    msg: "{{ plan.module }}: {{ plan.before }} -> {{ plan.archive.version }} ({{ 'change' if plan.needs_files else 'same content' }})"
'''

RETURN = r'''
odoo:
  description: Odoo's facts the plan worked from (O(odoo_facts), or what M(systempay.odoo.odoo_info) read).
  returned: always
  type: dict
module:
  description: The module, C(payment_<brand>).
  returned: always
  type: str
  sample: payment_systempay
dest:
  description: The addons folder the module goes in.
  returned: always
  type: str
  sample: /var/lib/odoo/addons/16.0
is_data_dir:
  description: Whether RV(dest) is Odoo's own C(<data_dir>/addons/<series>).
  returned: always
  type: bool
search_path:
  description: The folders Odoo searches for modules, in its order, as the service user can read them.
  returned: always
  type: list
  elements: str
http_url:
  description: Where Odoo answers over HTTP, seen from the host.
  returned: always
  type: str
  sample: http://127.0.0.1:8069
source:
  description: The archive, folder of archives or addon folder checked.
  returned: with scope files
  type: str
archive:
  description: What M(systempay.odoo.addon_archive) returns for the archive (version, range, C(content_sha256), C(python_imports)...).
  returned: with scope files
  type: dict
dest_stat:
  description: C(stat) of RV(dest), as M(ansible.builtin.stat) returns it.
  returned: with scope files
  type: dict
before:
  description: Version of the copy in RV(dest) (V(null) when none; C(unknown (off the addons path)) for a copy Odoo does not list).
  returned: with scope files
  type: str
needs_files:
  description: Whether the files change (no copy, or another content than the archive's).
  returned: with scope files
  type: bool
fix_modes:
  description: Whether Odoo's own addons folder, left unreadable to the service user by an Odoo run as root, is to be given back.
  returned: with scope files
  type: bool
config_call:
  description: Whether odoo.conf is to be looked at (RV(dest) off the addons path, or O(dbfilter) given).
  returned: with scope files
  type: bool
recovering:
  description: Whether the run puts back the newest backup of an upgrade an earlier run left with Odoo not answering.
  returned: with scope files
  type: bool
'''
