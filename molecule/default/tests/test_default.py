"""Verify the default scenario: a Debian-packaged Odoo 16.0 serving shop1 with the 3.1.1 addon.

The checks every scenario shares (service, XML-RPC and web version) are in
molecule/shared/tests/test_odoo_common.py.
"""

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")


def test_debian_layout(host):
    assert host.file("/usr/bin/odoo").mode == 0o755
    assert host.file("/usr/lib/python3/dist-packages/odoo/release.py").is_file
    conf = host.file("/etc/odoo/odoo.conf")
    assert conf.user == "odoo"
    assert conf.contains("^;addons_path")
    assert conf.contains("^data_dir = /var/lib/odoo$")


def test_ipn_route_served(host, base_url):
    """GET on the addon's notification route: 405, the proof Odoo 16 serves the addon's route."""
    status, headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert status == 405
    assert headers.get("allow") == "OPTIONS, POST"
