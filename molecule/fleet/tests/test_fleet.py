"""Verify the fleet scenario: playbooks/upgrade.yml on four hosts, one of which cannot take its new version.

State after converge: fleet-a, fleet-b, fleet-d (Debian, 16.0) run 3.1.0, fleet-c (source checkout, 12.0) runs
1.2.5. Each test runs upgrade.yml (subprocesses, the molecule inventory) with every host's ``fleet_upgrade_src``
(3.1.1, 1.2.6; fleet-b gets the broken-start build of 3.1.1, whose code breaks Odoo's start) and ``report_dir`` set, then checks the hosts
and the JSON report. Batches of two in inventory order: fleet-a and fleet-b first, then fleet-c and fleet-d.
Tests run in file order and build on each other, as the hosts do.
"""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
import testinfra

import molecule_hosts

A, B, C, D = "fleet-a-odoo16-deb", "fleet-b-odoo16-broken", "fleet-c-odoo12-src", "fleet-d-odoo16-deb"
HEALTHY = (A, C, D)
MODULE = "payment_systempay"
START = {A: "3.1.0", B: "3.1.0", C: "1.2.5", D: "3.1.0"}
NEW = {A: "3.1.1", B: "3.1.0", C: "1.2.6", D: "3.1.1"}   # fleet-b's broken 3.1.1 never stays
UPGRADE_VARS = {"addon_src": "{{ fleet_upgrade_src }}", "systempay_odoo_serial": [2, 2], "report_junit": True}
INSTALL_TASK = "Install or upgrade the addon folder"


def _host(name):
    return testinfra.get_host("podman://" + name)


def _dest(name):
    hvars = molecule_hosts.host_vars(name)
    data_dir = molecule_hosts.layout(hvars)[4]
    return hvars.get("addon_dest") or f"{data_dir}/addons/{hvars['standin_series']}"


def state(name):
    """What a person checks on a host: files version, the version its database records, service, restarts."""
    host, hvars = _host(name), molecule_hosts.host_vars(name)
    manifest = host.file(f"{_dest(name)}/{MODULE}/__manifest__.py").content_string
    database = hvars["standin_databases"][0]["name"]
    return {
        "files": re.search(r"'version': '([^']+)'", manifest).group(1),
        "db": molecule_hosts.module_state(host, hvars, database)["version"],
        "active": host.service(molecule_hosts.layout(hvars)[0]).is_running,
        "starts": molecule_hosts.service_starts(host, hvars),
    }


def tree(name):
    return molecule_hosts.tree_digest(_host(name), _dest(name))


def copies(name):
    """Every folder named payment_systempay on the host, outside the backups and the staging folders of
    addon_install (dot-prefixed: Odoo never loads from them; one left by a killed run is harmless)."""
    out = _host(name).check_output(
        "find / -xdev -type d -name %s -not -path '*/.systempay-backups/*' -not -path '*/.systempay-staging-*'"
        " 2>/dev/null || true", MODULE)
    return sorted(out.split())


def backups(name):
    out = _host(name).check_output("ls -A %s/.systempay-backups 2>/dev/null || true", _dest(name))
    return sorted(out.split())


def recap(out):
    """{host: {ok, changed, failed, …}} from the PLAY RECAP."""
    found = {}
    for line in out.split("PLAY RECAP", 1)[-1].splitlines():
        match = re.match(r"^(\S+)\s+:\s+(.*)$", line)
        if match:
            found[match.group(1)] = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return found


def upgrade(report_dir, max_fail):
    run = molecule_hosts.run_playbook(
        "odoo", dict(UPGRADE_VARS, report_dir=str(report_dir), systempay_odoo_max_fail_percentage=max_fail),
        playbook="playbooks/upgrade.yml")
    return run.returncode, run.stdout


def report(report_dir):
    with open(Path(report_dir) / "systempay-odoo-report.json", encoding="utf-8") as handle:
        return {record["host"]: record for record in json.load(handle)["hosts"]}


def consistent(name, expected):
    """Files and database at the same version, Odoo running, one copy, no staging left, backups of older versions."""
    now = state(name)
    assert now["files"] == expected and now["db"].endswith("." + expected), (name, now)
    assert now["active"], name
    assert copies(name) == [f"{_dest(name)}/{MODULE}"], (name, copies(name))
    for backup in backups(name):
        assert backup.startswith(MODULE + "-"), (name, backup)
        kept = _host(name).file(f"{_dest(name)}/.systempay-backups/{backup}/__manifest__.py").content_string
        assert f"'version': '{expected}'" not in kept, (name, backup)
    return now


@pytest.fixture(name="initial", scope="module")
def fixture_initial():
    """The hosts as converge left them, read once before the first run."""
    return {name: dict(state(name), tree=tree(name)) for name in (A, B, C, D)}


def test_converge_left_the_starting_versions(initial):
    for name in (A, B, C, D):
        assert (initial[name]["files"], initial[name]["active"]) == (START[name], True), name
        assert initial[name]["db"].endswith("." + START[name]), name


def test_no_failure_allowed_stops_after_the_failing_batch(initial, tmp_path):
    """max_fail_percentage 0: fleet-b fails in the first batch (Odoo does not start with the broken 3.1.1), is rolled back to
    3.1.0 and reported with the reason; fleet-a, in the same batch, is upgraded; the second batch never starts."""
    code, out = upgrade(tmp_path, 0)
    counts = recap(out)
    assert code != 0, out
    assert set(counts) == {A, B}, out
    assert counts[B]["failed"] == 1 and counts[A]["failed"] == 0, out
    a_now = consistent(A, "3.1.1")
    assert a_now["starts"] == initial[A]["starts"] + 1
    b_now = consistent(B, "3.1.0")
    # the 3.1.0 folder back byte for byte; the broken 3.1.1 copy kept aside as a backup, not on the addons path
    addon_b = f"{_dest(B)}/{MODULE}"
    assert {k: v for k, v in tree(B).items() if k.startswith(addon_b + "/")} == \
        {k: v for k, v in initial[B]["tree"].items() if k.startswith(addon_b + "/")}
    assert [b.rsplit("-", 1)[0] for b in backups(B)] == [f"{MODULE}-3.1.1"]
    assert b_now["starts"] == initial[B]["starts"] + 2   # the broken start, the rollback
    for name in (C, D):
        assert dict(state(name), tree=tree(name)) == initial[name], name

    records = report(tmp_path)
    assert sorted(records) == [A, B]
    assert records[A]["status"] == "ok" and records[A]["error"] == ""
    assert (records[A]["addon"]["before"], records[A]["addon"]["after"], records[A]["addon"]["action"]) == (
        "3.1.0", "3.1.1", "upgraded")
    assert records[A]["restart"] is True and records[A]["series"] == "16.0"
    assert [(db["name"], db["action"], db["version_before"], db["version_after"]) for db in records[A]["databases"]] \
        == [("shop1", "upgrade", "16.0.3.1.0", "16.0.3.1.1")]
    assert records[B]["status"] == "failed"
    assert (records[B]["addon"]["before"], records[B]["addon"]["after"], records[B]["addon"]["action"]) == (
        "3.1.0", "3.1.0", "rolled back")
    # its database was never reached: the run stopped at the restart, before the module step
    assert [(db["name"], db["action"], db["version_after"]) for db in records[B]["databases"]] == [
        ("shop1", "not reached", None)]
    assert "odoo.service restarted (pid " in records[B]["error"], records[B]["error"]
    assert "but Odoo does not answer as that unit within" in records[B]["error"], records[B]["error"]
    assert "Rolled back: the previous addon files (3.1.0) are in place again" in records[B]["error"]
    markdown = (tmp_path / "systempay-odoo-report.md").read_text(encoding="utf-8")
    assert f"| {A} | 16.0 | ok | 3.1.0 | 3.1.1 | upgraded | yes |" in markdown, markdown
    assert f"| {B} | 16.0 | failed | 3.1.0 | 3.1.0 | rolled back | yes | unchanged | shop1 | not reached |" in markdown, \
        markdown
    assert f"- **{B}**: odoo.service restarted (pid " in markdown, markdown
    # the same run as JUnit XML (report_junit): one suite per host of the batch, counts that match, and the failing
    # host's failure carrying the same reason as the run report
    junit = ElementTree.parse(str(tmp_path / "systempay-odoo-report.junit.xml")).getroot()
    suites = {suite.get("name"): suite for suite in junit.findall("testsuite")}
    assert sorted(suites) == [A, B]
    for suite in suites.values():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == len([case for case in cases if case.find("failure") is not None])
    assert int(junit.get("failures")) == 1 and suites[A].get("failures") == "0"
    [failed] = [case for case in suites[B].findall("testcase") if case.find("failure") is not None]
    assert failed.get("name") == "addon"
    assert " ".join(failed.find("failure").get("message").split()) == " ".join(records[B]["error"].split())
    assert C not in markdown and D not in markdown


def _interrupted_run():
    """upgrade.yml on fleet-c and fleet-d (the hosts left to upgrade; one batch of two), its process group killed
    once the new files of one of them are swapped in, before the restart and the module upgrade. Returns the output
    so far and whether it was killed."""
    project = molecule_hosts.project_dir()
    env = dict(os.environ, PYTHONUNBUFFERED="1", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
               ANSIBLE_CALLBACK_RESULT_FORMAT="yaml", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_INTERPRETER_PYTHON="/usr/bin/python3", MOLECULE_PROJECT_DIRECTORY=project)
    env["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join(
        [os.path.join(project, "build", "collections")]
        + [p for p in env.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep) if p])
    argv = ["ansible-playbook", "-i", str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent),
            "--limit", f"{C},{D}", os.path.join(project, "playbooks", "upgrade.yml"),
            "--extra-vars", json.dumps(dict(UPGRADE_VARS, systempay_odoo_max_fail_percentage=100))]
    proc = subprocess.Popen(argv, env=env, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines, task, killed, deadline = [], "", False, time.monotonic() + 240
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("TASK ["):
                task = line
            elif INSTALL_TASK in task and re.match(rf"^changed: \[({C}|{D})\]", line):
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                break
            if time.monotonic() > deadline:
                break
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    return "".join(lines), killed


def test_killed_mid_batch_then_rerun_leaves_every_host_consistent(tmp_path):
    """Kill ansible-playbook while a batch is at work (new files in place, Odoo not restarted, database not
    upgraded yet), then run upgrade.yml on the whole fleet with failures allowed: fleet-b fails again in the first
    batch, the second still runs; every host is consistent, fleet-c and fleet-d upgraded (Odoo restarted on the new
    files), fleet-b rolled back again and reported failed."""
    before = {name: state(name) for name in (C, D)}
    out, killed = _interrupted_run()
    assert killed, out
    time.sleep(3)   # the host side of a killed podman exec ends on its own
    half = {name: state(name) for name in (C, D)}
    # the kill did leave a host half-way: its files newer than what its database records
    assert any(not half[name]["db"].endswith("." + half[name]["files"]) for name in (C, D)), half

    code, out = upgrade(tmp_path, 100)
    counts = recap(out)
    assert code != 0, out
    assert {name: counts[name]["failed"] for name in (A, B, C, D)} == {A: 0, B: 1, C: 0, D: 0}, out
    now = {name: consistent(name, NEW[name]) for name in (A, B, C, D)}
    for name in (C, D):
        kept = backups(name)
        assert len(kept) == 1 and kept[0].startswith(f"{MODULE}-{START[name]}-"), (name, kept)
        assert now[name]["starts"] > before[name]["starts"], name   # Odoo runs the new files

    records = report(tmp_path)
    assert sorted(records) == [A, B, C, D]
    assert [records[name]["status"] for name in (A, B, C, D)] == ["ok", "failed", "ok", "ok"]
    assert records[C]["series"] == "12.0" and records[C]["addon"]["after"] == "1.2.6"
    assert [(db["name"], db["version_after"]) for db in records[C]["databases"]] == [("shop12", "12.0.1.2.6")]
    assert records[D]["databases"][0]["version_after"] == "16.0.3.1.1"
    assert records[B]["addon"]["action"] == "rolled back"


def test_rerun_changes_nothing_on_the_healthy_hosts(tmp_path):
    """The same upgrade again: nothing to do on fleet-a, fleet-c, fleet-d (changed=0, no restart), the report
    says so; fleet-b fails and is rolled back again, as before."""
    starts = {name: state(name)["starts"] for name in HEALTHY}
    code, out = upgrade(tmp_path, 100)
    counts = recap(out)
    assert code != 0, out
    for name in HEALTHY:
        assert (counts[name]["changed"], counts[name]["failed"]) == (0, 0), (name, out)
        assert state(name)["starts"] == starts[name], name
    assert counts[B]["failed"] == 1, out
    records = report(tmp_path)
    for name in HEALTHY:
        assert (records[name]["addon"]["action"], records[name]["restart"]) == ("unchanged", False), name
        assert [db["action"] for db in records[name]["databases"]] == ["none"], name
    assert records[B]["status"] == "failed"
