# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Odoo stand-in run locally for module tests.

Builds on the stand-in's own test helper (``tests/odoo_standin/tests/standin_helpers.py``: a host in a temp
folder with its config file, data folder, addons folder and database folder, the CLI, a server subprocess on
127.0.0.1) and adds what module tests need: a server that outlives one ``with`` block (start, stop, restart),
databases copied from a template folder (the stand-in keeps one SQLite file a database), the payment addon
swapped in the addons folder, and the module states of a database as the stand-in reads them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import importlib.util
import json
import os
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
_HELPERS = os.path.join(ROOT, 'tests', 'odoo_standin', 'tests', 'standin_helpers.py')


def _load_helpers():
    spec = importlib.util.spec_from_file_location('systempay_standin_helpers', _HELPERS)
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    return helpers


standin_helpers = _load_helpers()


class StandinHost(standin_helpers.Host):
    """A stand-in host in ``root``; ``environ()`` is what a process needs to use its databases."""

    MODULE = 'payment_systempay'

    def __init__(self, root):
        standin_helpers.Host.__init__(self, root)
        self._running = None

    def environ(self):
        """Variables for processes started by the code under test (the module's ``run_command``)."""
        return {'ODOO_STANDIN_DB_DIR': self.db_dir, 'HOME': self.root}

    # -- databases -------------------------------------------------------------------------
    def databases(self):
        return sorted(name[:-len('.sqlite')] for name in os.listdir(self.db_dir) if name.endswith('.sqlite')) \
            if os.path.isdir(self.db_dir) else []

    def copy_databases(self, other, names=None):
        """Copy databases (their SQLite files) of another host; the server must not run on either."""
        os.makedirs(self.db_dir, exist_ok=True)
        for name in os.listdir(other.db_dir):
            base = name.split('.sqlite')[0]
            if names is None or base in names:
                shutil.copy2(os.path.join(other.db_dir, name), os.path.join(self.db_dir, name))

    def module_states(self, db):
        """``{module: [state, latest_version]}`` of every module the database lists (read by the stand-in)."""
        result = self.shell(db, '''
            import json
            rows = env['ir.module.module'].search_read([], ['name', 'state', 'latest_version'])
            print('STATES=' + json.dumps(dict((r['name'], [r['state'], r['latest_version']]) for r in rows)))
        ''')
        for line in result.stdout.splitlines():
            if line.startswith('STATES='):
                return json.loads(line[len('STATES='):])
        raise AssertionError('the stand-in shell gave no states for %s:\n%s' % (db, result.stderr))

    def module_state(self, db, module=MODULE):
        return self.module_states(db).get(module)

    def module_row(self, db, module=MODULE):
        """``{state, latest_version, write_date}`` of ``module``'s row (read by the stand-in; write_date as text)."""
        result = self.shell(db, '''
            import json
            rows = env['ir.module.module'].search_read([('name', '=', %r)], ['state', 'latest_version', 'write_date'])
            print('ROW=' + json.dumps(rows[0] if rows else None, default=str))
        ''' % module)
        for line in result.stdout.splitlines():
            if line.startswith('ROW='):
                return json.loads(line[len('ROW='):])
        raise AssertionError('the stand-in shell gave no row for %s:\n%s' % (db, result.stderr))

    # -- the addon ---------------------------------------------------------------------------
    def put_addon(self, unpacked, module=MODULE):
        """Replace ``<addons>/<module>`` by the copy in the folder ``unpacked`` (which holds ``<module>/``)."""
        target = os.path.join(self.addons, module)
        if os.path.isdir(target):
            shutil.rmtree(target)
        shutil.copytree(os.path.join(unpacked, module), target)

    # -- a server that outlives a with block -------------------------------------------------
    def start(self):
        if self._running is None:
            stack = contextlib.ExitStack()
            stack.enter_context(self.server())
            self._running = stack

    def stop(self):
        if self._running is not None:
            self._running.close()
            self._running = None

    def restart(self):
        self.stop()
        self.start()
