"""Helpers for the stand-in's tests: an isolated "host" (temp dirs, config, database dir), the CLI,
a real server subprocess on 127.0.0.1 and a random port, and small throwaway addons."""
import contextlib
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
import xmlrpc.client

STANDIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ODOO_BIN = os.path.join(STANDIN_DIR, 'odoo-bin')
PYTHON = os.environ.get('STANDIN_PYTHON', sys.executable)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Host:
    """One test host: its own copy-free stand-in (or a copy with another series), data dir, DB dir."""

    def __init__(self, root, series=None):
        self.root = str(root)
        self.db_dir = os.path.join(self.root, 'db')
        self.data_dir = os.path.join(self.root, 'data')
        self.addons = os.path.join(self.root, 'addons')
        self.log = os.path.join(self.root, 'odoo.log')
        self.conf = os.path.join(self.root, 'odoo.conf')
        os.makedirs(self.addons, exist_ok=True)
        self.cluster = None
        self.bin = ODOO_BIN
        if series:
            self.bin = self._copy_with_series(series)
        self.options = {'addons_path': self.addons, 'data_dir': self.data_dir, 'logfile': self.log,
                        'http_interface': '127.0.0.1', 'http_port': str(free_port())}
        self.write_conf()

    def _copy_with_series(self, series):
        target = os.path.join(self.root, 'standin')
        shutil.copytree(STANDIN_DIR, target, ignore=shutil.ignore_patterns('tests', '__pycache__'))
        release = os.path.join(target, 'odoo', 'release.py')
        with open(release) as f:
            text = f.read()
        major, minor = series.split('.')
        text = re.sub(r"^version_info = .*$", "version_info = (%s, %s, 0, 'final', 0, '')" % (major, minor),
                      text, flags=re.M)
        with open(release, 'w') as f:
            f.write(text)
        return os.path.join(target, 'odoo-bin')

    def use_cluster(self, cluster):
        """Keep the databases in the PostgreSQL ``cluster`` (:class:`PgCluster`) instead of SQLite files."""
        self.cluster = cluster
        self.write_conf(**cluster.options())

    def database_exists(self, name):
        if self.cluster is not None:
            return self.cluster.sql("SELECT 1 FROM pg_database WHERE datname = '%s'" % name).strip() == '1'
        return os.path.isfile(os.path.join(self.db_dir, name + '.sqlite'))

    def create_foreign_database(self, name):
        """A database of the cluster that is not an Odoo database (no Odoo table at all)."""
        if self.cluster is not None:
            self.cluster.sql('CREATE DATABASE "%s" OWNER "%s"' % (name, self.cluster.user))
            self.cluster.sql('CREATE TABLE inventory (id serial)', name)
        else:
            os.makedirs(self.db_dir, exist_ok=True)
            with open(os.path.join(self.db_dir, name + '.sqlite'), 'wb'):
                pass

    def write_conf(self, **extra):
        self.options.update({k: str(v) for k, v in extra.items()})
        with open(self.conf, 'w') as f:
            f.write('[options]\n')
            for key, value in self.options.items():
                if value is not None:
                    f.write('%s = %s\n' % (key, value))

    @property
    def port(self):
        return int(self.options['http_port'])

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def env(self):
        env = dict(os.environ, ODOO_STANDIN_DB_DIR=self.db_dir, HOME=self.root)
        env.pop('ODOO_RC', None)
        return env

    def run(self, *args, stdin=None, cwd=None, timeout=60):
        """Run the CLI; returns CompletedProcess (text)."""
        return subprocess.run([PYTHON, self.bin, *args], input=stdin, capture_output=True, text=True,
                              env=self.env(), cwd=cwd or self.root, timeout=timeout)

    def odoo(self, *args, **kw):
        return self.run('-c', self.conf, *args, **kw)

    def create_db(self, name, modules='base'):
        result = self.odoo('-d', name, '-i', modules, '--stop-after-init', '--without-demo=all')
        assert result.returncode == 0, self.read_log()
        return result

    def shell(self, db, script):
        return self.run('shell', '-c', self.conf, '-d', db, '--no-http', stdin=textwrap.dedent(script))

    def read_log(self):
        if not os.path.exists(self.log):
            return ''
        with open(self.log) as f:
            return f.read()

    def clear_log(self):
        if os.path.exists(self.log):
            os.remove(self.log)

    @contextlib.contextmanager
    def server(self, *args):
        proc = subprocess.Popen([PYTHON, self.bin, '-c', self.conf, *args], env=self.env(), cwd=self.root,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 20
            while True:
                with contextlib.suppress(OSError), socket.create_connection(('127.0.0.1', self.port), 0.2):
                    break
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError('server did not start:\n' + self.read_log())
                time.sleep(0.05)
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    # ---- clients ---------------------------------------------------------------------------
    def rpc(self, service):
        return xmlrpc.client.ServerProxy('%s/xmlrpc/2/%s' % (self.url, service))

    def execute(self, db, model, method, *args, **kwargs):
        return self.rpc('object').execute_kw(db, 2, 'admin', model, method, list(args), kwargs)

    def http(self, method, path, data=None, headers=None, json_body=None):
        """(status, headers, body text) of a request; never raises on HTTP errors."""
        headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers['Content-Type'] = 'application/json'
        elif data is not None:
            body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
            headers.setdefault('Content-Type', 'application/x-www-form-urlencoded')
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=20) as resp:
                return resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read().decode()

    def jsonrpc(self, path, params=None, rid=1, headers=None):
        return self.http('POST', path, headers=headers,
                         json_body={'jsonrpc': '2.0', 'method': 'call', 'params': params or {}, 'id': rid})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None



# ---- throwaway addons -----------------------------------------------------------------------
def write_files(root, files):
    for rel, content in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(content).lstrip())


def make_module(addons_dir, name, version='1.0', depends=('base',), extra_manifest='', files=None):
    files = dict(files or {})
    files.setdefault('__init__.py', '')
    files['__manifest__.py'] = "{'name': %r, 'version': %r, 'depends': %r, 'license': 'LGPL-3', %s}\n" % (
        name, version, list(depends), extra_manifest)
    write_files(os.path.join(addons_dir, name), files)
    return os.path.join(addons_dir, name)


PROVIDER_MODEL = '''
from odoo import api, fields, models
from odoo.addons.payment.models.payment_provider import PaymentProvider  # noqa: F401 (generation check)


class ProviderSystempay(models.Model):
    _inherit = 'payment.provider'

    code = fields.Selection(selection_add=[('systempay', 'Systempay'), ('systempaymulti', 'Systempay multi')],
                            ondelete={'systempay': 'set default', 'systempaymulti': 'set default'})
    systempay_site_id = fields.Char('Shop ID')
    systempay_key_test = fields.Char('Key in test mode')
    systempay_key_prod = fields.Char('Key in production mode')
    systempay_sign_algo = fields.Selection([('SHA-1', 'SHA-1'), ('SHA-256', 'HMAC-SHA-256')], 'Signature algorithm')
    systempay_notify_url = fields.Char('Instant Payment Notification URL', readonly=True,
                                       default=lambda self: self._systempay_notify_url())

    @api.model
    def _systempay_notify_url(self):
        return self.env['ir.config_parameter'].sudo().get_param('web.base.url') + '/payment/systempay/ipn'
'''

PROVIDER_DATA = '''
<?xml version="1.0" encoding="utf-8"?>
<odoo>
    <data noupdate="1">
        <record id="payment_method_systempay" model="account.payment.method">
            <field name="name">Systempay</field><field name="code">systempay</field>
            <field name="payment_type">inbound</field>
        </record>
        <record id="payment_provider_systempay" model="payment.provider">
            <field name="name">Systempay</field>
            <field name="code">systempay</field>
            <field name="state">test</field>
            <field name="is_published" eval="False"/>
            <field name="company_id" ref="base.main_company"/>
            <field name="systempay_site_id">12345678</field>
            <field name="systempay_key_test">1111111111111111</field>
            <field name="systempay_key_prod">2222222222222222</field>
            <field name="systempay_sign_algo">SHA-256</field>
        </record>
    </data>
</odoo>
'''

PROVIDER_CONTROLLER = '''
import base64
import hashlib
import hmac

from odoo import http
from odoo.http import request


def signature(values, key, algo):
    text = '+'.join(str(values[k]) for k in sorted(values) if k.startswith('vads_')) + '+' + key
    if algo == 'SHA-1':
        return hashlib.sha1(text.encode()).hexdigest()
    return base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()).decode()


class SystempayController(http.Controller):

    @http.route('/payment/systempay/ipn', type='http', auth='public', methods=['POST'], csrf=False)
    def systempay_ipn(self, **post):
        provider = request.env.ref('payment_systempay.payment_provider_systempay').sudo()
        tx = request.env['payment.transaction'].sudo().search(
            [('reference', '=', post.get('vads_order_id') or '')], limit=1)
        key = provider.systempay_key_test if provider.state == 'test' else provider.systempay_key_prod
        if not post or not tx or (post.get('signature') or '').lower() != \\
                signature(post, key, provider.systempay_sign_algo).lower():
            return 'Bad request received.'
        tx.write({'state': 'done'})
        return 'Payment processed, order has been updated.'
'''


def make_provider_addon(addons_dir, version='3.1.1', model=PROVIDER_MODEL, extra_files=None):
    """A minimal 3.x-like ``payment_systempay`` (payment.provider, noupdate data, POST-only IPN)."""
    files = {
        '__init__.py': 'from . import models, controllers\n',
        'models/__init__.py': 'from . import payment_provider\n',
        'models/payment_provider.py': model,
        'controllers/__init__.py': 'from . import main\n',
        'controllers/main.py': PROVIDER_CONTROLLER,
        'data/systempay_data.xml': PROVIDER_DATA,
    }
    files.update(extra_files or {})
    return make_module(addons_dir, 'payment_systempay', version, ['payment'],
                       "'data': ['data/systempay_data.xml']", files)


# -- PostgreSQL: a throwaway cluster for the stand-in's databases (standin_storage = postgresql) -------------------
def pg_bin(program):
    """A PostgreSQL server program of Debian's packages (``postgresql``, which ``make bootstrap`` installs)."""
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/%s' % program))
    assert found, 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/%s): run make bootstrap' % program
    return found[-1]


class PgCluster:
    """A cluster of its own, initialised by ``initdb`` as Debian's does (``postgres`` superuser; local connections
    by peer authentication, TCP by password), on a free port on 127.0.0.1 and a Unix socket in its folder, with a
    login role for the user the tests run as (peer: same name), allowed to create databases, as an Odoo user is."""

    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, 'data')
        self.socket_dir = os.path.join(root, 'run')
        self.port = free_port()
        self.user = pwd.getpwuid(os.getuid()).pw_name
        os.makedirs(self.socket_dir)
        os.chmod(root, 0o755)
        self._as_postgres = ['runuser', '-u', 'postgres', '--'] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(root, 'postgres', 'postgres')
            shutil.chown(self.socket_dir, 'postgres', 'postgres')
        self._run(pg_bin('initdb'), '-D', self.data, '-U', 'postgres', '--auth-local=peer',
                  '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale')
        self._run(pg_bin('pg_ctl'), '-D', self.data, '-l', os.path.join(root, 'server.log'), '-w', '-o',
                  "-k %s -p %d -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                  "-c full_page_writes=off" % (self.socket_dir, self.port), 'start')
        self.sql("CREATE ROLE \"%s\" LOGIN CREATEDB" % self.user)

    def _run(self, *argv):
        done = subprocess.run(self._as_postgres + list(argv), capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def sql(self, statement, db='postgres'):
        """Run ``statement`` as the ``postgres`` superuser; its output (unaligned, tuples only)."""
        return self._run('psql', '-h', self.socket_dir, '-p', str(self.port), '-d', db, '-Atq', '-v',
                         'ON_ERROR_STOP=1', '-c', statement)

    def options(self):
        """odoo.conf keys that reach this cluster through the Unix socket as the test user (peer)."""
        return {'standin_storage': 'postgresql', 'db_host': self.socket_dir, 'db_port': self.port}

    def drop_databases(self):
        for name in self.sql("SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'")\
                .split():
            self.sql('DROP DATABASE "%s" WITH (FORCE)' % name)

    def stop(self):
        self._run(pg_bin('pg_ctl'), '-D', self.data, '-m', 'immediate', 'stop')
