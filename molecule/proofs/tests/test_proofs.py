"""Verify the proofs scenario: what the run did is read on the host, and what it says is what happened.

Tests run in file order. The first ones read what converge left (the data-dir folder given back to the service
user, the addon loaded by the running Odoo, read in its log and its routes). The next ones run site.yml again as
a user would (subprocesses, the molecule inventory): masking with a weak and with a strong db_password at -vvv, an
Odoo started outside its unit, a unit whose restart systemd refuses. Each of those leaves the host as it found it.
"""

import json
import os
import threading
import time

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

ADDONS = "/var/lib/odoo/addons/16.0"
ADDON = ADDONS + "/payment_systempay"
LOG = "/var/log/odoo/odoo-server.log"
CONF = "/etc/odoo/odoo.conf"
FIXTURES = os.path.join(molecule_hosts.project_dir(), "build", "fixtures")
# Not a word, not a path: if it shows anywhere, it leaked.
STRONG = "Vq8-zT3#kLm29-pWx"
DROPIN = "/etc/systemd/system/odoo.service.d/refuse-manual.conf"


def flat(text):
    return " ".join(text.split())


def last_start(host):
    """The log lines of the running server since its last start (the stand-in logs "addons paths:" at start)."""
    lines = host.file(LOG).content_string.splitlines()
    starts = [index for index, line in enumerate(lines) if "odoo: addons paths:" in line]
    return lines[starts[-1]:] if starts else []


def manifest_version(host):
    content = host.file(ADDON + "/__manifest__.py").content_string
    return content.split("'version': '", 1)[1].split("'", 1)[0]


def wait_answering(host):
    host.check_output("for i in $(seq 60); do curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "
                      "-d '{}' http://127.0.0.1:8069/web/webclient/version_info && exit 0; sleep 1; done; exit 1")


def test_the_data_dir_folders_are_the_service_users_again_with_odoos_modes(host):
    for path, mode in (("/var/lib/odoo/addons", 0o700), (ADDONS, 0o500)):
        folder = host.file(path)
        assert (folder.user, folder.group, folder.mode) == ("odoo", "odoo", mode), path
    assert manifest_version(host) == "3.1.1"


def test_the_top_level_documentation_of_the_zip_is_not_installed(host):
    assert host.check_output("ls -A %s", ADDONS).split() == [".systempay-backups", "payment_systempay"]
    assert not host.file(ADDON + "/LICENSE").exists and not host.file(ADDONS + "/README.md").exists


def test_the_running_odoo_loads_the_module(host, hvars, base_url):
    """Read where Odoo says it: the folder is on the path it logged at its last start, no "not installable" line
    since then, and the addon's own route answers (only a registry that loaded the module serves it)."""
    since = last_start(host)
    assert any(ADDONS in line for line in since if "addons paths:" in line), since[:2]
    assert not [line for line in since if "payment_systempay: not installable" in line or "not loaded" in line]
    status, headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert (status, headers.get("allow")) == (405, "OPTIONS, POST")
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}
    # before converge the same Odoo had skipped it: prepare's start logged it (the state this scenario starts from)
    assert "module payment_systempay: not installable, skipped" in host.file(LOG).content_string


def test_a_weak_db_password_masks_no_path_and_shows_no_value(host):
    """db_password = odoo: a refusal that names /var/lib/odoo/addons/16.0 shows it intact; the run warns that the
    password is weak; the diff of odoo.conf shows its line masked; at -vvv the value is never shown as a value."""
    conf_before = host.file(CONF).content_string
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {"addon_dest": "/opt/payment-addons"},
                                      options=("-vvv", "--diff"))
    out = flat(run.stdout)
    assert run.returncode != 0
    assert "Odoo's addons path already holds /var/lib/odoo/addons/16.0/payment_systempay version 3.1.1" in out, out
    assert "db_password in /etc/odoo/odoo.conf is weak" in out, out
    for shown in ("db_password = odoo", "db_password=odoo", "'db_password': 'odoo'", '"db_password": "odoo"',
                  ":odoo@", "--db_password odoo", "PGPASSWORD=odoo"):
        assert shown not in out, shown
    assert host.file(CONF).content_string == conf_before


def test_a_strong_db_password_appears_nowhere_at_vvv(host):
    """With a unique non-word password, a run that edits odoo.conf (--diff, -vvv) and writes the report: the value is
    in no output and no report file."""
    host.check_output("cp -p %s /tmp/odoo.conf.proofs", CONF)
    host.check_output("sed -i 's/^db_password = .*/db_password = %s/' %s", STRONG, CONF)
    report_dir = os.path.join(molecule_hosts.project_dir(), "build", "proofs", "report-strong")
    try:
        run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
            "addon_dbfilter": "^shop1$", "report_dir": report_dir}, options=("-vvv", "--diff"))
        assert run.returncode == 0, run.stdout
        assert "dbfilter" in run.stdout and "weak" not in run.stdout
        assert STRONG not in run.stdout
        for name in os.listdir(report_dir):
            with open(os.path.join(report_dir, name), encoding="utf-8") as handle:
                assert STRONG not in handle.read(), name
        assert STRONG in host.file(CONF).content_string     # it was there to leak
    finally:
        host.check_output("cp -p /tmp/odoo.conf.proofs %s", CONF)
        host.check_output("systemctl restart odoo.service")
        wait_answering(host)


def test_an_odoo_started_outside_the_unit_is_refused_before_any_change(host):
    """odoo.service stopped, the same Odoo started by another unit (as by hand or supervisor) holds the port:
    discovery names that process and nothing changes, although an upgrade is pending."""
    before = molecule_hosts.tree_digest(host, "/var/lib/odoo", "/etc/odoo")
    host.check_output("systemctl stop odoo.service")
    host.check_output("systemd-run --unit=odoo-by-hand --uid=odoo --gid=odoo /usr/bin/odoo --config %s "
                      "--logfile /tmp/odoo-by-hand.log", CONF)
    try:
        wait_answering(host)
        run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
            "addon_src": os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.0.zip")})
        out = flat(run.stdout)
        assert run.returncode != 0, out
        assert "port 8069 is served by pid " in out and "unit odoo-by-hand.service" in out, out
        assert "not by odoo.service (inactive" in out and "Restarting odoo.service would not restart" in out, out
        assert "changed=0" in out and "failed=1" in out, out
        assert molecule_hosts.tree_digest(host, "/var/lib/odoo", "/etc/odoo") == before
        assert host.service("odoo.service").is_running is False
    finally:
        host.run("systemctl stop odoo-by-hand.service")
        host.check_output("systemctl start odoo.service")
        wait_answering(host)


def test_a_restart_systemd_refuses_fails_the_host_and_is_never_reported_as_done(host, hvars):
    """systemd refuses to restart the unit (RefuseManualStop) while its process keeps answering: the host fails
    with systemd's reason, the rollback puts the files back and says it could not restart either, and the report
    says restart: no. The process serving Odoo is the same before and after."""
    before_files = molecule_hosts.tree_digest(host, ADDON)
    pid = host.check_output("systemctl show odoo.service --property=MainPID --value")
    host.check_output("mkdir -p %s && printf '[Unit]\\nRefuseManualStop=yes\\n' > %s && systemctl daemon-reload",
                      os.path.dirname(DROPIN), DROPIN)
    report_dir = os.path.join(molecule_hosts.project_dir(), "build", "proofs", "report-refused")
    try:
        run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
            "addon_src": os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.0.zip"), "addon_allow_downgrade": True,
            "report_dir": report_dir})
        out = flat(run.stdout)
        assert run.returncode != 0, out
        assert "Cannot restart odoo.service: systemctl restart said" in out and "Operation refused" in out, out
        assert "no new process was started; the process answering the port is still pid " + pid in out, out
        assert "Rolled back the files only: the previous addon files (3.1.1) are back in " + ADDONS in out, out
        assert "restart: yes" not in out and "restart: no" in out, out
        with open(os.path.join(report_dir, "systempay-odoo-report.json"), encoding="utf-8") as handle:
            record = {r["host"]: r for r in json.load(handle)["hosts"]}[host.backend.get_hostname()]
        assert record["restart"] is False and record["status"] != "ok", record
        assert host.check_output("systemctl show odoo.service --property=MainPID --value") == pid
        assert manifest_version(host) == "3.1.1"
        assert molecule_hosts.tree_digest(host, ADDON) == before_files
    finally:
        host.check_output("rm -f %s && systemctl daemon-reload", DROPIN)


def test_two_runs_at_once_one_waits_for_the_other(host):
    """While a run holds the host's lock (an upgrade, slowed down by its restart), a second run started on the same
    host fails at once (systempay_odoo_lock_wait 0) naming the holder, before any change; the first run ends well
    and releases the lock."""
    lock = "/var/lib/systempay-odoo/run.lock"
    results = {}
    first = threading.Thread(target=lambda: results.update(first=molecule_hosts.run_playbook(
        host.backend.get_hostname(), {"addon_src": os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.1.zip"),
                                      "addon_dbfilter": "^shop1$"})))
    first.start()
    try:
        for dummy in range(120):
            if host.file(lock).exists:
                break
            time.sleep(0.5)
        assert host.file(lock).exists, "the first run never took the lock"
        holder = json.loads(host.file(lock).content_string)["holder"]
        second = molecule_hosts.run_playbook(host.backend.get_hostname(), {"systempay_odoo_lock_wait": 0})
        out = flat(second.stdout)
        assert second.returncode != 0, out
        assert ("another run holds it (controller %s, ansible-playbook pid %s, run started %s"
                % (holder["controller"], holder["pid"], holder["started"])) in out, out
        assert "changed=0" in out and "failed=1" in out, out
    finally:
        first.join(timeout=300)
    assert results["first"].returncode == 0, results["first"].stdout
    assert not host.file(lock).exists
