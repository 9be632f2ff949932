# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``import ansible_collections.systempay.odoo...`` work for ``pytest tests/unit``.

The checkout is exposed as a collection through
``build/collections/ansible_collections/systempay/odoo`` (a symlink to the
checkout, made by ``make collections-link``; made here too when missing, the
same way). ``build/`` is git-ignored. When the tests already run from inside an
``ansible_collections/systempay/odoo`` tree (ansible-test), nothing is done.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def _collections_root():
    parts = ROOT.split(os.sep)
    if len(parts) > 3 and parts[-3:-2] == ['ansible_collections']:
        return os.sep.join(parts[:-3])
    link = os.path.join(ROOT, 'build', 'collections', 'ansible_collections', 'systempay', 'odoo')
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        if os.path.islink(link):
            os.unlink(link)  # a dangling link
        os.symlink(os.path.join('..', '..', '..', '..'), link)
    return os.path.join(ROOT, 'build', 'collections')


_COLLECTIONS = _collections_root()
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
for _name in [name for name in sys.modules if name == 'ansible_collections' or name.startswith('ansible_collections.')]:
    # ansible may have set up its own loader for the namespace; ours must win for this tree.
    if _name.startswith('ansible_collections.systempay'):
        del sys.modules[_name]
