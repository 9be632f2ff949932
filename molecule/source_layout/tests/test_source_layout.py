"""Verify the source_layout scenario: Odoo 12.0 from /opt/odoo serving shop12 with the 1.2.6 addon.

The checks every scenario shares (service, XML-RPC and web version) are in
molecule/shared/tests/test_odoo_common.py.
"""

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")


def test_source_layout(host):
    assert host.file("/opt/odoo/odoo-bin").mode == 0o755
    assert host.file("/opt/odoo/odoo/release.py").user == "odoo12"
    assert host.file("/etc/odoo-server.conf").contains(
        "^addons_path = /opt/odoo/odoo/addons,/opt/odoo/custom-addons$"
    )
    assert host.file("/etc/systemd/system/odoo12.service").contains(
        "^ExecStart=/opt/odoo/odoo-bin -c /etc/odoo-server.conf$"
    )


def test_addon_in_data_dir(host):
    manifest = host.file("/opt/odoo/.local/share/Odoo/addons/12.0/payment_systempay/__manifest__.py")
    assert manifest.is_file
    assert manifest.user == "odoo12"


def test_ipn_route_served(host, base_url):
    """GET on the addon's notification route answers 405: Odoo serves the addon's route."""
    status, _headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert status == 405
