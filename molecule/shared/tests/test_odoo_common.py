"""Checks every scenario runs on its Odoo hosts (added to each scenario's verify by
``verifier.additional_files_or_dirs`` in .config/molecule/config.yml).

Expected values come from the host variables the scenario gave the stand-in.
"""

import json

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

UNITS = {"debian": "odoo", "source": "odoo12"}
JSONRPC_CALL = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})


def test_service_active_and_enabled(host, hvars):
    service = host.service(UNITS[hvars.get("standin_layout", "debian")])
    assert service.is_running
    assert service.is_enabled


def test_xmlrpc_version(host, hvars, base_url):
    script = (
        "import json, xmlrpc.client; "
        f"print(json.dumps(xmlrpc.client.ServerProxy('{base_url}/xmlrpc/2/common').version()))"
    )
    version = json.loads(host.check_output("python3 -c %s", script))
    assert version["server_serie"] == hvars["standin_series"]
    assert version["protocol_version"] == 1


def test_webclient_version_info(host, hvars, base_url):
    answer = json.loads(
        host.check_output(
            "curl -sS --fail -X POST -H 'Content-Type: application/json' -d %s %s",
            JSONRPC_CALL,
            f"{base_url}/web/webclient/version_info",
        )
    )
    assert answer["result"]["server_version"] == hvars["standin_series"]
