# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter systempay.odoo.shops_from_facts (documented in shops_from_facts.yml): each database's shop as the
ipn_probe module reads it on the host, from the gather stage's facts (db_state.shops_from_facts)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.systempay.odoo.plugins.module_utils import db_state


def shops_from_facts(facts, brand='systempay', databases='all'):
    # a string is a comma-separated list, as Ansible reads a list option
    requested = [name.strip() for name in databases.split(',')] if isinstance(databases, str) else list(databases or [])
    return db_state.shops_from_facts(facts, brand, requested)


class FilterModule(object):

    def filters(self):
        return {'shops_from_facts': shops_from_facts}
