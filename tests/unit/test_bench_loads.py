# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""bench/run.py reads the stand-in's registry-load counter line by line: the lines the stand-in itself writes
(tests/odoo_standin/odoo/loading.py count_load) give each load's database and process kind."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def load_bench():
    spec = importlib.util.spec_from_file_location('bench_run', os.path.join(REPO, 'bench', 'run.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_reads_each_line_the_stand_in_writes(tmp_path):
    log = tmp_path / 'registry-loads.log'
    write = ('import sys; sys.argv = %r; from odoo import loading; '
             'loading.count_load("shop1", "ok"); loading.count_load("shop2", "failed")')
    for argv in (['odoo-bin'], ['odoo-bin', 'shell']):
        done = subprocess.run([sys.executable, '-c', write % argv], cwd=os.path.join(REPO, 'tests', 'odoo_standin'),
                              env=dict(os.environ, ODOO_STANDIN_LOAD_LOG=str(log)), capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stderr
    lines = log.read_text().splitlines()
    loads = load_bench().parse_loads(lines + [''])
    assert loads == [('shop1', 'server'), ('shop2', 'server'), ('shop1', 'shell'), ('shop2', 'shell')]
