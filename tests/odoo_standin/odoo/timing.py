"""Test equipment, not Odoo: the stand-in's timing model (``make bench``).

The stand-in loads a registry in milliseconds; real Odoo takes seconds (ground truth, 2 cores). With
``standin_timing = measured`` in the ``[options]`` of the config file, or ``ODOO_STANDIN_TIMING=measured`` in the
environment, each costly step takes the time measured on real Odoo: the step is padded with a sleep to that time
(what the stand-in's own work took counts). Off by default: ``make test`` runs without it.

| step | time | source |
|---|---|---|
| a registry load by ``odoo shell`` | 2.3 s | ground truth §10 (Odoo 17: shell start + one query); §8 has 1.9-3.3 s on 16 |
| a registry load that installs modules (``-i``) | 6.4 s | ground truth §3 |
| a registry load that upgrades modules (``-u``) | 6.1 s | ground truth §3 |
| a registry load by a running server (first request to a database, or after a signal) | 2.3 s | as the shell's (not measured apart) |
| a server's start to its first HTTP answer | 3.0 s | ground truth §8 (3-6 s): the HTTP socket opens that much later |
"""
import os
import time

from .tools import config

COSTS = {'shell': 2.3, 'init': 6.4, 'update': 6.1, 'server': 2.3, 'cli': 2.3, 'start': 3.0}
ENV_KEY = 'ODOO_STANDIN_TIMING'


def enabled():
    return os.environ.get(ENV_KEY) == 'measured' or config.get('standin_timing') == 'measured'


def spend(step, started):
    """Sleep until ``step`` (a key of :data:`COSTS`), begun at ``started`` (``time.time()``), has taken its time."""
    if enabled():
        left = COSTS[step] - (time.time() - started)
        if left > 0:
            time.sleep(left)
