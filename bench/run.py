# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench`: how playbooks/site.yml scales over a fleet of Odoo stand-in hosts, as ratios of one run.

Usage (through make, which provides the venv, CONTAINERS_CONF, the image, the collection link and the fixtures):

    make bench                              # N = 1, 4, 8 hosts, one round each
    make bench BENCH_ARGS="--hosts 1,2"     # a quick run while developing
    .venv/bin/python bench/run.py --render-only   # docs/performance.md again from bench/results.json

What it does (docs/performance.md explains every figure):
  1. boots max(N) test hosts (containers bench-odoo-<i> on the network systempay-bench, as tests/scripts/demo.sh
     does, without molecule) and prepares them with molecule/shared/prepare.yml: Debian layout, Odoo 16.0 stand-in,
     databases with website_sale and account, the 3.1.0 fixture addon installed; then keeps a snapshot of that
     state on each host (Odoo stopped, files and databases in a tar) to go back to before every upgrade;
  2. for each N, on bench-odoo-1..N (inventory build/bench/hosts-<N>.yml), the two runs of each ratio back to back:
     back to the snapshot and the upgrade floor (bench/playbooks/upgrade_floor.yml: restart, wait, odoo -u); back
     to the snapshot and the upgrade 3.1.0 -> 3.1.1 (playbooks/site.yml); the no-op re-run (site.yml again); the
     Ansible floor (bench/playbooks/floor.yml: facts + one stat). At the largest N, one more no-op run with
     forks = 5 (Ansible's default) comes just before the no-op run, which then runs with forks = 8
     (bench/ansible.cfg). Restarts are counted on each host from the Odoo log's start-up lines (cross-checked with
     the unit's InvocationID); then, back to the snapshot each time, the upgrade floor and the upgrade again while
     a thread per host polls its HTTP service every 0.1 s (the HTTP down time; the polling costs CPU, so the runs of
     the ratios are not polled);
  3. systempay.odoo.ipn_probe (bench/playbooks/probe.yml) on 50 notification URLs spread over the hosts, then on
     50 URLs of a shop on the controller answering like the addon 0.1 s late (a model of shops across the
     Internet), each at the module's default concurrency (16) and at 1;
  4. writes bench/results.json and the generated part of docs/performance.md, and removes its hosts and network
     (also after a failure, Ctrl-C or SIGTERM; --keep leaves them up).

Standard library only, plus PyYAML (Ansible's own dependency) for the inventories.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import concurrent.futures
import datetime
import http.client
import http.server
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
BUILD = os.path.join(ROOT, 'build', 'bench')
LOGS = os.path.join(BUILD, 'logs')
FIXTURES = os.path.join(ROOT, 'build', 'fixtures')
RESULTS = os.path.join(BENCH, 'results.json')
DOC = os.path.join(ROOT, 'docs', 'performance.md')
# The chart of docs/performance.md: wall time against the number of hosts, drawn from bench/results.json.
CHART = os.path.join(ROOT, 'docs', 'performance-wall-time.svg')
CHART_SERIES = (('upgrade', 'upgrade site.yml', '#c0392b', ''), ('upgrade_floor', 'upgrade floor', '#c0392b', '6,4'),
                ('noop', 'no-op site.yml', '#2471a3', ''), ('floor', 'floor', '#2471a3', '6,4'))
ANSIBLE_CFG = os.path.join(BENCH, 'ansible.cfg')

PREFIX = 'bench-odoo-'
NETWORK = 'systempay-bench'
LABEL = 'systempay.bench=1'
IMAGE = os.environ.get('SYSTEMPAY_TESTHOST_IMAGE') or 'localhost/systempay-odoo-testhost:bookworm'
OLD_ZIP = 'Systempay_Odoo_16_v3.1.0.zip'
NEW_ZIP = 'Systempay_Odoo_16_v3.1.1.zip'
HTTP_PORT = 8069
UNIT = 'odoo.service'
# Debian's cluster of the test image: the instance unit itself, as `postgresql.service` returns before it has stopped
PG_UNIT = 'postgresql@15-main.service'
ODOO_LOG = '/var/log/odoo/odoo-server.log'
# The stand-in's own counter: one line per registry load, "<time> pid=… db=… kind=shell|cli|server ok|failed"
# (tests/odoo_standin/README.md). On real Odoo each load costs seconds.
LOAD_LOG = '/var/lib/odoo-standin/registry-loads.log'
# Before each timed run: wait (SETTLE_LIMIT seconds at most) until the CPUs were idle this share of one second
SETTLE_IDLE = 0.8
SETTLE_LIMIT = 60
# What the stand-in (as Odoo) logs once per start of the HTTP service (odoo/service/server.py).
STARTUP_LINE = 'HTTP service (werkzeug) running on'
SNAPSHOT = '/var/tmp/bench-baseline.tar'
# Everything an upgrade by site.yml changes on a host: data_dir (addons, backups), the PostgreSQL cluster that holds
# the stand-in's databases (its server stopped for the copy), the stand-in's counter and odoo.conf.
STATE_DIRS = ('var/lib/odoo', 'var/lib/postgresql', 'var/lib/odoo-standin', 'etc/odoo')
# where the upgrade runs' database backups go (site.yml's default): emptied with each restore
BACKUP_DIR = '/var/backups/systempay-odoo'
PROBE_URLS = 50
POLL_INTERVAL = 0.1
BEGIN_MARK = '<!-- BEGIN generated by bench/run.py from bench/results.json: do not edit by hand -->'
END_MARK = '<!-- END generated by bench/run.py -->'
RECAP_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', re.M)
# A line of ansible.posix.profile_tasks' summary: "<role> : <task> ------ 1.23s".
PROFILE_RE = re.compile(r'^(\S.*?) -+ (\d+\.\d+)s$', re.M)
# The WAN model of the probe bench: a shop on the controller answering like the 3.x addon's route, each answer
# held back this long (a round trip to a shop across the Internet).
WAN_LATENCY = 0.1


class BenchError(Exception):
    """A step of the bench that failed; the message says which and where its log is."""


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: end like Ctrl-C, through the clean-up."""


def say(message):
    print('bench: %s' % message, flush=True)


# -- podman ---------------------------------------------------------------------------------------------------------

def podman(*args, **kwargs):
    """Run ``podman ARGS``; its result (text). ``check`` (default true) fails on a non-zero exit."""
    check = kwargs.pop('check', True)
    result = subprocess.run(['podman'] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, check=False, **kwargs)
    if check and result.returncode != 0:
        raise BenchError('podman %s failed (exit %d): %s'
                         % (' '.join(args), result.returncode, result.stderr.strip() or result.stdout.strip()))
    return result


def on_host(name, script, check=True):
    """Run a shell script on a bench host (``podman exec``); its standard output."""
    return podman('exec', name, 'sh', '-ec', script, check=check).stdout


def each(function, items):
    """``function(item)`` for every item at once (threads); the results in the order of ``items``."""
    items = list(items)
    if not items:
        return []
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(function, items))


def own_containers():
    """Names of the containers this bench made (name prefix and label), running or not."""
    out = podman('ps', '-a', '--filter', 'label=' + LABEL, '--format', '{{.Names}}').stdout
    return sorted(name for name in out.split() if name.startswith(PREFIX))


def other_containers():
    """How many running containers are not the bench's (other work on the machine: noise)."""
    out = podman('ps', '--format', '{{.Names}}', check=False).stdout
    return len([name for name in out.split() if not name.startswith(PREFIX)])


def remove_hosts():
    """Remove the bench's containers, then its network when nothing else uses it."""
    names = own_containers()
    if names:
        podman('rm', '--force', '--time', '2', *names, check=False)
        say('removed %s' % ', '.join(names))
    if podman('network', 'exists', NETWORK, check=False).returncode == 0:
        if not podman('ps', '-aq', '--filter', 'network=' + NETWORK, check=False).stdout.strip():
            podman('network', 'rm', NETWORK, check=False)
            say('removed network %s' % NETWORK)


def boot(names):
    """Start the bench hosts (systemd containers of the test-host image) and wait until systemd has booted."""
    if podman('image', 'exists', IMAGE, check=False).returncode != 0:
        raise BenchError('the test-host image %s is missing: run `make image` (make bench does)' % IMAGE)
    if podman('network', 'exists', NETWORK, check=False).returncode != 0:
        podman('network', 'create', '--label', LABEL, NETWORK)

    def start(name):
        podman('run', '--detach', '--name', name, '--hostname', name, '--network', NETWORK, '--label', LABEL,
               '--systemd=always', IMAGE, '/sbin/init')
        end = time.monotonic() + 90
        while True:
            # Right after `podman run`, systemd's bus may not exist yet: systemctl fails at once, so ask again.
            state = podman('exec', name, 'timeout', '90', 'systemctl', 'is-system-running', '--wait', check=False)
            if state.stdout.strip() in ('running', 'degraded'):
                break
            if time.monotonic() > end:
                raise BenchError('%s did not finish booting: %s' % (name, state.stdout.strip() or state.stderr.strip()))
            time.sleep(0.2)
        out = podman('inspect', '--format', '{{ (index .NetworkSettings.Networks "%s").IPAddress }}' % NETWORK,
                     name).stdout.strip()
        if not out:
            raise BenchError('%s has no address on %s' % (name, NETWORK))
        return out
    return dict(zip(names, each(start, names)))


# -- Odoo on the hosts -----------------------------------------------------------------------------------------------

def version_url(address):
    return 'http://%s:%d/web/webclient/version_info' % (address, HTTP_PORT)


def answers(address, timeout=1.0):
    """Whether the host's Odoo answers POST /web/webclient/version_info with 200 (what the role waits for)."""
    body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'params': {}, 'id': 1}).encode()
    request = urllib.request.Request(version_url(address), data=body, headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read()
            return answer.status == 200
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        # refused, reset, cut mid-answer, timed out: not answering
        return False


def wait_answering(addresses, limit=120):
    """Wait until every host's Odoo answers; fail after ``limit`` seconds."""
    def wait(item):
        name, address = item
        end = time.monotonic() + limit
        while not answers(address):
            if time.monotonic() > end:
                raise BenchError('%s (%s) does not answer %s after %d s' % (name, address, version_url(address), limit))
            time.sleep(0.2)
    each(wait, sorted(addresses.items()))


def counters(names):
    """Per host: the Odoo unit's InvocationID, how many starts the Odoo log records so far, and the lines of the
    stand-in's registry-load counter."""
    script = ("systemctl show -p InvocationID --value %s; grep -c '%s' %s || true; cat %s 2>/dev/null || true"
              % (UNIT, STARTUP_LINE, ODOO_LOG, LOAD_LOG))

    def read(name):
        lines = on_host(name, script).split('\n')
        return {'invocation': lines[0].strip(), 'starts': int(lines[1].strip() or 0), 'loads': parse_loads(lines[2:])}
    return dict(zip(names, each(read, names)))


def parse_loads(lines):
    """``[(db, kind)]`` of the stand-in's registry-load lines (``<time> pid=… db=… kind=… ok|failed``)."""
    loads = []
    for line in lines:
        fields = dict(part.split('=', 1) for part in line.split()[1:4] if '=' in part)
        if fields:
            loads.append((fields.get('db'), fields.get('kind')))
    return loads


def loads_between(before, after):
    """``{kind: count}`` of the registry loads a run made on one host (``counters`` before and after it)."""
    found = {}
    for dummy, kind in after['loads'][len(before['loads']):]:
        found[kind] = found.get(kind, 0) + 1
    return found


def snapshot(names):
    """Keep the state of each prepared host (Odoo and PostgreSQL stopped for a consistent copy) in a tar on the host."""
    script = ('systemctl stop {unit} {pg}; tar -C / -cpf {tar} {dirs}; systemctl start {pg}; '
              'systemctl start {unit}'
              .format(unit=UNIT, pg=PG_UNIT, tar=SNAPSHOT, dirs=' '.join(STATE_DIRS)))
    each(lambda name: on_host(name, script), names)


def restore(names, addresses):
    """Put each host back to its snapshot (3.1.0 installed, no backup) and wait until Odoo answers."""
    script = ('systemctl stop {unit} {pg}; rm -rf {dirs} {backups}; tar -C / -xpf {tar}; '
              'systemctl start {pg}; systemctl start {unit}'
              .format(unit=UNIT, pg=PG_UNIT, tar=SNAPSHOT, backups=BACKUP_DIR,
                      dirs=' '.join('/' + d for d in STATE_DIRS)))
    each(lambda name: on_host(name, script), names)
    wait_answering(dict((name, addresses[name]) for name in names))


class Poller(threading.Thread):
    """Polls one host's Odoo from the controller every POLL_INTERVAL seconds while a run goes on."""

    def __init__(self, name, address):
        super(Poller, self).__init__(name='poll-' + name, daemon=True)
        self.address = address
        self.samples = []
        self.halt = threading.Event()
        self.ended = None

    def run(self):
        while not self.halt.is_set():
            began = time.monotonic()
            self.samples.append((began, answers(self.address, timeout=1.0)))
            self.halt.wait(max(0.0, POLL_INTERVAL - (time.monotonic() - began)))
        self.ended = time.monotonic()

    def stop(self):
        self.halt.set()
        self.join()

    def down_seconds(self):
        """Seconds during which the host did not answer: each failed poll counts until the next poll began."""
        down = 0.0
        ends = [sample[0] for sample in self.samples[1:]] + [self.ended]
        for (began, up), end in zip(self.samples, ends):
            if not up:
                down += end - began
        return round(down, 2)


# -- Ansible ---------------------------------------------------------------------------------------------------------

def ansible_env(forks=None):
    env = dict(os.environ)
    env['ANSIBLE_CONFIG'] = ANSIBLE_CFG
    env['ANSIBLE_NOCOLOR'] = '1'
    env['ANSIBLE_ROLES_PATH'] = os.path.join(ROOT, 'roles')
    if not env.get('ANSIBLE_COLLECTIONS_PATH'):
        env['ANSIBLE_COLLECTIONS_PATH'] = '%s:%s' % (os.path.join(ROOT, 'build', 'collections'),
                                                     sysconfig.get_paths()['purelib'])
    if forks:
        env['ANSIBLE_FORKS'] = str(forks)
    # Per-task times at the end of each log (build/bench/logs/); on in every timed run, floors included.
    env['ANSIBLE_CALLBACKS_ENABLED'] = 'ansible.posix.profile_tasks'
    env['PROFILE_TASKS_TASK_OUTPUT_LIMIT'] = 'all'
    return env


class Runner(object):
    """Runs and times ansible-playbook; remembers the child so an interruption can end it."""

    def __init__(self):
        self.child = None

    def playbook(self, label, inventory, playbook, extra=(), env=None):
        """Run one playbook, output to build/bench/logs/<label>.log; (seconds, log text)."""
        log = os.path.join(LOGS, label + '.log')
        argv = ['ansible-playbook', '-i', inventory, playbook] + list(extra)
        with open(log, 'w') as out:
            out.write('# %s\n' % ' '.join(argv))
            out.flush()
            began = time.monotonic()
            self.child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                          env=env or ansible_env())
            status = self.child.wait()
            seconds = time.monotonic() - began
            self.child = None
        with open(log) as handle:
            text = handle.read()
        if status != 0:
            tail = '\n'.join(text.rstrip().split('\n')[-25:])
            raise BenchError('%s: ansible-playbook exited %d (log: %s)\n%s' % (label, status, log, tail))
        return seconds, text

    def end_child(self):
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(10)
            except subprocess.TimeoutExpired:
                self.child.kill()


def recap(text):
    """``{host: {ok, changed, failed}}`` from the PLAY RECAP of a default-callback log."""
    found = {}
    for host, ok, changed, unreachable, failed, skipped in RECAP_RE.findall(text):
        found[host] = {'ok': int(ok), 'changed': int(changed), 'failed': int(failed) + int(unreachable),
                       'skipped': int(skipped)}
    return found


def slowest_tasks(text, count=5):
    """The ``count`` slowest tasks of a run, from ansible.posix.profile_tasks' summary: [[name, seconds]]."""
    tail = text[text.rfind('PLAY RECAP'):]
    return [[name.strip(), float(seconds)] for name, seconds in PROFILE_RE.findall(tail)[:count]]


def write_inventory(path, names, databases):
    """The inventory of one set of bench hosts: group odoo, the stand-in inputs of prepare.yml, site.yml's inputs."""
    shops = ['shop%d' % (index + 1) for index in range(databases)]
    group_vars = {
        'ansible_connection': 'containers.podman.podman',
        'ansible_python_interpreter': '/usr/bin/python3',
        # molecule/shared/prepare.yml (docs/architecture.md, "Test hosts")
        'standin_layout': 'debian',
        'standin_series': '16.0',
        'standin_databases': [{'name': shop, 'modules': ['website_sale', 'account']} for shop in shops],
        # With several databases a shop's requests need a dbfilter to reach one (as on a real Odoo). The stand-in's
        # timing model (tests/odoo_standin/odoo/timing.py): each registry load and start takes real Odoo's time.
        'standin_conf_extra': dict({'standin_timing': 'measured'}, **({'dbfilter': '^shop1$'} if databases > 1 else {})),
        'standin_preinstall_addon': os.path.join(FIXTURES, OLD_ZIP),
        # playbooks/site.yml
        'systempay_odoo_brand': 'systempay',
        'addon_src': os.path.join(FIXTURES, NEW_ZIP),
        # bench/playbooks/upgrade_floor.yml
        'bench_databases': shops,
    }
    inventory = {'odoo': {'hosts': dict((name, None) for name in names), 'vars': group_vars}}
    with open(path, 'w') as handle:
        handle.write('---\n# Written by bench/run.py: %d bench host(s), Debian layout, Odoo 16.0 stand-in.\n' % len(names))
        yaml.safe_dump(inventory, handle, default_flow_style=False, sort_keys=False)


# -- one timed run ---------------------------------------------------------------------------------------------------

def load():
    with open('/proc/loadavg') as handle:
        return float(handle.read().split()[0])


def cpu_times():
    """(idle, total) jiffies of every CPU together (/proc/stat; iowait counts as idle)."""
    with open('/proc/stat') as handle:
        values = [int(value) for value in handle.readline().split()[1:]]
    return values[3] + values[4], sum(values)


def settle(limit=SETTLE_LIMIT, window=1.0):
    """Wait until the machine is quiet - a ``window`` in which the CPUs were idle SETTLE_IDLE of the time - or
    ``limit`` seconds have gone: what a restore or the previous run left running (PostgreSQL's and Odoo's start, the
    kernel writing the restored files back) must not be counted in the next run. Returns (seconds waited, idle share
    of the last window)."""
    began = time.monotonic()
    while True:
        idle, total = cpu_times()
        time.sleep(window)
        idle2, total2 = cpu_times()
        share = (idle2 - idle) / float(max(1, total2 - total))
        if share >= SETTLE_IDLE or time.monotonic() - began >= limit:
            return round(time.monotonic() - began, 1), round(share, 2)


def timed_run(runner, kind, n, round_no, names, addresses, playbook, poll=False, forks=None, extra=(), report=False):
    """One timed ansible-playbook run on ``names``, with restarts counted and (``poll``) HTTP polled; with ``report``,
    the run report is written and each database's backup seconds taken from it."""
    label = '%s-n%d-r%d%s' % (kind, n, round_no, '-forks%d' % forks if forks else '')
    report_dir = os.path.join(BUILD, 'reports', label) if report else None
    if report_dir:
        extra = list(extra) + ['-e', 'report_dir=' + report_dir]
    settled_s, idle_before = settle()
    before = counters(names)
    pollers = [Poller(name, addresses[name]) for name in names] if poll else []
    for poller in pollers:
        poller.start()
    load_before = load()
    try:
        seconds, text = runner.playbook(label, os.path.join(BUILD, 'hosts-%d.yml' % n), playbook,
                                        extra=extra, env=ansible_env(forks))
    finally:
        for poller in pollers:
            poller.stop()
    after = counters(names)
    report = os.path.join(report_dir, 'systempay-odoo-report.json') if report_dir else None
    run = {
        'label': label, 'kind': kind, 'hosts': n, 'round': round_no, 'forks': forks or 'bench/ansible.cfg',
        'wall_s': round(seconds, 2),
        'restarts': dict((name, after[name]['starts'] - before[name]['starts']) for name in names),
        'invocation_changed': dict((name, after[name]['invocation'] != before[name]['invocation']) for name in names),
        'registry_loads': dict((name, loads_between(before[name], after[name])) for name in names),
        'recap': recap(text),
        'slowest_tasks': slowest_tasks(text),
        'load_1min_before': load_before,
        'settle_s': settled_s,
        'cpu_idle_before': idle_before,
        'log': os.path.relpath(os.path.join(LOGS, label + '.log'), ROOT),
    }
    if report:
        with open(report) as handle:
            hosts = json.load(handle)['hosts']
        # each database's backup (pg_dump and its filestore), taken by the module step just before its -u
        run['backup_s'] = dict((host['host'], [db['backup_seconds'] for db in host['databases']
                                               if db.get('backup_seconds') is not None]) for host in hosts)
    if poll:
        run['http_down_s'] = dict((name, poller.down_seconds()) for name, poller in zip(names, pollers))
        run['http_polls'] = dict((name, len(poller.samples)) for name, poller in zip(names, pollers))
    for name in names:
        if (run['restarts'][name] > 0) != run['invocation_changed'][name]:
            raise BenchError('%s on %s: the Odoo log counts %d start(s), but the InvocationID of %s %s'
                             % (label, name, run['restarts'][name], UNIT,
                                'changed' if run['invocation_changed'][name] else 'did not change'))
    changed = sum(host['changed'] for host in run['recap'].values())
    say('%-26s %6.2f s  restarts %s  registry loads %s  changed %d%s' % (
        label, seconds, ','.join(str(run['restarts'][name]) for name in names),
        ','.join(str(sum(run['registry_loads'][name].values())) for name in names), changed,
        ('  http down %s s' % ','.join('%.1f' % value for value in run['http_down_s'].values())) if poll else ''))
    return run


def probe_run(runner, target, urls, concurrency, round_no, inventory):
    """Probe ``urls`` with ipn_probe through ansible-playbook (bench/playbooks/probe.yml); wall and task seconds."""
    label = 'probe-%s-c%d-r%d' % (target, concurrency, round_no)
    extra_file = os.path.join(BUILD, 'probe-vars.json')
    with open(extra_file, 'w') as handle:
        json.dump({'bench_probe_urls': urls, 'bench_probe_concurrency': concurrency}, handle, indent=1)
    env = ansible_env()
    env['ANSIBLE_STDOUT_CALLBACK'] = 'ansible.posix.json'
    env.pop('ANSIBLE_CALLBACKS_ENABLED')
    seconds, text = runner.playbook(label, inventory, os.path.join(BENCH, 'playbooks', 'probe.yml'),
                                    extra=['-e', '@' + extra_file], env=env)
    report = json.loads(text[text.index('\n{') + 1:])
    task = report['plays'][0]['tasks'][0]
    verdicts = {}
    for entry in task['hosts']['localhost'].get('probes', []):
        verdicts[entry['verdict']] = verdicts.get(entry['verdict'], 0) + 1
    if verdicts != {'OK': len(urls)}:
        raise BenchError('%s: expected %d OK verdicts, got %s (log: %s)'
                         % (label, len(urls), verdicts, os.path.join(LOGS, label + '.log')))
    task_seconds = parse_time(task['task']['duration']['end']) - parse_time(task['task']['duration']['start'])
    say('%-26s %6.2f s  (module task %.2f s, %d URLs, all OK)' % (label, seconds, task_seconds, len(urls)))
    return {'label': label, 'target': target, 'concurrency': concurrency, 'wall_s': round(seconds, 2),
            'task_s': round(task_seconds, 2), 'urls': len(urls), 'verdicts': verdicts}


class _WanShopHandler(http.server.BaseHTTPRequestHandler):
    """Answers like the 3.x addon's notification route on Odoo 16, WAN_LATENCY seconds late."""

    def log_message(self, *args):
        return

    def _answer(self, status, body, headers=()):
        time.sleep(WAN_LATENCY)
        data = body.encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _on_route(self):
        return self.path.split('?', 1)[0].endswith('/payment/systempay/ipn')

    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if self._on_route():
            self._answer(200, 'Bad request received.')
        else:
            self._answer(404, 'Not Found')

    def do_GET(self):  # noqa: N802
        if self._on_route():
            self._answer(405, 'Method Not Allowed', [('Allow', 'OPTIONS, POST')])
        else:
            self._answer(404, 'Not Found')


class WanShop(object):
    """A local shop server (127.0.0.1, a free port) for the WAN model of the probe bench, while in a with block."""

    def __init__(self):
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _WanShopHandler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, name='wan-shop', daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def probe_all(runner, names, addresses, rounds):
    """ipn_probe on PROBE_URLS URLs: spread over the bench hosts' Odoo, then on the WAN-model shop; c16 and c1."""
    inventory = os.path.join(BUILD, 'hosts-%d.yml' % len(names))
    on_hosts = ['http://%s:%d/payment/systempay/ipn?bench=%d' % (addresses[names[index % len(names)]], HTTP_PORT, index)
                for index in range(PROBE_URLS)]
    found = []
    with WanShop() as shop:
        on_wan = ['http://127.0.0.1:%d/shop%d/payment/systempay/ipn' % (shop.port, index) for index in range(PROBE_URLS)]
        for round_no in range(1, rounds + 1):
            for target, urls in (('hosts', on_hosts), ('wan', on_wan)):
                for concurrency in (16, 1):
                    found.append(probe_run(runner, target, urls, concurrency, round_no, inventory))
    return found


def parse_time(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%fZ').timestamp()


# -- the whole bench -------------------------------------------------------------------------------------------------

def median(values):
    return round(statistics.median(values), 2)


def ratio(top, bottom):
    return round(top / bottom, 2) if bottom else None


def git(*args):
    result = subprocess.run(['git'] + list(args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            universal_newlines=True, check=False)
    return result.stdout.strip()


def machine():
    model = ''
    with open('/proc/cpuinfo') as handle:
        for line in handle:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    with open('/proc/meminfo') as handle:
        mem_kb = int(handle.readline().split()[1])
    return {'cores': os.cpu_count(), 'cpu': model, 'memory_gb': round(mem_kb / 1024 / 1024, 1),
            'kernel': os.uname().release}


def ansible_version():
    out = subprocess.run(['ansible', '--version'], stdout=subprocess.PIPE, universal_newlines=True, check=False).stdout
    return out.split('\n')[0].strip()


def summarise(runs, probes, sizes, databases):
    """The figures of results.json from the raw runs."""
    def seconds_of(kind, n):
        return median([run['wall_s'] for run in runs if run['kind'] == kind and run['hosts'] == n])

    kinds = ('floor', 'noop', 'upgrade_floor', 'upgrade')
    seconds = dict((kind, dict((str(n), seconds_of(kind, n)) for n in sizes)) for kind in kinds)

    def per_host(kind, key):
        return [value for run in runs if run['kind'] == kind for value in run[key].values()]

    def spread(values):
        return {'mean': round(statistics.mean(values), 2), 'max': round(max(values), 2)} if values else None

    def host_loads(kind, n=None):
        return [loads for run in runs if run['kind'] == kind and (n is None or run['hosts'] == n)
                for loads in run.get('registry_loads', {}).values()]

    def loads_per_db(kind, n):
        values = [sum(loads.values()) / float(databases) for loads in host_loads(kind, n)]
        return round(statistics.mean(values), 2) if values else None

    def loads_by_process(kind):
        values = host_loads(kind)
        return dict((process, round(statistics.mean([loads.get(process, 0) / float(databases) for loads in values]), 2))
                    for process in ('shell', 'cli', 'server')) if values else None

    small, large = str(min(sizes)), str(max(sizes))
    scale_key = 'wall_%s_over_%s' % (large, small)
    summary = {
        'noop_vs_floor': dict((str(n), ratio(seconds['noop'][str(n)], seconds['floor'][str(n)])) for n in sizes),
        'upgrade_vs_floor': dict((str(n), ratio(seconds['upgrade'][str(n)], seconds['upgrade_floor'][str(n)]))
                                 for n in sizes),
        scale_key: dict((kind, ratio(seconds[kind][large], seconds[kind][small])) for kind in kinds),
        'restarts_per_host_noop': round(statistics.mean(per_host('noop', 'restarts')), 2),
        'restarts_per_host_noop_range': [min(per_host('noop', 'restarts')), max(per_host('noop', 'restarts'))],
        'restarts_per_host_upgrade': round(statistics.mean(per_host('upgrade', 'restarts')), 2),
        'restarts_per_host_upgrade_range': [min(per_host('upgrade', 'restarts')), max(per_host('upgrade', 'restarts'))],
        'restarts_per_host_upgrade_floor': round(statistics.mean(per_host('upgrade_floor', 'restarts')), 2),
        # from the polled pair of upgrade runs (the runs of the ratios are not polled)
        'http_down_s_per_host': spread(per_host('upgrade_polled', 'http_down_s')),
        'http_down_s_per_host_by_n': dict(
            (str(n), spread([value for run in runs if run['kind'] == 'upgrade_polled' and run['hosts'] == n
                             for value in run['http_down_s'].values()])) for n in sizes),
        'http_down_s_per_host_upgrade_floor': spread(per_host('upgrade_floor_polled', 'http_down_s')),
        # seconds of each database's backup in the upgrade runs (part of the upgrade's wall time, not of its floor)
        'backup_s_per_database': spread([value for run in runs if run['kind'] == 'upgrade'
                                         for values in run.get('backup_s', {}).values() for value in values]),
        # Odoo registry loads per database per run (the stand-in's counter), mean over hosts, per run kind and N;
        # _by_process: the same split by the process that loaded (shell: a read, cli: -i/-u, server: the service)
        'registry_loads_per_db': dict((kind, dict((str(n), loads_per_db(kind, n)) for n in sizes)) for kind in kinds),
        'registry_loads_per_db_by_process': dict((kind, loads_by_process(kind)) for kind in kinds),
        'noop_changed_tasks': sum(host['changed'] for run in runs if run['kind'] == 'noop'
                                  for host in run['recap'].values()),
        'seconds': seconds,
    }

    def probe_seconds(target, fast, key):
        return median([probe[key] for probe in probes
                       if probe['target'] == target and (probe['concurrency'] != 1) == fast])

    for target, prefix in (('hosts', 'probe_50'), ('wan', 'probe_50_wan')):
        if not [probe for probe in probes if probe['target'] == target]:
            continue
        summary.update({
            prefix + '_s': probe_seconds(target, True, 'wall_s'),
            prefix + '_task_s': probe_seconds(target, True, 'task_s'),
            prefix + '_c1_s': probe_seconds(target, False, 'wall_s'),
            prefix + '_c1_task_s': probe_seconds(target, False, 'task_s'),
            prefix + '_concurrency_speedup': ratio(probe_seconds(target, False, 'wall_s'),
                                                   probe_seconds(target, True, 'wall_s')),
            prefix + '_concurrency_speedup_task': ratio(probe_seconds(target, False, 'task_s'),
                                                        probe_seconds(target, True, 'task_s')),
        })
    if probes:
        summary['probe_50_concurrency'] = [probe['concurrency'] for probe in probes if probe['concurrency'] != 1][0]
        summary['probe_50_hosts'] = max(sizes)
        summary['probe_50_wan_latency_s'] = WAN_LATENCY
    settings = [run for run in runs if run['kind'] in ('noop', 'noop_forks') and isinstance(run['forks'], int)]
    if settings:
        by_forks = {}
        for run in settings:
            by_forks.setdefault(str(run['forks']), []).append(run['wall_s'])
        forks_seconds = dict((forks, median(values)) for forks, values in by_forks.items())
        low, high = sorted(by_forks, key=int)
        summary['ansible_settings'] = {
            'hosts': settings[0]['hosts'], 'run': 'noop (playbooks/site.yml, converged)',
            'forks': [int(low), int(high)],
            'seconds_by_forks': forks_seconds,
            'speedup': ratio(forks_seconds[low], forks_seconds[high]),
        }
    return summary


def bench(args, runner):
    sizes = sorted(set(args.hosts))
    names = ['%s%d' % (PREFIX, index + 1) for index in range(max(sizes))]
    for zip_name in (OLD_ZIP, NEW_ZIP):
        if not os.path.isfile(os.path.join(FIXTURES, zip_name)):
            raise BenchError('%s is missing: run `make fixtures` (make bench does)' % os.path.join(FIXTURES, zip_name))
    os.makedirs(LOGS, exist_ok=True)
    for old in os.listdir(LOGS):
        os.remove(os.path.join(LOGS, old))
    started = time.monotonic()
    phases = {}

    if own_containers():
        say('removing the hosts of an earlier bench')
        remove_hosts()
    say('booting %d host(s): %s' % (len(names), ', '.join(names)))
    addresses = boot(names)
    phases['boot_s'] = round(time.monotonic() - started, 1)

    for n in sizes:
        write_inventory(os.path.join(BUILD, 'hosts-%d.yml' % n), names[:n], args.databases)
    write_inventory(os.path.join(BUILD, 'hosts-%d.yml' % len(names)), names, args.databases)
    say('preparing the stand-in on every host (molecule/shared/prepare.yml, %s pre-installed)' % OLD_ZIP)
    mark = time.monotonic()
    runner.playbook('prepare', os.path.join(BUILD, 'hosts-%d.yml' % len(names)),
                    os.path.join(ROOT, 'molecule', 'shared', 'prepare.yml'))
    snapshot(names)
    wait_answering(addresses)
    phases['prepare_s'] = round(time.monotonic() - mark, 1)

    site = os.path.join(ROOT, 'playbooks', 'site.yml')
    floor = os.path.join(BENCH, 'playbooks', 'floor.yml')
    upgrade_floor = os.path.join(BENCH, 'playbooks', 'upgrade_floor.yml')
    # forks: at the largest N, one more no-op run with the lower forks value, just before the no-op run of the
    # figures, which then runs with the higher one (bench/ansible.cfg's 8 by default).
    compare = not args.skip_settings and len(names) > args.forks[0]
    low, high = args.forks
    runs = []
    mark = time.monotonic()
    for round_no in range(1, args.rounds + 1):
        for n in sizes:
            hosts = names[:n]
            forks = high if compare and n == len(names) else None
            # Each figure's two runs back to back, so that the load of the machine at that moment weighs on both.
            # The runs of the ratios are not polled: 8 hosts polled every 0.1 s from the controller keep the same
            # two CPUs busy, and that doubles a step that computes (gather: 13.2 s against 6.5 s on 8 hosts) while
            # the floor's steps mostly wait. HTTP down time comes from the polled pair after them.
            restore(hosts, addresses)
            runs.append(timed_run(runner, 'upgrade_floor', n, round_no, hosts, addresses, upgrade_floor))
            restore(hosts, addresses)
            runs.append(timed_run(runner, 'upgrade', n, round_no, hosts, addresses, site, report=True))
            # The no-op measures a converged host in its steady state: the upgrade left each server's registry to
            # be reloaded by its next request (Odoo's signaling after -u), which a shop's traffic makes; one request
            # per host makes it here, before the no-op, as the polling did when the upgrade runs were polled.
            wait_answering(dict((name, addresses[name]) for name in hosts))
            if forks:
                runs.append(timed_run(runner, 'noop_forks', n, round_no, hosts, addresses, site, forks=low))
            runs.append(timed_run(runner, 'noop', n, round_no, hosts, addresses, site, forks=forks))
            runs.append(timed_run(runner, 'floor', n, round_no, hosts, addresses, floor))
            restore(hosts, addresses)
            runs.append(timed_run(runner, 'upgrade_floor_polled', n, round_no, hosts, addresses, upgrade_floor,
                                  poll=True))
            restore(hosts, addresses)
            runs.append(timed_run(runner, 'upgrade_polled', n, round_no, hosts, addresses, site, poll=True))
    phases['runs_s'] = round(time.monotonic() - mark, 1)

    found = []
    mark = time.monotonic()
    if not args.skip_probe:
        found = probe_all(runner, names, addresses, args.rounds)
    phases['probe_s'] = round(time.monotonic() - mark, 1)
    phases['total_s'] = round(time.monotonic() - started, 1)

    results = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'machine': machine(),
        'git_commit': git('rev-parse', 'HEAD'),
        'git_dirty': bool(git('status', '--porcelain', '--untracked-files=no')),
        'ansible': ansible_version(),
        'hosts': sizes,
        'databases_per_host': args.databases,
        'rounds': args.rounds,
        'upgrade': '%s -> %s' % (OLD_ZIP, NEW_ZIP),
        'other_containers_running_at_end': other_containers(),
        'phases': phases,
    }
    results.update(summarise(runs, found, sizes, args.databases))
    results['runs'] = runs
    results['probes'] = found
    return results


# -- docs/performance.md ---------------------------------------------------------------------------------------------

def render(results):
    """The generated part of docs/performance.md (between BEGIN_MARK and END_MARK)."""
    sizes = [str(n) for n in results['hosts']]
    seconds = results['seconds']
    small, large = sizes[0], sizes[-1]
    scale = results.get('wall_%s_over_%s' % (large, small), {})
    by_n = results['http_down_s_per_host_by_n']
    runs = results['runs']

    def restarts(kind, n):
        values = [value for run in runs if run['kind'] == kind and str(run['hosts']) == n
                  for value in run['restarts'].values()]
        return '%g' % statistics.mean(values) if values else '-'

    def row(title, cells):
        return '| %s | %s |' % (title, ' | '.join(cells))

    def loads_cell(kind, n):
        value = results.get('registry_loads_per_db', {}).get(kind, {}).get(n)
        return '-' if value is None else '%g' % value

    def first(kind, n):
        return [run for run in runs if run['kind'] == kind and str(run['hosts']) == n][0]

    def tasks(kind, n):
        host = list(first(kind, n)['recap'].values())[0]
        return '%d / %d' % (host['ok'], host['skipped'])

    def loads(n):
        return ' / '.join('%.1f' % first(kind, n)['load_1min_before'] for kind in ('upgrade_floor', 'upgrade', 'noop', 'floor'))

    def idle(n):
        runs = [first(kind, n) for kind in ('upgrade_floor', 'upgrade', 'noop', 'floor')]
        if any('cpu_idle_before' not in run for run in runs):
            return 'n/a'
        return ' / '.join('%d %% (%.0f s)' % (100 * run['cpu_idle_before'], run['settle_s']) for run in runs)

    lines = [
        BEGIN_MARK,
        '',
        'Run of %s, git `%s`%s, %s, %d cores (%s), %s; %d database(s) per host, %d round(s), medians.'
        % (results['date'], results['git_commit'][:12], ' (with uncommitted changes)' if results['git_dirty'] else '',
           results['ansible'], results['machine']['cores'], results['machine']['cpu'] or 'unknown CPU',
           '%s GB' % results['machine']['memory_gb'], results['databases_per_host'], results['rounds']),
        '',
        '![Wall time against hosts: upgrade and no-op site.yml runs and their floors](%s)'
        % os.path.basename(CHART),
        '',
        row('figure', ['N = %s' % n for n in sizes]),
        '|---|' + '---:|' * len(sizes),
        row('`noop_vs_floor`', ['%.2f' % results['noop_vs_floor'][n] for n in sizes]),
        row('`upgrade_vs_floor`', ['%.2f' % results['upgrade_vs_floor'][n] for n in sizes]),
        row('restarts per host, no-op (must be 0)', [restarts('noop', n) for n in sizes]),
        row('restarts per host, upgrade (must be 1)', [restarts('upgrade', n) for n in sizes]),
        row('Odoo registry loads per database: no-op', [loads_cell('noop', n) for n in sizes]),
        row('Odoo registry loads per database: upgrade', [loads_cell('upgrade', n) for n in sizes]),
        row('Odoo registry loads per database: upgrade floor', [loads_cell('upgrade_floor', n) for n in sizes]),
        row('HTTP down per host during the upgrade, s (mean / max)',
            ['%.1f / %.1f' % (by_n[n]['mean'], by_n[n]['max']) for n in sizes]),
        row('floor (facts + stat), s', ['%.1f' % seconds['floor'][n] for n in sizes]),
        row('no-op `site.yml`, s', ['%.1f' % seconds['noop'][n] for n in sizes]),
        row('upgrade floor (restart + wait + `odoo -u`), s', ['%.1f' % seconds['upgrade_floor'][n] for n in sizes]),
        row('upgrade `site.yml` 3.1.0 → 3.1.1, s', ['%.1f' % seconds['upgrade'][n] for n in sizes]),
        row('tasks per host (ok / skipped): floor', [tasks('floor', n) for n in sizes]),
        row('tasks per host (ok / skipped): no-op', [tasks('noop', n) for n in sizes]),
        row('tasks per host (ok / skipped): upgrade floor', [tasks('upgrade_floor', n) for n in sizes]),
        row('tasks per host (ok / skipped): upgrade', [tasks('upgrade', n) for n in sizes]),
        row('load average (1 min) before: upgrade floor / upgrade / no-op / floor', [loads(n) for n in sizes]),
        row('CPU idle in the second before (wait to settle): upgrade floor / upgrade / no-op / floor',
            [idle(n) for n in sizes]),
        '',
        '| figure | value |',
        '|---|---:|',
        '| `wall_%s_over_%s`, upgrade | %s |' % (large, small, scale.get('upgrade')),
        '| `wall_%s_over_%s`, no-op | %s |' % (large, small, scale.get('noop')),
        '| `wall_%s_over_%s`, floor (for comparison) | %s |' % (large, small, scale.get('floor')),
        '| `wall_%s_over_%s`, upgrade floor (for comparison) | %s |' % (large, small, scale.get('upgrade_floor')),
        '| `restarts_per_host_noop` (all runs) | %s |' % results['restarts_per_host_noop'],
        '| `restarts_per_host_upgrade` (all runs) | %s |' % results['restarts_per_host_upgrade'],
        '| `http_down_s_per_host`, upgrade (mean / max, s) | %.1f / %.1f |'
        % (results['http_down_s_per_host']['mean'], results['http_down_s_per_host']['max']),
        '| same, upgrade floor (mean / max, s) | %.1f / %.1f |'
        % (results['http_down_s_per_host_upgrade_floor']['mean'], results['http_down_s_per_host_upgrade_floor']['max']),
        '| changed tasks in the no-op runs | %d |' % results['noop_changed_tasks'],
    ]
    if results.get('backup_s_per_database'):
        backup = results['backup_s_per_database']
        lines.append('| database backup before its `-u`, part of the upgrade (`pg_dump` and filestore; mean / max, s, '
                     'per database) | %.2f / %.2f |' % (backup['mean'], backup['max']))
    for kind, what in (('noop', 'no-op'), ('upgrade', 'upgrade'), ('upgrade_floor', 'upgrade floor')):
        split = (results.get('registry_loads_per_db_by_process') or {}).get(kind)
        if split:
            lines.append('| Odoo registry loads per database, %s, by process (all N): read (`odoo shell`) / '
                         '`-i`/`-u` / the service | %g / %g / %g |' % (what, split['shell'], split['cli'], split['server']))
    for prefix, where in (('probe_50', 'on the %s bench hosts' % results.get('probe_50_hosts')),
                          ('probe_50_wan', 'on one local shop answering %g s late (WAN model)'
                           % results.get('probe_50_wan_latency_s', 0))):
        if prefix + '_s' not in results:
            continue
        lines += [
            '| `%s_s`: 50 URLs %s, concurrency %d: playbook wall (module task), s | %.2f (%.2f) |'
            % (prefix, where, results['probe_50_concurrency'], results[prefix + '_s'], results[prefix + '_task_s']),
            '| same, concurrency 1, s | %.2f (%.2f) |' % (results[prefix + '_c1_s'], results[prefix + '_c1_task_s']),
            '| `%s_concurrency_speedup`: playbook wall (module task) | %s (%s) |'
            % (prefix, results[prefix + '_concurrency_speedup'], results[prefix + '_concurrency_speedup_task']),
        ]
    settings = results.get('ansible_settings')
    if settings:
        low, high = settings['forks']
        lines.append('| no-op on %d hosts, forks %d → %d: s, speedup | %s → %s, %s |'
                     % (settings['hosts'], low, high, settings['seconds_by_forks'][str(low)],
                        settings['seconds_by_forks'][str(high)], settings['speedup']))
    for kind, what in (('noop', 'no-op'), ('upgrade', 'upgrade')):
        run = first(kind, large)
        lines += ['', 'Slowest tasks of the %s run on %s host(s) (ansible.posix.profile_tasks, `%s`):' % (what, large, run['log']),
                  '']
        lines += ['- %s: %.2f s' % (name, seconds_) for name, seconds_ in run['slowest_tasks']]
    phases = results['phases']
    lines += [
        '',
        'Bench wall time %d s (boot %d s, prepare %d s, timed runs %d s, probes %d s); %d other '
        'container(s) were running on the machine at the end.'
        % (phases['total_s'], phases['boot_s'], phases['prepare_s'], phases['runs_s'],
           phases['probe_s'], results['other_containers_running_at_end']),
        '',
        END_MARK,
    ]
    return '\n'.join(lines)


def chart(results):
    """An SVG line chart of the wall time of each run kind against the number of hosts (CHART_SERIES), with
    its axes, ticks and legend; plain SVG text, no plotting library."""
    sizes = [int(n) for n in results['hosts']]
    seconds = results['seconds']
    width, height, left, right, top, bottom = 640, 380, 60, 170, 30, 50
    top_s = max(value for kind, dummy, dummy, dummy in CHART_SERIES for value in seconds[kind].values())
    step = next(candidate for candidate in (5, 10, 20, 25, 50, 100, 200, 500, 1000) if top_s / candidate <= 8)
    top_s = step * (int(top_s / step) + 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(n):
        return left + plot_w * (n - sizes[0]) / float(max(sizes[-1] - sizes[0], 1))

    def y(value):
        return top + plot_h * (1 - value / float(top_s))

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="sans-serif" font-size="12">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="14">Wall time against hosts (make bench, %s)</text>'
           % (left, results.get('date', '')[:10])]
    for tick in range(0, top_s + 1, step):
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (left, y(tick), left + plot_w, y(tick)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%d s</text>' % (left - 6, y(tick) + 4, tick))
    for n in sizes:
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (x(n), top + plot_h + 18, n))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">hosts</text>' % (left + plot_w / 2.0, height - 8))
    axis = top + plot_h
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, axis, left + plot_w, axis))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (left, top, left, top + plot_h))
    for index, (kind, label, color, dash) in enumerate(CHART_SERIES):
        points = ' '.join('%.1f,%.1f' % (x(n), y(seconds[kind][str(n)])) for n in sizes)
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>'
                   % (points, color, ' stroke-dasharray="%s"' % dash if dash else ''))
        for n in sizes:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (x(n), y(seconds[kind][str(n)]), color))
        ly = top + 10 + index * 20
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (width - right + 15, ly, width - right + 45, ly, color,
                      ' stroke-dasharray="%s"' % dash if dash else ''))
        out.append('<text x="%d" y="%d">%s</text>' % (width - right + 50, ly + 4, label))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def write_doc(results):
    with open(CHART, 'w') as handle:
        handle.write(chart(results))
    block = render(results)
    text = ''
    if os.path.exists(DOC):
        with open(DOC) as handle:
            text = handle.read()
    if BEGIN_MARK in text and END_MARK in text:
        head = text[:text.index(BEGIN_MARK)]
        tail = text[text.index(END_MARK) + len(END_MARK):]
        text = head + block + tail
    else:
        text = text.rstrip('\n') + '\n\n' + block + '\n'
    with open(DOC, 'w') as handle:
        handle.write(text)


# -- main ------------------------------------------------------------------------------------------------------------

def sizes_arg(text):
    try:
        sizes = [int(part) for part in text.split(',') if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError('give host counts such as 1,4,8')
    if len(sizes) < 2 or min(sizes) < 1 or max(sizes) > 16:
        raise argparse.ArgumentTypeError('give at least two host counts between 1 and 16, such as 1,4,8')
    return sizes


def forks_arg(text):
    try:
        values = sorted(int(part) for part in text.split(','))
    except ValueError:
        raise argparse.ArgumentTypeError('give two forks values such as 5,8')
    if len(values) != 2 or values[0] < 1 or values[0] == values[1]:
        raise argparse.ArgumentTypeError('give two different forks values such as 5,8')
    return values


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Benchmark playbooks/site.yml on bench hosts (docs/performance.md).')
    parser.add_argument('--hosts', type=sizes_arg, default=[1, 4, 8], help='host counts N (default 1,4,8)')
    parser.add_argument('--databases', type=int, choices=(1, 2), default=2, help='databases per host (default 2)')
    parser.add_argument('--rounds', type=int, default=1, help='rounds of every timed run; medians (default 1)')
    parser.add_argument('--forks', type=forks_arg, default=[5, 8],
                        help='the two forks values compared on the no-op run at the largest N (default 5,8)')
    parser.add_argument('--skip-settings', action='store_true', help='no forks comparison')
    parser.add_argument('--skip-probe', action='store_true', help='no ipn_probe timing')
    parser.add_argument('--keep', action='store_true', help='leave the bench hosts up at the end')
    parser.add_argument('--render-only', action='store_true',
                        help='only write docs/performance.md again from bench/results.json')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.render_only:
        with open(RESULTS) as handle:
            write_doc(json.load(handle))
        say('wrote %s from %s' % (os.path.relpath(DOC, ROOT), os.path.relpath(RESULTS, ROOT)))
        return 0
    os.environ.setdefault('CONTAINERS_CONF', os.path.join(ROOT, 'tests', 'containers.conf'))
    # ansible-playbook from the venv this runs in, also when started as .venv/bin/python bench/run.py
    os.environ['PATH'] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')

    def interrupted(signum, frame):
        raise Interrupted('signal %d' % signum)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    runner = Runner()
    status = 1
    try:
        results = bench(args, runner)
        with open(RESULTS, 'w') as handle:
            json.dump(results, handle, indent=2)
            handle.write('\n')
        write_doc(results)
        say('wrote %s and %s' % (os.path.relpath(RESULTS, ROOT), os.path.relpath(DOC, ROOT)))
        status = 0
    except BenchError as exc:
        print('bench: FAILED: %s' % exc, file=sys.stderr)
    except (KeyboardInterrupt, Interrupted) as exc:
        print('bench: interrupted (%s)' % (str(exc) or 'Ctrl-C'), file=sys.stderr)
        status = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        runner.end_child()
        if args.keep:
            say('hosts kept (--keep): %s; remove them with `podman rm -f %s`'
                % (', '.join(own_containers()), ' '.join(own_containers())))
        else:
            remove_hosts()
    return status


if __name__ == '__main__':
    sys.exit(main())
