"""Verify the default scenario: site.yml installed the 3.1.1 fixture addon on a Debian-packaged Odoo 16.0.

Prepared host: no addon. Converge: playbooks/site.yml with addon_src = the 3.1.1 zip. The checks every
scenario shares (service, XML-RPC and web version) are in molecule/shared/tests/test_odoo_common.py.
"""

import hashlib
import json
import os
from pathlib import Path

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

ADDON = "/var/lib/odoo/addons/16.0/payment_systempay"


def test_debian_layout(host):
    assert host.file("/usr/bin/odoo").mode == 0o755
    assert host.file("/usr/lib/python3/dist-packages/odoo/release.py").is_file
    conf = host.file("/etc/odoo/odoo.conf")
    assert conf.user == "odoo"
    assert conf.contains("^;addons_path")
    assert conf.contains("^data_dir = /var/lib/odoo$")


def test_addon_files_in_the_data_dir_owned_by_odoo(host):
    """The role put 3.1.1 where Odoo looks first, owned by the service user, nothing left beside it."""
    manifest = host.file(ADDON + "/__manifest__.py")
    assert manifest.is_file and manifest.user == "odoo" and manifest.group == "odoo"
    assert "'version': '3.1.1'" in manifest.content_string
    assert host.file(ADDON).user == "odoo"
    # a first install leaves no backup and no staging folder behind
    assert host.check_output("ls -A /var/lib/odoo/addons/16.0") == "payment_systempay"
    # and no copy of the vendor zip anywhere on the host (it went in with the install task, in its temporary folder)
    assert host.check_output("find / -xdev -name 'Systempay_Odoo_*.zip' -print") == ""
    # files owned by anyone but odoo, inside the addon
    assert host.check_output("find %s ! -user odoo", ADDON) == ""


def test_module_installed_in_shop1(host, hvars):
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}


def test_odoo_conf_unchanged(host):
    """On the Debian layout the data_dir addons folder is on Odoo's path: odoo.conf is the file prepare wrote."""
    project = os.environ.get("MOLECULE_PROJECT_DIRECTORY") or str(Path(__file__).resolve().parents[3])
    rendered = os.path.join(project, "build", "standin", host.backend.get_hostname(), "odoo.conf")
    with open(rendered, "rb") as handle:
        expected = hashlib.sha256(handle.read()).hexdigest()
    assert host.check_output("sha256sum /etc/odoo/odoo.conf").split()[0] == expected
    assert host.check_output("ls /etc/odoo") == "odoo.conf"   # no backup copy: never edited


def test_only_the_run_that_changed_the_host_took_its_lock(host):
    """check (--check), converge (the install) and idempotence (a no-op) ran: the host's lock was taken once, by the
    converge, and released; the check and the no-op only read the host and wrote nothing, the lock included."""
    record = json.loads(host.file("/var/lib/systempay-odoo/run.lock.generation").content_string)
    assert record["generation"] == 1, record
    assert not host.file("/var/lib/systempay-odoo/run.lock").exists


def test_ipn_route_served(host, base_url):
    """GET on the addon's notification route: 405, the proof Odoo 16 serves the addon's route."""
    status, headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert status == 405
    assert headers.get("allow") == "OPTIONS, POST"


def test_started_twice_only(host, hvars):
    """systemd started odoo.service once in prepare and once in converge: the check-mode run and the
    idempotence run did not restart it."""
    assert molecule_hosts.service_starts(host, hvars) == 2
