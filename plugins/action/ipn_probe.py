# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of systempay.odoo.ipn_probe (documented in plugins/modules/ipn_probe.py).

A read of the shops only - ``odoo`` with ``odoo_facts`` (the gather stage's ``odoo_info`` result with
``read_databases``), and no ``urls``, ``shops`` or other option - is answered on the controller when those facts
hold a fresh read of every database it names: the same ``databases`` and ``host_facts`` the module reads on the host
(``db_state.shops_from_facts``), and no probe, so no module is sent to the host. Its options are checked against the
module's own argument spec first. Anything else (a stale or missing read, URLs to probe, an option the module
refuses) runs the module as it is."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.systempay.odoo.plugins.module_utils import db_state
from ansible_collections.systempay.odoo.plugins.module_utils import ipn_options

MODULE = 'systempay.odoo.ipn_probe'
# the options of a read of the shops the controller can answer
READ_ONLY = frozenset(('brand', 'odoo'))


def from_facts(args):
    """The module's result for the task's ``args`` from the gather stage's facts alone, or None when the module
    must run (not a read of the shops only, options it would refuse, or a database without a fresh read)."""
    odoo = args.get('odoo')
    if not set(args) <= READ_ONLY or not isinstance(odoo, dict) or not odoo.get('odoo_facts'):
        return None
    checked = ArgumentSpecValidator(ipn_options.argument_spec(),
                                    required_one_of=ipn_options.REQUIRED_ONE_OF).validate(args)
    if checked.error_messages:
        return None
    params = checked.validated_parameters
    facts = params['odoo']['odoo_facts']
    if not isinstance(facts, dict) or facts.get('failed'):
        return None
    shops = db_state.shops_from_facts(facts, params['brand'], params['odoo']['databases'])
    if shops is None:
        return None
    return dict(changed=False, probes=[], failed_count=0, ok=True, databases=shops['databases'],
                host_facts=shops['host_facts'])


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        answer = from_facts(self._task.args)
        if answer is not None:
            result.update(answer)
            return result
        try:
            result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
