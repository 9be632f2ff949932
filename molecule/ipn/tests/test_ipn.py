"""Verify the ipn scenario: the role systempay.odoo.ipn_probe against nginx in front of the stand-in.

Prepared host (molecule.yml, prepare.yml): shop1 and shop2, no dbfilter, nginx with one port a variant on the host's
address on the podman network; shop1's web.base.url is the clean proxy. Converge: playbooks/site.yml put the 3.1.1
addon into shop1 and ran the role with ipn_probe_policy: warn.

Here, in this order (each fixture needs the one before): the role is run again with ipn_probe_policy: fail
(molecule/ipn/record-probe.yml writes what it left to a file) and every variant's verdict is checked; then site.yml
sets dbfilter = ^shop1$ through the addon role (addon_dbfilter) with ipn_probe_policy: fail and only the URL found
in web.base.url, which must pass; then the redirects' targets are checked again.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

HOST = "ipn-odoo16-deb"
ROUTE = "/payment/systempay/ipn"
RECORD = "molecule/ipn/record-probe.yml"
# port -> (verdict, HTTP status of the POST) before dbfilter is set (templates/nginx-ipn.conf.j2)
VARIANTS = {
    28080: ("NOT_FOUND", 404),       # clean proxy, but two databases and no dbfilter
    28081: ("REDIRECT", 301),        # http -> https
    28082: ("REDIRECT", 302),        # bare -> www
    28083: ("REDIRECT_303", 303),
    28084: ("AUTH_REQUIRED", 401),
    28085: ("MAINTENANCE", 503),
    28444: ("TLS", None),            # self-signed certificate
    28086: ("TIMEOUT", None),        # proxy waiting on an upstream that never answers
}


def ephemeral():
    found = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY")
    return Path(found) if found else Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent.parent


def record(folder, **extra_vars):
    """Run the role through record-probe.yml; (the run, what the role left)."""
    path = folder / "record.json"
    run = molecule_hosts.run_playbook(HOST, dict(extra_vars, ipn_record_file=str(path)), playbook=RECORD)
    assert path.is_file(), run.stdout[-3000:]
    return run, json.loads(path.read_text())


def said(run):
    """What a run printed, whitespace normalised (the YAML callback folds long lines)."""
    return " ".join(run.stdout.split())


def by_port(probes):
    return {urlsplit(entry["probe_url"]).port: entry for entry in probes}


@pytest.fixture(name="address", scope="module")
def fixture_address():
    return (ephemeral() / "ipn-address").read_text().strip()


@pytest.fixture(name="key", scope="module")
def fixture_key():
    return molecule_hosts.host_vars(HOST)["ipn_probe_key"]


@pytest.fixture(name="before", scope="module")
def fixture_before(tmp_path_factory):
    """The role with ipn_probe_policy: fail, before dbfilter is set, from the controller and from the host."""
    return record(tmp_path_factory.mktemp("before"), ipn_probe_policy="fail", ipn_probe_from_host=True)


@pytest.fixture(name="dbfilter_run", scope="module")
def fixture_dbfilter_run(before):
    """site.yml sets dbfilter with the addon role; the role probes the URL found in web.base.url only and must pass."""
    assert before
    return molecule_hosts.run_playbook(HOST, {"addon_dbfilter": "^shop1$", "ipn_probe_urls": [],
                                              "ipn_probe_policy": "fail"})


@pytest.fixture(name="after", scope="module")
def fixture_after(tmp_path_factory, dbfilter_run, address):
    """Once dbfilter is set: the clean proxy (from web.base.url) and the two redirects to it or its https side."""
    assert dbfilter_run.returncode == 0, dbfilter_run.stdout[-4000:]
    return record(tmp_path_factory.mktemp("after"), ipn_probe_policy="warn",
                  ipn_probe_urls=[f"http://{address}:28081", f"http://{address}:28083"])


@pytest.mark.parametrize("port", sorted(VARIANTS))
def test_each_variant_gets_its_verdict(before, port):
    entry = by_port(before[1]["result"]["probes"])[port]
    assert (entry["verdict"], entry["status"]) == VARIANTS[port], entry["reason"]
    assert entry["ok"] is False and entry["fix"]


def test_every_url_probed_once_and_the_failure_fails_the_host_with_each_fix(before):
    run, data = before
    assert sorted(by_port(data["result"]["probes"])) == sorted(VARIANTS)
    assert len(data["result"]["probes"]) == len(VARIANTS)
    assert run.returncode == 2
    assert f"Cannot receive payment notifications on {HOST} at 8 of 8 shop URL(s)" in said(run)
    assert "Fix: Set dbfilter = ^shop1$ (the database with payment_systempay installed)" in said(run)
    assert "Fix: Exempt /payment/systempay/ipn from the authentication" in said(run)


def test_clean_proxy_comes_from_web_base_url_and_two_databases_are_diagnosed(before, address):
    data = before[1]
    clean = f"http://{address}:28080"
    assert clean not in molecule_hosts.host_vars(HOST)["ipn_probe_urls"]
    shops = {entry["name"]: entry for entry in data["read"]["databases"]}
    assert (shops["shop1"]["web_base_url"], shops["shop1"]["installed"]) == (clean, True)
    assert shops["shop2"]["installed"] is False
    entry = by_port(data["result"]["probes"])[28080]
    assert entry["url"] == clean
    assert "Odoo serves 2 databases (shop1, shop2) and has neither dbfilter nor db_name" in entry["reason"]
    assert entry["fix"] == ("Set dbfilter = ^shop1$ (the database with payment_systempay installed) in the [options] "
                            "of odoo.conf and restart Odoo.")


def test_redirects_name_the_location_to_declare(before, address):
    probes = by_port(before[1]["result"]["probes"])
    https = f"https://{address}:28443{ROUTE}"
    assert probes[28081]["location"] == probes[28081]["notify_url"] == https
    assert probes[28081]["fix"].startswith(f"Declare {https} instead of http://{address}:28081{ROUTE}")
    www = f"http://www.shop.test:28082{ROUTE}"
    assert probes[28082]["location"] == probes[28082]["notify_url"] == www
    assert probes[28082]["redirect_check"]["verdict"] == "DNS"
    assert probes[28083]["location"] == f"http://{address}:28080{ROUTE}"
    assert "calls again with GET" in probes[28083]["reason"]


def test_auth_maintenance_tls_and_timeout_are_explained(before):
    probes = by_port(before[1]["result"]["probes"])
    assert 'Basic authentication, realm "Shop staging"' in probes[28084]["reason"]
    assert "Retry-After: 3600" in probes[28085]["reason"]
    assert probes[28444]["error"] == "tls" and "self-signed certificate" in probes[28444]["reason"]
    assert probes[28086]["error"] == "timeout" and "no answer within 5 s" in probes[28086]["reason"]
    assert 5 <= probes[28086]["elapsed"] < 15


def test_the_host_sees_the_same(before):
    data = before[1]
    controller = [(entry["probe_url"], entry["verdict"]) for entry in data["result"]["probes"]]
    assert [(entry["probe_url"], entry["verdict"]) for entry in data["host"]["probes"]] == controller


def test_probes_are_signed_and_the_key_is_shown_nowhere(before, key):
    run, data = before
    assert all(entry["signed"] for entry in data["result"]["probes"] + data["host"]["probes"])
    assert key not in run.stdout
    assert key not in json.dumps(data)


def test_probing_changed_nothing_on_the_host(before, host, hvars):
    """prepare started Odoo once and converge's install once: the check, idempotence and probe runs did not."""
    assert before
    assert molecule_hosts.service_starts(host, hvars) == 2
    assert not host.file("/etc/odoo/odoo.conf").contains("^dbfilter")


def test_dbfilter_set_by_the_addon_role_makes_the_shop_ok(dbfilter_run, after, address, host, key):
    assert host.file("/etc/odoo/odoo.conf").contains(r"^dbfilter = \^shop1\$$")
    # the test network is private: the route answers as the addon's, and the report does not pretend that the
    # payment platform could call this address
    assert f"http://{address}:28080{ROUTE}: OK for the route (the payment addon answers there)" in said(dbfilter_run)
    assert key not in dbfilter_run.stdout
    entry = by_port(after[1]["result"]["probes"])[28080]
    assert (entry["verdict"], entry["status"], entry["get_status"]) == ("OK", 200, 405)
    assert entry["platform_reachable"] is False
    assert any(note.startswith(f"{address} is not a public address") for note in entry["notes"])
    assert entry["answer"] == "Bad request received."
    # the addon stored its notification URL from web.base.url at install: both lead to the URL probed
    assert entry["matches_stored_notify_url"] is True and entry["matches_web_base_url"] is True


def test_redirect_targets_answer_once_dbfilter_is_set(after, address):
    probes = by_port(after[1]["result"]["probes"])
    https = f"https://{address}:28443{ROUTE}"
    assert probes[28081]["redirect_check"]["verdict"] == "OK"
    assert probes[28081]["fix"].endswith(f"Checked: {https} answers correctly.")
    assert probes[28083]["redirect_check"]["verdict"] == "OK"
    # the platform still would not follow them
    assert (probes[28081]["verdict"], probes[28083]["verdict"]) == ("REDIRECT", "REDIRECT_303")


def test_a_failed_read_is_reported_and_the_given_urls_still_probed(after, address, host, tmp_path):
    assert after
    clean = f"http://{address}:28080"
    run, data = record(tmp_path, ipn_probe_databases=["nosuchshop"], ipn_probe_urls=[clean], ipn_probe_policy="fail")
    assert run.returncode == 0, run.stdout[-3000:]
    assert [entry["verdict"] for entry in data["result"]["probes"]] == ["OK"]
    assert data["result"]["probes"][0]["matches_web_base_url"] is None      # probed without the host's facts
    assert "Could not read the databases on the host (Cannot read the shop of database nosuchshop" in said(run)
    assert "nosuchshop" not in molecule_hosts.databases(host)


def test_nothing_to_probe_is_skipped_saying_why(after, tmp_path):
    assert after
    run, data = record(tmp_path, ipn_probe_urls=[], ipn_probe_read_host=False, ipn_probe_from_web_base_url=False,
                       ipn_probe_policy="fail")
    assert run.returncode == 0, run.stdout[-3000:]
    result = data["result"]
    assert result["skipped"] is True and result["ok"] is False and result["probes"] == []
    assert "Not probed: no shop URL known: ipn_probe_urls is empty." in said(run)
