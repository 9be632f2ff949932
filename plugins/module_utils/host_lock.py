# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The per-host lock of a systempay.odoo run: a file on the host holding who took it (the controller's host name,
the ``ansible-playbook`` pid, when the run started), a token, and a lease.

Taken by ``odoo_lock`` (state ``acquired``) or by ``odoo_info`` (option ``lock``). A lock held by another run is
waited for; it is taken over only when its lease has expired, or when its holder ran on this same controller with an
``ansible-playbook`` pid that is no longer running there (the caller lists the pids running on the controller:
``live_pids``). The file is created with ``O_EXCL``, or written to a temporary file renamed into place, so two runs
never both get it.

A run that may have nothing to change reads first and takes the lock only for its first change (playbooks/site.yml):
its read waits while a live run holds the lock (``take`` false: nothing is written) and returns the lock's
generation, a counter kept beside the lock file (``<path>.generation``) that every take of the lock increases. The
take then names that generation (``generation``): when another run took the lock since the read, that run may have
changed the host, the plan made from the read may be wrong, and the take is refused (the lock is left as it was).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile
import time

POLL = 1.0
DEFAULT_PATH = '/var/lib/systempay-odoo/run.lock'

# odoo_lock's options, shared with odoo_info's ``lock`` option (its suboptions)
OPTIONS = dict(
    path=dict(type='path', default=DEFAULT_PATH),
    token=dict(type='str', required=True, no_log=False),
    holder=dict(type='dict', default={}),
    lease=dict(type='int', default=1800),
    wait=dict(type='int', default=300),
    live_pids=dict(type='list', elements='int'),
    generation=dict(type='int'),
)


class LockError(Exception):
    """The lock cannot be taken or renewed; ``result`` is what the module returns with the failure."""

    def __init__(self, msg, result):
        Exception.__init__(self, msg)
        self.result = result


def new_result():
    return dict(changed=False, acquired=False, holder={}, taken_over=None, expires=0, generation=0)


def generation_path(path):
    return path + '.generation'


def read_generation_record(path):
    """The record of the lock's last take (``generation``, ``holder``, ``taken``); empty when it was never taken."""
    try:
        with open(generation_path(path)) as handle:
            record = json.load(handle)
        return record if isinstance(record, dict) else {}
    except (IOError, OSError, ValueError):
        return {}


def read_generation(path):
    """How many times the lock ``path`` was taken (0 when never, or when the counter cannot be read)."""
    try:
        return int(read_generation_record(path).get('generation') or 0)
    except (ValueError, TypeError):
        return 0


def bump_generation(path, holder):
    """Count one more take of the lock (called by the run that holds it now); returns the new generation."""
    generation = read_generation(path) + 1
    replace(generation_path(path), dict(generation=generation, holder=holder,
                                        taken=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())))
    return generation


def read_lock(path):
    """The lock file's record, None when there is none (an unreadable or half-written one counts as expired)."""
    try:
        with open(path) as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {'expires': 0}
    except (IOError, OSError):
        return None if not os.path.exists(path) else {'expires': 0}
    except ValueError:
        return {'expires': 0}


def write_new(path, record):
    """Create the lock file only if there is none (O_EXCL); False when another run got there first."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except OSError:
        return False
    with os.fdopen(fd, 'w') as handle:
        json.dump(record, handle)
    return True


def replace(path, record):
    """Write the lock file over the current one (a temporary file renamed into place)."""
    fd, tmp = tempfile.mkstemp(prefix='.lock-', dir=os.path.dirname(path))
    with os.fdopen(fd, 'w') as handle:
        json.dump(record, handle)
    os.chmod(tmp, 0o640)
    os.rename(tmp, path)


def describe(record):
    holder = record.get('holder') or {}
    return 'controller %s, ansible-playbook pid %s, run started %s, lease until %s' % (
        holder.get('controller', '?'), holder.get('pid', '?'), holder.get('started', '?'),
        time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(record.get('expires') or 0)))


def takeover_reason(record, holder, live_pids, now):
    """Why another run's lock may be taken over (``expired``, ``holder gone``), else None. ``live_pids``: the
    ``ansible-playbook`` pids running on this run's controller (None: not known, no takeover for that reason)."""
    if (record.get('expires') or 0) < now:
        return 'expired'
    theirs = record.get('holder') or {}
    if live_pids is not None and theirs.get('controller') == holder.get('controller') \
            and str(theirs.get('pid')) not in [str(pid) for pid in live_pids]:
        return 'holder gone'
    return None


def _held_by(result, record):
    """``result`` with the holder and the end of the lease of another run's lock ``record``."""
    result.update(holder=record.get('holder') or {}, expires=record.get('expires') or 0)
    return result


def _folder(path, result):
    folder = os.path.dirname(path)
    try:
        if not os.path.isdir(folder):
            os.makedirs(folder, 0o750)
    except OSError as exc:
        raise LockError('Cannot create the lock folder %s: %s' % (folder, exc), result)


def _check(params, result):
    if params['lease'] < 1 or params['wait'] < 0:
        raise LockError('Cannot use the lock: lease must be 1 second or more and wait 0 or more', result)


def acquire(params, warn, sleep=time.sleep):
    """Take the lock (``OPTIONS``), or renew it when this run holds it already; waits for another run's lock up to
    ``wait`` seconds. With ``generation`` (the lock's generation when this run read the host), refuses when another
    run took the lock since. Returns the result (``acquired`` true); raises :class:`LockError` naming the holder."""
    result = new_result()
    _check(params, result)
    path = params['path']
    _folder(path, result)
    mine = dict(token=params['token'], holder=params['holder'])
    deadline = time.time() + params['wait']
    while True:
        now = time.time()
        mine['expires'] = now + params['lease']
        record = read_lock(path)
        if record is None:
            if write_new(path, mine):
                result.update(changed=True, acquired=True, holder=params['holder'], expires=mine['expires'])
                return _counted(params, result, None)
            continue
        if record.get('token') == params['token']:
            replace(path, mine)
            result.update(acquired=True, holder=params['holder'], expires=mine['expires'],
                          generation=read_generation(path))
            return result
        reason = takeover_reason(record, params['holder'], params.get('live_pids'), now)
        if reason:
            replace(path, mine)
            result.update(changed=True, acquired=True, holder=params['holder'], expires=mine['expires'],
                          taken_over=reason)
            _counted(params, result, record)
            theirs = record.get('holder') or {}
            warn('Took over the lock of the run of %s (pid %s, started %s): %s' % (
                theirs.get('controller', '?'), theirs.get('pid', '?'), theirs.get('started', '?'), reason))
            return result
        if now >= deadline:
            raise LockError('Cannot take the lock %s: another run holds it (%s), waited %d s. Let it finish, or, '
                            'when that run is gone, wait for its lease to end or run again from its controller.'
                            % (path, describe(record), params['wait']), _held_by(result, record))
        sleep(POLL)


def _counted(params, result, previous):
    """The lock was just taken (over ``previous``, the record it replaced, or none): refuse when another run took it
    since this run read the host at ``generation`` (the lock is put back as it was), else count this take."""
    path = params['path']
    expected = params.get('generation')
    if expected is not None and read_generation(path) != expected:
        if previous is None:
            os.unlink(path)
        else:
            replace(path, previous)
        last = read_generation_record(path)
        holder = last.get('holder') or {}
        result.update(changed=False, acquired=False, taken_over=None, holder=holder, expires=0,
                      generation=last.get('generation') or 0)
        raise LockError('Cannot take the lock %s: another run (controller %s, ansible-playbook pid %s, run started %s) '
                        'took it at %s, after this run read the host, and may have changed what this run planned '
                        '(lock generation %d when read, %d now). Nothing was changed by this run: run it again, it '
                        'reads the host as it is now.' % (
                            path, holder.get('controller', '?'), holder.get('pid', '?'), holder.get('started', '?'),
                            last.get('taken', '?'), expected, last.get('generation') or 0), result)
    result['generation'] = bump_generation(path, params['holder'])
    return result


def wait_free(params, sleep=time.sleep):
    """Wait, writing nothing, while a live run holds the lock (up to ``wait`` seconds): what a run reads before it
    knows whether it changes anything. Returns the result with the lock's ``generation`` (for the take, see
    :func:`acquire`); ``stale`` is why a lock left on the host may be taken over (``expired``, ``holder gone``),
    ``acquired`` true when this run holds it already. Raises :class:`LockError` naming the holder."""
    result = dict(new_result(), stale=None)
    _check(params, result)
    path = params['path']
    deadline = time.time() + params['wait']
    while True:
        now = time.time()
        generation = read_generation(path)
        record = read_lock(path)
        if record is None:
            result['generation'] = generation
            return result
        if record.get('token') == params['token']:
            result.update(acquired=True, holder=params['holder'], expires=record.get('expires') or 0,
                          generation=generation)
            return result
        reason = takeover_reason(record, params['holder'], params.get('live_pids'), now)
        if reason:
            result.update(generation=generation, stale=reason)
            return _held_by(result, record)
        if now >= deadline:
            raise LockError('Cannot read the host while another run may be changing it: the lock %s says another run '
                            'holds it (%s), waited %d s. Let it finish, or, when that run is gone, wait for its lease '
                            'to end or run again from its controller.' % (path, describe(record), params['wait']),
                            _held_by(result, record))
        sleep(POLL)


def renew(params):
    """Extend the lease of the lock this run holds; raises :class:`LockError` when it lost it."""
    result = new_result()
    _check(params, result)
    record = read_lock(params['path'])
    if record is None or record.get('token') != params['token']:
        raise LockError('Cannot renew the lock %s: this run does not hold it any more (%s)' % (
            params['path'], describe(record) if record else 'no lock'), result)
    mine = dict(token=params['token'], holder=params['holder'], expires=time.time() + params['lease'])
    replace(params['path'], mine)
    result.update(acquired=True, holder=params['holder'], expires=mine['expires'])
    return result


def release(params):
    """Remove the lock when this run holds it (``changed`` then)."""
    result = new_result()
    record = read_lock(params['path'])
    if record is not None and record.get('token') == params['token']:
        os.unlink(params['path'])
        result['changed'] = True
    return result
