"""Verify the source_layout scenario: site.yml installed the 1.2.6 addon on Odoo 12.0 run from /opt/odoo.

Prepared host: no addon. Converge: playbooks/site.yml with addon_src = the 1.2.6 zip, addon_dest =
/opt/odoo/payment-addons (off the configured addons_path) and addon_dbfilter = ^shop12$. The checks every
scenario shares (service, XML-RPC and web version) are in molecule/shared/tests/test_odoo_common.py.
"""

import os
from pathlib import Path

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

ADDON = "/opt/odoo/payment-addons/payment_systempay"


def test_source_layout(host):
    assert host.file("/opt/odoo/odoo-bin").mode == 0o755
    assert host.file("/opt/odoo/odoo/release.py").user == "odoo12"
    assert host.file("/etc/systemd/system/odoo12.service").contains(
        "^ExecStart=/opt/odoo/odoo-bin -c /etc/odoo-server.conf$"
    )


def test_addon_in_its_own_folder(host):
    folder = host.file("/opt/odoo/payment-addons")
    assert folder.is_directory and folder.user == "odoo12" and folder.mode == 0o755
    manifest = host.file(ADDON + "/__manifest__.py")
    assert manifest.is_file and manifest.user == "odoo12"
    assert "'version': '1.2.6'" in manifest.content_string
    assert host.check_output("find %s ! -user odoo12", ADDON) == ""
    # no other copy anywhere on the path, the data_dir addons folder included
    assert not host.file("/opt/odoo/.local/share/Odoo/addons/12.0/payment_systempay").exists
    assert not host.file("/opt/odoo/custom-addons/payment_systempay").exists


def test_config_changed_only_where_the_role_adds(host):
    """The config is the file prepare wrote, but for the folder appended to addons_path and the dbfilter line."""
    project = os.environ.get("MOLECULE_PROJECT_DIRECTORY") or str(Path(__file__).resolve().parents[3])
    rendered = Path(project, "build", "standin", host.backend.get_hostname(), "odoo.conf").read_text()
    expected = rendered.replace(
        "addons_path = /opt/odoo/odoo/addons,/opt/odoo/custom-addons\n",
        "addons_path = /opt/odoo/odoo/addons,/opt/odoo/custom-addons,/opt/odoo/payment-addons\n",
    ) + "dbfilter = ^shop12$\n"
    assert expected != rendered
    conf = host.file("/etc/odoo-server.conf")
    assert conf.content_string == expected
    # one dated backup of the original beside it (odoo_config backup: true), from the one edit
    backups = host.check_output("ls /etc | grep '^odoo-server.conf.' || true").split()
    assert len(backups) == 1
    assert host.file("/etc/" + backups[0]).content_string == rendered


def test_module_installed_in_shop12(host, hvars):
    assert molecule_hosts.module_state(host, hvars, "shop12") == {"state": "installed", "version": "12.0.1.2.6"}


def test_ipn_route_served(host, base_url):
    """GET on the addon's notification route answers 405: Odoo serves the addon's route."""
    status, _headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert status == 405


def test_started_twice_only(host, hvars):
    """prepare started odoo12.service once, converge restarted it once (files and config together)."""
    assert molecule_hosts.service_starts(host, hvars) == 2
