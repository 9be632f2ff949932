# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter systempay.odoo.module_step_from_facts (documented in module_step_from_facts.yml): the result of the
module step when the gather stage's facts prove it has nothing to do (odoo_modules.noop_from_facts)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.systempay.odoo.plugins.module_utils import odoo_modules


def module_step_from_facts(facts, name, databases='all', state='latest'):
    if state not in ('present', 'latest'):
        raise AnsibleFilterError('module_step_from_facts: state must be present or latest, not %r' % (state,))
    # a string is a comma-separated list, as Ansible reads a list option
    requested = [name.strip() for name in databases.split(',')] if isinstance(databases, str) else list(databases or [])
    return odoo_modules.noop_from_facts(facts, name, requested, state)


class FilterModule(object):

    def filters(self):
        return {'module_step_from_facts': module_step_from_facts}
