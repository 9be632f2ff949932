#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: addon_archive
short_description: Check a vendor archive of the payment addon and tell which Odoo versions it is for
version_added: 0.1.0
description:
  - Reads a vendor archive C(<Brand>_Odoo_<range>_v<version>.zip) of the payment addon, or the same tree unpacked,
    without unpacking or importing anything, and fails with a message naming what to fix when it cannot be deployed.
  - Runs on the controller, in the controller's own process (an action plugin), whatever host the task is for;
    the archive is a file of the controller, and a fleet's run starts no Python process per host for it.
    M(systempay.odoo.addon_install) runs the same checks again on the host.
  - "Checks, in this order: the O(checksum) of the zip; the zip can be read; no entry escapes the folder it is
    unpacked in (C(..), absolute paths, drive letters, backslashes); no symbolic links or special files; exactly one
    top-level folder and it is C(payment_<brand>) (another C(payment_*) folder is reported as another brand);
    a C(__manifest__.py) (or C(__openerp__.py)) readable as data with a C(version) and not C(installable: False)."
  - "The declared Odoo range is read as text from the addon's C(helpers/constants.py) (C('CMS_IDENTIFIER': 'Odoo_16',)),
    else from the archive's name (when its version is the manifest's), else from the collection's table of addon lines
    by the manifest version (1.x C(Odoo_10-14), 2.x C(Odoo_15), 3.x C(Odoo_16), 4.x C(Odoo_17-19)).
    RV(range_source) says which."
  - With O(series), fails when the declared range does not include that Odoo series, naming the line to use instead,
    unless O(force_range) is set.
  - RV(content_sha256) is a hash of the module folder's files that M(systempay.odoo.addon_install) computes the same way
    on an installed copy, so a play can tell whether a host already has this content.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  src:
    description:
      - Path of the vendor zip, or of a folder holding the unpacked C(payment_<brand>) folder, or of that folder itself.
      - Or a folder of vendor zips (for a fleet of mixed Odoo versions, as C(files/)) - among its
        C(<Brand>_Odoo_<range>_v<version>.zip) for O(brand), the highest version whose range (in the name) includes
        O(series) is chosen, then checked like a single zip; O(series) is then required, and the task fails naming the
        archives seen when none fits. A folder is taken as such when it holds C(*.zip) files but no manifest and no
        C(payment_<brand>) folder.
    type: path
    required: true
  brand:
    description:
      - Brand of the payment addon; the archive must hold the folder C(payment_<brand>).
      - Lower-case letters, digits and C(_).
    type: str
    default: systempay
  checksum:
    description:
      - Expected checksum of the zip file, C(sha256:<hex>) or C(sha1:<hex>). A mismatch fails and shows both values.
      - Only for a zip; a folder has no such checksum.
    type: str
  series:
    description:
      - Odoo series of the host the archive is meant for (C(16.0)); the declared range must include it.
    type: str
  force_range:
    description:
      - Accept an archive whose declared range does not include O(series) (a warning is still given).
      - Pushing the wrong generation does not fail at copy time but at C(odoo -i) or at registry load.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads the source, in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - Compiled Python (C(__pycache__/), C(*.pyc), C(*.pyo)) in the archive is left out of the hash, the counts and what
    M(systempay.odoo.addon_install) unpacks.
seealso:
  - module: systempay.odoo.addon_install
  - module: systempay.odoo.odoo_info
'''

EXAMPLES = r'''
- name: Check the archive on the controller before touching the host
  systempay.odoo.addon_archive:
    src: "{{ playbook_dir }}/../files/Systempay_Odoo_16_v3.1.1.zip"
    checksum: "sha256:{{ systempay_archive_sha256 }}"
    series: "{{ odoo.series }}"
  register: archive

- name: Tell what will be deployed
  ansible.builtin.debug:
    msg: "{{ archive.module }} {{ archive.version }} ({{ archive.declared_range }}, from {{ archive.range_source }})"

- name: Deploy an archive of another brand on a series it does not declare (at your own risk)
  systempay.odoo.addon_archive:
    src: files/Payzen_Odoo_15_v2.0.5.zip
    brand: payzen
    series: "14.0"
    force_range: true
'''

RETURN = r'''
src:
  description: The zip or folder checked; with a folder of zips, the one chosen.
  returned: success
  type: str
  sample: /srv/ansible/files/Systempay_Odoo_16_v3.1.1.zip
archives_seen:
  description: With a folder of zips, the names of the O(brand)'s archives found there; else empty.
  returned: success
  type: list
  elements: str
  sample: [Systempay_Odoo_10-14_v1.2.6.zip, Systempay_Odoo_16_v3.1.0.zip, Systempay_Odoo_16_v3.1.1.zip]
module:
  description: Name of the Odoo module, C(payment_<brand>).
  returned: success
  type: str
  sample: payment_systempay
version:
  description: C(version) of the manifest (no series prefix).
  returned: success
  type: str
  sample: 3.1.1
declared_range:
  description: Odoo range the archive is for.
  returned: success
  type: str
  sample: Odoo_16
range_source:
  description:
    - Where RV(declared_range) comes from.
    - V(constants) (C(helpers/constants.py)), V(archive name) (the zip's name, or the unpacked folder's),
      V(line table) (the collection's table of addon lines, by version).
  returned: success
  type: str
  sample: constants
line:
  description: Addon line of RV(version) (its first number), V(null) when it is of no known line.
  returned: success
  type: str
  sample: '3'
fits:
  description: Whether RV(declared_range) includes O(series); V(null) without O(series).
  returned: success
  type: bool
  sample: true
content_sha256:
  description: SHA-256 over the module folder's files (sorted relative path, executable bit, SHA-256 of the bytes).
  returned: success
  type: str
  sample: 3f0a8bd1c6b8e3f1e0f2c1d6a7b9e4c2d5f8a1b3c6e9d2f5a8b1c4e7d0a3f6b9
archive_sha256:
  description: SHA-256 of the zip file, V(null) for a folder.
  returned: success
  type: str
  sample: 9b1c4e7d0a3f6b93f0a8bd1c6b8e3f1e0f2c1d6a7b9e4c2d5f8a1b3c6e9d2f5a
files:
  description: Number of files in the module folder.
  returned: success
  type: int
  sample: 18
size:
  description: Total size in bytes of those files, unpacked.
  returned: success
  type: int
  sample: 19034
python_imports:
  description:
    - The Python modules the addon release imports beside Odoo when Odoo loads it (every release C(pkg_resources),
      3.1.0 on also C(requests)), each with the Debian package and the PyPI distribution that provide it; empty for a
      version the collection's release table cannot place.
  returned: success
  type: list
  elements: dict
  sample: [{"module": "pkg_resources", "debian": "python3-setuptools", "pip": "setuptools"},
           {"module": "requests", "debian": "python3-requests", "pip": "requests"}]
ignored:
  description: Top-level files of the zip beside the module folder that only document it (README, CHANGELOG,
    LICENSE, C(*.md), C(*.txt)); they are not unpacked, and a warning names them. Any other top-level file is refused.
  returned: success
  type: list
  elements: str
  sample: [LICENSE, README.md]
'''

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule


def argument_spec():
    return dict(vendor_archive.CHECK_OPTIONS)


def main():
    module = CollectionModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        facts = vendor_archive.check(module.params)
    except vendor_archive.AddonError as exc:
        module.fail_json(msg=to_native(exc))
    for warning in facts.pop('warnings'):
        module.warn(warning)
    module.exit_json(changed=False, **facts)


if __name__ == '__main__':
    main()
