# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which process serves Odoo's port, and what systemd says of the Odoo unit: the facts that prove a restart.

A unit file says how Odoo would be started, not what runs: an Odoo started another way (by hand, supervisor) can
hold the port while the unit is stopped or failing, and then "restart the unit, wait until the port answers" proves
nothing. These helpers read the kernel's tables (``/proc/net/tcp*``, ``/proc/<pid>/fd``, ``/proc/<pid>/cgroup``)
and ``systemctl show``, so a caller can tell whether the process answering the port belongs to the unit, and whether
the unit really started a new process (its ``InvocationID`` changes on every start).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd

from ansible_collections.systempay.odoo.plugins.module_utils import discovery

PROC = '/proc'
_LISTEN = '0A'
UNIT_PROPERTIES = ('LoadState', 'ActiveState', 'SubState', 'MainPID', 'InvocationID', 'ControlGroup',
                   'ExecMainStartTimestampMonotonic')


def listening_inodes(port, proc=PROC):
    """Socket inodes of the TCP sockets listening on ``port`` (IPv4 and IPv6), from ``/proc/net/tcp*``."""
    found = set()
    for name in ('tcp', 'tcp6'):
        try:
            with open(os.path.join(proc, 'net', name)) as handle:
                rows = handle.read().splitlines()[1:]
        except (IOError, OSError):
            continue
        for row in rows:
            fields = row.split()
            if len(fields) < 10 or fields[3] != _LISTEN:
                continue
            try:
                local_port = int(fields[1].rsplit(':', 1)[1], 16)
            except (IndexError, ValueError):
                continue
            if local_port == int(port) and fields[9] != '0':
                found.add(fields[9])
    return found


def socket_owners(inodes, proc=PROC):
    """Pids of the processes holding one of the socket ``inodes`` open, lowest first."""
    wanted = set('socket:[%s]' % inode for inode in inodes)
    pids = []
    if not wanted:
        return pids
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        fd_dir = os.path.join(proc, entry, 'fd')
        try:
            links = os.listdir(fd_dir)
        except (IOError, OSError):
            continue
        for fd in links:
            try:
                if os.readlink(os.path.join(fd_dir, fd)) in wanted:
                    pids.append(int(entry))
                    break
            except (IOError, OSError):
                continue
    return sorted(pids)


def cgroup_of(pid, proc=PROC):
    """The systemd cgroup path of ``pid``: the ``name=systemd`` line on a legacy or hybrid cgroup layout (there the
    ``0::`` line is not systemd's tree), else the ``0::`` line of cgroup v2; None when unreadable."""
    try:
        with open(os.path.join(proc, str(pid), 'cgroup')) as handle:
            lines = handle.read().splitlines()
    except (IOError, OSError):
        return None
    for line in lines:
        parts = line.split(':', 2)
        if len(parts) == 3 and parts[1] == 'name=systemd':
            return parts[2]
    for line in lines:
        if line.startswith('0::'):
            return line[3:] or '/'
    return None


def unit_of_cgroup(cgroup):
    """The systemd unit a cgroup path belongs to (its last ``.service``/``.scope`` part), or None."""
    for part in reversed((cgroup or '').split('/')):
        if part.endswith(('.service', '.scope')):
            return part
    return None


def process(pid, proc=PROC):
    """``{pid, user, command, cgroup, unit}`` of one process; the command line with secret options masked."""
    base = os.path.join(proc, str(pid))
    try:
        with open(os.path.join(base, 'cmdline'), 'rb') as handle:
            argv = [word.decode('utf-8', 'replace') for word in handle.read().split(b'\0') if word]
        uid = os.stat(base).st_uid
    except (IOError, OSError):
        return None
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    cgroup = cgroup_of(pid, proc)
    return {'pid': int(pid), 'user': user, 'command': ' '.join(discovery.mask_command(argv)),
            'cgroup': cgroup, 'unit': unit_of_cgroup(cgroup)}


def port_owner(port, proc=PROC):
    """The process listening on TCP ``port`` (the lowest pid when several share the socket, as Odoo's workers do),
    as :func:`process` gives it, or None when nothing listens. When something listens but no process can be read
    (reading another user's ``/proc/<pid>/fd`` needs CAP_SYS_PTRACE, which root lacks in some containers), a dict
    with ``unreadable: True`` and the other values None."""
    inodes = listening_inodes(port, proc)
    for pid in socket_owners(inodes, proc):
        found = process(pid, proc)
        if found:
            return found
    if inodes:
        return {'pid': None, 'user': None, 'command': None, 'cgroup': None, 'unit': None, 'unreadable': True}
    return None


def in_cgroup(cgroup, unit_cgroup):
    """Whether the cgroup path ``cgroup`` is the unit's cgroup ``unit_cgroup`` or below it."""
    if not cgroup or not unit_cgroup:
        return False
    return cgroup == unit_cgroup or cgroup.startswith(unit_cgroup.rstrip('/') + '/')


def port_owner_of_unit(port, control_group, proc=PROC):
    """:func:`port_owner` with ``in_service``: whether that process is in the unit's cgroup ``control_group`` (None
    when the process cannot be read), or None when nothing listens on ``port``."""
    owner = port_owner(port, proc)
    if owner is not None:
        owner['in_service'] = None if owner.get('unreadable') else in_cgroup(owner['cgroup'], control_group)
    return owner


def unit_status(run_command, unit):
    """``{LoadState, ActiveState, SubState, MainPID, InvocationID, ControlGroup, ...}`` from ``systemctl show``
    (values as text; MainPID an int). Raises :class:`discovery.DiscoveryError` when systemctl cannot answer."""
    rc, out, err = run_command(['systemctl', 'show', unit, '--property=' + ','.join(UNIT_PROPERTIES)])
    if rc != 0:
        raise discovery.DiscoveryError('Cannot ask systemd about %s: %s' % (unit, (err or out or '').strip()))
    status = dict((key, '') for key in UNIT_PROPERTIES)
    for line in (out or '').splitlines():
        if '=' in line:
            key, value = line.split('=', 1)
            status[key] = value
    try:
        status['MainPID'] = int(status.get('MainPID') or 0)
    except ValueError:
        status['MainPID'] = 0
    return status


def describe(owner):
    """``pid 123 (user odoo, unit odoo-manual.service): /usr/bin/odoo -c ...`` for messages."""
    where = 'unit %s' % owner['unit'] if owner.get('unit') else 'cgroup %s' % owner.get('cgroup')
    return 'pid %d (user %s, %s): %s' % (owner['pid'], owner['user'], where, owner['command'])
