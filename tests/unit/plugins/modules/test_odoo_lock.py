# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""odoo_lock, driven through main() on a lock file in a temp folder."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import host_lock
from ansible_collections.systempay.odoo.plugins.modules import odoo_lock
from ansible_collections.systempay.odoo.tests.unit.plugins.modules.utils import run_module

A = {'controller': 'ctl1', 'pid': 100, 'started': '2026-12-04T10:00:00Z'}
B = {'controller': 'ctl1', 'pid': 200, 'started': '2026-12-04T10:05:00Z'}


def lock(tmp_path, token, holder, fails=False, **kwargs):
    args = dict(path=str(tmp_path / 'lock' / 'run.lock'), token=token, holder=holder, **kwargs)
    return run_module(odoo_lock, args, fails=fails)


def test_free_lock_is_taken_and_the_same_run_renews_it(tmp_path):
    first = lock(tmp_path, 'a', A, wait=0)
    assert first['acquired'] is True and first['changed'] is True and first['taken_over'] is None
    again = lock(tmp_path, 'a', A, wait=0)
    assert again['acquired'] is True and again['changed'] is False
    with open(str(tmp_path / 'lock' / 'run.lock')) as handle:
        record = json.load(handle)
    assert record['token'] == 'a' and record['holder'] == A and record['expires'] > time.time()


def test_a_second_run_waits_then_fails_naming_the_holder(tmp_path):
    lock(tmp_path, 'a', A)
    start = time.time()
    result = lock(tmp_path, 'b', B, wait=2, fails=True)
    assert time.time() - start >= 2
    assert result['acquired'] is False and result['holder'] == A
    assert 'another run holds it (controller ctl1, ansible-playbook pid 100, run started 2026-12-04T10:00:00Z' in \
        result['msg']


def test_takeover_only_when_expired_or_the_holder_pid_is_gone_on_this_controller(tmp_path):
    lock(tmp_path, 'a', A, lease=1)
    assert lock(tmp_path, 'b', B, wait=0, live_pids=[100, 200], fails=True)['acquired'] is False   # the holder runs
    other = dict(B, controller='ctl2')
    lock(tmp_path, 'a', A)                                                                 # renewed, long lease
    assert lock(tmp_path, 'c', other, wait=0, live_pids=[200], fails=True)['acquired'] is False  # other controller
    taken = lock(tmp_path, 'b', B, wait=0, live_pids=[200])
    assert lock(tmp_path, 'a', A, wait=0, fails=True)['acquired'] is False                  # pids not known: wait
    assert taken['acquired'] is True and taken['taken_over'] == 'holder gone'
    lock(tmp_path, 'b', B, lease=1)
    time.sleep(1.2)
    expired = lock(tmp_path, 'a', A, wait=0)
    assert expired['acquired'] is True and expired['taken_over'] == 'expired'


def test_renew_fails_when_the_lock_was_lost_and_release_only_removes_our_own(tmp_path):
    lock(tmp_path, 'a', A)
    assert lock(tmp_path, 'a', A, state='renewed')['acquired'] is True
    assert 'this run does not hold it any more' in lock(tmp_path, 'b', B, state='renewed', fails=True)['msg']
    assert lock(tmp_path, 'b', B, state='released')['changed'] is False
    assert (tmp_path / 'lock' / 'run.lock').exists()
    assert lock(tmp_path, 'a', A, state='released')['changed'] is True
    assert not (tmp_path / 'lock' / 'run.lock').exists()


def test_each_take_counts_a_generation_and_a_take_after_another_run_took_it_is_refused(tmp_path):
    path = tmp_path / 'lock' / 'run.lock'
    first = lock(tmp_path, 'a', A, wait=0, generation=0)
    assert first['acquired'] is True and first['generation'] == 1
    assert lock(tmp_path, 'b', B, wait=0, generation=0, fails=True)['acquired'] is False     # a holds it
    lock(tmp_path, 'a', A, state='released')
    late = lock(tmp_path, 'b', B, wait=0, generation=0, fails=True)                          # read before a's take
    assert late['acquired'] is False and late['generation'] == 1 and late['holder'] == A
    assert ('another run (controller ctl1, ansible-playbook pid 100, run started 2026-12-04T10:00:00Z) took it at'
            in late['msg']) and 'lock generation 0 when read, 1 now' in late['msg']
    assert not path.exists()                                                                 # left as it was
    fresh = lock(tmp_path, 'b', B, wait=0, generation=1)
    assert fresh['acquired'] is True and fresh['generation'] == 2
    assert lock(tmp_path, 'b', B, wait=0, generation=2)['generation'] == 2                   # renewed, not counted
    assert lock(tmp_path, 'c', A, wait=0, live_pids=[100], generation=2)['taken_over'] == 'holder gone'


def test_a_refused_takeover_puts_the_gone_runs_lock_back(tmp_path):
    path = tmp_path / 'lock' / 'run.lock'
    lock(tmp_path, 'a', A)                                                                   # generation 1
    before = path.read_text()
    refused = lock(tmp_path, 'b', B, wait=0, live_pids=[200], generation=0, fails=True)
    assert refused['acquired'] is False and 'lock generation 0 when read, 1 now' in refused['msg']
    assert path.read_text() == before


def test_a_read_waits_for_a_live_run_and_writes_nothing(tmp_path):
    params = dict(path=str(tmp_path / 'lock' / 'run.lock'), token='b', holder=B, lease=60, wait=0, live_pids=[100, 200])
    free = host_lock.wait_free(params)
    assert free['acquired'] is False and free['generation'] == 0 and free['stale'] is None
    assert not (tmp_path / 'lock').exists()                                                  # not even the folder
    lock(tmp_path, 'a', A, lease=60)
    start = time.time()
    with pytest.raises(host_lock.LockError) as busy:
        host_lock.wait_free(dict(params, wait=1))
    assert time.time() - start >= 1
    assert 'another run holds it (controller ctl1, ansible-playbook pid 100, run started 2026-12-04T10:00:00Z' in \
        str(busy.value) and busy.value.result['holder'] == A
    mtime = os.stat(params['path']).st_mtime_ns
    gone = host_lock.wait_free(dict(params, live_pids=[200]))
    assert gone['stale'] == 'holder gone' and gone['generation'] == 1 and gone['acquired'] is False
    assert os.stat(params['path']).st_mtime_ns == mtime                                      # still a's lock
    lock(tmp_path, 'b', B, live_pids=[200])
    assert host_lock.wait_free(params)['acquired'] is True                                   # this run's own
