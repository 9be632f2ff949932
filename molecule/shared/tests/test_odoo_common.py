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


def test_databases_are_in_the_host_s_postgresql(host, hvars):
    """The shop databases live in the host's PostgreSQL cluster, owned by the role of Odoo's service user (as Odoo
    creates them), with Odoo's module table."""
    user = molecule_hosts.layout(hvars)[1]
    owners = dict(row.split("|") for row in host.check_output(
        "runuser -u postgres -- psql -XtAc %s",
        "SELECT d.datname, r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba").splitlines())
    for database in hvars.get("standin_databases", []):
        assert owners.get(database["name"]) == user, owners
        base = host.check_output("runuser -u postgres -- psql -XtAd %s -c %s", database["name"],
                                 "SELECT state FROM ir_module_module WHERE name = 'base'")
        assert base == "installed"


def test_odoo_reaches_postgresql_as_its_config_says(host, hvars):
    """With db_host / db_port / db_password in odoo.conf, Odoo's role logs in over TCP with that password (Debian's
    pg_hba asks for it there: without it the login is refused); without them, on the Unix socket by peer."""
    extra = hvars.get("standin_conf_extra") or {}
    user = molecule_hosts.layout(hvars)[1]
    database = hvars["standin_databases"][0]["name"]
    if not extra.get("db_host"):
        assert host.run("runuser -u %s -- psql -XtAd %s -c 'SELECT 1'", user, database).stdout.strip() == "1"
        return
    dsn = f"host={extra['db_host']} port={extra.get('db_port', 5432)} user={user} dbname={database}"
    assert host.run("PGPASSWORD=%s psql -XtA %s -c 'SELECT 1'", extra["db_password"], dsn).stdout.strip() == "1"
    refused = host.run("PGPASSWORD=wrong psql -XtA %s -c 'SELECT 1'", dsn)
    assert refused.rc != 0 and "password authentication failed" in refused.stderr
