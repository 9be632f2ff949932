# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""processes: who listens on a port, and to which systemd unit it belongs (real /proc, and a made-up one)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import socket

import pytest

from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import processes

TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'


def fake_proc(tmp_path, rows, procs):
    """A /proc with net/tcp ``rows`` (port, state, inode) and ``procs`` {pid: (socket inodes, cgroup, argv)}."""
    proc = tmp_path / 'proc'
    (proc / 'net').mkdir(parents=True)
    lines = ['%4d: 00000000:%04X 00000000:0000 %s 00000000:00000000 00:00000000 00000000   101        0 %s 1\n'
             % (index, port, state, inode) for index, (port, state, inode) in enumerate(rows)]
    (proc / 'net' / 'tcp').write_text(TCP_HEADER + ''.join(lines))
    for pid, (inodes, cgroup, argv) in procs.items():
        base = proc / str(pid)
        (base / 'fd').mkdir(parents=True)
        for number, inode in enumerate(inodes):
            os.symlink('socket:[%s]' % inode, str(base / 'fd' / str(number + 3)))
        (base / 'cgroup').write_text('0::%s\n' % cgroup)
        (base / 'cmdline').write_bytes(b'\0'.join(word.encode() for word in argv) + b'\0')
    return str(proc)


def test_the_process_started_by_hand_is_found_and_is_not_the_unit(tmp_path):
    proc = fake_proc(tmp_path, [(8069, '0A', '777'), (8069, '01', '778'), (8072, '0A', '779')], {
        300: (['777'], '/user.slice/user-0.slice/session-1.scope',
              ['/usr/bin/python3', '/usr/bin/odoo', '-c', '/etc/odoo/odoo.conf', '--db_password', 'Zq7-kP2x!vR9wE']),
        301: (['777'], '/user.slice/user-0.slice/session-1.scope', ['/usr/bin/odoo', 'worker']),
        400: (['779'], '/system.slice/odoo.service', ['/usr/bin/odoo']),
    })
    assert processes.listening_inodes(8069, proc) == {'777'}     # the established connection is not a listener
    assert processes.socket_owners({'777'}, proc) == [300, 301]
    owner = processes.port_owner(8069, proc)
    assert owner['pid'] == 300 and owner['unit'] == 'session-1.scope'
    assert 'Zq7-kP2x!vR9wE' not in owner['command'] and '--db_password ' + discovery.MASK in owner['command']
    assert processes.in_cgroup(owner['cgroup'], '/system.slice/odoo.service') is False
    assert processes.describe(owner).startswith('pid 300 (user ')
    assert processes.port_owner(9999, proc) is None


@pytest.mark.parametrize('cgroup, unit_cgroup, inside', [
    ('/system.slice/odoo.service', '/system.slice/odoo.service', True),
    ('/system.slice/odoo.service/worker', '/system.slice/odoo.service', True),
    ('/system.slice/odoo.service2', '/system.slice/odoo.service', False),
    ('/', '/system.slice/odoo.service', False),
    (None, '/system.slice/odoo.service', False),
])
def test_in_cgroup(cgroup, unit_cgroup, inside):
    assert processes.in_cgroup(cgroup, unit_cgroup) is inside


def test_a_real_listening_socket_of_this_process_is_found():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.bind(('127.0.0.1', 0))
        server.listen(1)
        owner = processes.port_owner(server.getsockname()[1])
    finally:
        server.close()
    assert owner is not None and owner['pid'] == os.getpid()
    assert owner['cgroup'] == processes.cgroup_of(os.getpid())


def test_unit_status_reads_systemctl_show():
    out = ('LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=412\n'
           'InvocationID=5a1b\nControlGroup=/system.slice/odoo.service\n')
    status = processes.unit_status(lambda argv: (0, out, ''), 'odoo.service')
    assert (status['ActiveState'], status['MainPID'], status['InvocationID']) == ('active', 412, '5a1b')
    with pytest.raises(discovery.DiscoveryError, match='Cannot ask systemd about odoo.service: no bus'):
        processes.unit_status(lambda argv: (1, '', 'no bus'), 'odoo.service')


def test_the_systemd_line_wins_on_a_hybrid_cgroup_layout(tmp_path):
    """Seen in podman containers here: a `0::` line that is not systemd's tree beside `name=systemd`."""
    base = tmp_path / 'proc' / '42'
    base.mkdir(parents=True)
    (base / 'cgroup').write_text('9:name=systemd:/libpod_parent/libpod-1/system.slice/odoo.service\n'
                                 '1:cpu:/libpod_parent/libpod-1\n0::/libpod_parent/libpod-1\n')
    assert processes.cgroup_of(42, str(tmp_path / 'proc')) == '/libpod_parent/libpod-1/system.slice/odoo.service'
    assert processes.unit_of_cgroup(processes.cgroup_of(42, str(tmp_path / 'proc'))) == 'odoo.service'


def test_a_listener_whose_process_cannot_be_read_is_unreadable_not_absent(tmp_path):
    proc = fake_proc(tmp_path, [(8069, '0A', '777')], {})
    assert processes.port_owner(8069, proc) == {'pid': None, 'user': None, 'command': None, 'cgroup': None,
                                                'unit': None, 'unreadable': True}
