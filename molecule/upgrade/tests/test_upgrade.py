"""Verify the upgrade scenario: 3.1.0 (pre-installed by prepare) -> 3.1.1 by site.yml, then two broken builds.

Tests run in file order: the converge results first, then site.yml runs (subprocesses, the molecule inventory)
with the two broken builds of 3.1.1 (tests/fixtures/addons: 3.1.1 plus one fault, same version, other content):
broken-start (its Python fails at registry load: every request answers 500 after the restart) and broken-install
(fails at ``-u``), each of which must fail the run with the reason and leave the good 3.1.1 in place and Odoo
healthy; then broken-start again, killed (SIGKILL) in its wait, after which site.yml run again alone puts the good
3.1.1 back with Odoo answering. Last, --check --diff against the real run: the module step, then the provider
settings of an upgrade.
"""

import hashlib
import json
import os
import signal
import time
import zipfile

import pytest

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

ADDONS = "/var/lib/odoo/addons/16.0"
ADDON = ADDONS + "/payment_systempay"
BACKUPS = ADDONS + "/.systempay-backups"
FIXTURES = os.path.join(molecule_hosts.project_dir(), "build", "fixtures")
BROKEN_START = os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.1-broken-start.zip")
BROKEN_INSTALL = os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.1-broken-install.zip")


def manifest_version(host):
    content = host.file(ADDON + "/__manifest__.py").content_string
    return content.split("'version': '", 1)[1].split("'", 1)[0]


def broken_start_in_place(host):
    """The installed files are the broken-start build: 3.1.1 plus helpers/gateway_client.py."""
    return host.file(ADDON + "/helpers/gateway_client.py").exists


def tree(host):
    """Content of the installed addon folder and its backups (paths, modes, owners, sha256)."""
    return molecule_hosts.tree_digest(host, ADDON)


def test_upgraded_files_in_place(host):
    assert manifest_version(host) == "3.1.1"
    assert host.check_output("find %s ! -user odoo", ADDON) == ""
    assert host.check_output("ls -A %s", ADDONS).split() == [".systempay-backups", "payment_systempay"]


def test_one_backup_of_the_previous_release(host):
    backups = host.check_output("ls %s", BACKUPS).split()
    assert len(backups) == 1 and backups[0].startswith("payment_systempay-3.1.0-")
    assert "'version': '3.1.0'" in host.file(f"{BACKUPS}/{backups[0]}/__manifest__.py").content_string


def test_module_upgraded_in_shop1(host, hvars):
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}


def test_exactly_one_restart_in_converge(host, hvars):
    """prepare started odoo.service once; converge restarted it once; check mode and idempotence never."""
    assert molecule_hosts.service_starts(host, hvars) == 2


def test_broken_start_is_rolled_back(host, hvars, base_url):
    """The broken-start build (3.1.1 with other content) imports a package that does not exist: its files replace
    3.1.1's, and after the restart every request answers 500. The run fails with the reason and the log line, the
    good 3.1.1 files are back, Odoo answers, shop1 is untouched.
    The archive comes through addon_url (file://) with its checksum: the download path is exercised too."""
    before = tree(host)
    starts = molecule_hosts.service_starts(host, hvars)
    archive = BROKEN_START
    with open(archive, "rb") as handle:
        checksum = "sha256:" + hashlib.sha256(handle.read()).hexdigest()
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
        "addon_url": "file://" + archive, "addon_checksum": checksum, "addon_src": "", "addon_restart_timeout": 30})
    out = run.stdout
    assert run.returncode != 0, out
    text = " ".join(out.split())
    assert "odoo.service restarted (pid " in text, out
    assert "but Odoo does not answer as that unit within 30 s: it answers version_info with HTTP 500" in text, out
    assert "with payment_systempay 3.1.1 in /var/lib/odoo/addons/16.0" in text, out
    assert ("Rolled back: the previous addon files (3.1.1) are in place again and restarted odoo.service: new process"
            in text), out
    assert "No module named 'fixture_missing_sdk'" in out, out
    assert "failed=1" in out
    # the good 3.1.1 files again, byte for byte; Odoo was restarted twice (the broken one, the rollback)
    assert manifest_version(host) == "3.1.1" and not broken_start_in_place(host)
    assert tree(host) == before
    assert molecule_hosts.service_starts(host, hvars) == starts + 2
    status, headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert (status, headers.get("allow")) == (405, "OPTIONS, POST")
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}


def test_broken_upgrade_is_rolled_back(host, hvars, base_url):
    """The broken-install build (3.1.1 with one more data file) loads but its -u fails (exit 255): other content of
    the installed version, so shop1 is upgraded at 16.0.3.1.1; odoo_module fails, site.yml runs the role's
    rollback."""
    before = tree(host)
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {"addon_src": BROKEN_INSTALL})
    out = run.stdout
    assert run.returncode != 0, out
    assert "Cannot upgrade payment_systempay in database shop1" in out, out
    assert ("Rolled back: the previous addon files (3.1.1) are in place again and restarted odoo.service: new process"
            in " ".join(out.split())), out
    assert manifest_version(host) == "3.1.1"
    assert tree(host) == before
    status, dummy = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert status == 405
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}


SLOW_START = "/etc/systemd/system/odoo.service.d/slow-start.conf"


def unit_state(host):
    return host.check_output("systemctl show -p ActiveState --value odoo.service")


def ipn_status(host, base_url):
    """HTTP status of a GET of the notification route, as text ("000" while nothing answers)."""
    return host.run("curl -s -o /dev/null -w '%%{http_code}' %s/payment/systempay/ipn", base_url).stdout.strip()


def test_an_upgrade_killed_in_its_wait_is_finished_by_the_next_run(host, hvars, base_url, tmp_path):
    """site.yml with the broken-start build (it breaks at start) is killed with SIGKILL, workers included, while it
    waits for Odoo to come back: the files are the broken build's, Odoo then answers 500, the run's lock is left on
    the host. site.yml run again alone (the inventory's good 3.1.1) takes the lock over (its holder's pid is gone on
    this controller), finds Odoo not answering with other files than its archive's while the newest backup holds
    exactly its archive's content, puts that back - reported as restored - and proves that Odoo answers; shop1 never
    moved.

    To kill the run inside its wait every time, the restart is made slow for this run only: a drop-in with
    ExecStartPre=sleep 30 (a real Odoo takes seconds to start), removed before the second run."""
    name = host.backend.get_hostname()
    assert manifest_version(host) == "3.1.1"
    host.check_output("mkdir -p %s && printf '[Service]\\nExecStartPre=/bin/sleep 30\\n' > %s && systemctl daemon-reload",
                      os.path.dirname(SLOW_START), SLOW_START)
    try:
        proc = molecule_hosts.start_playbook(name, {
            "addon_src": BROKEN_START}, log=str(tmp_path / "killed.log"))
        try:
            deadline = time.time() + 240
            while time.time() < deadline and proc.poll() is None:
                if broken_start_in_place(host) and unit_state(host) == "activating":
                    break
                time.sleep(1)
            assert proc.poll() is None and unit_state(host) == "activating", (tmp_path / "killed.log").read_text()
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # the restart the killed run asked for goes on without it: the broken build starts and answers 500
        deadline = time.time() + 90
        while time.time() < deadline and ipn_status(host, base_url) != "500":
            time.sleep(1)
    finally:
        host.check_output("rm -f %s && systemctl daemon-reload", SLOW_START)
    assert broken_start_in_place(host)
    assert ipn_status(host, base_url) == "500"
    assert host.file("/var/lib/systempay-odoo/run.lock").exists        # the killed run's lock, left behind
    run = molecule_hosts.run_playbook(name)
    out = " ".join(run.stdout.split())
    assert run.returncode == 0, out
    assert "Took over the lock of the run of" in out and "holder gone" in out, out
    assert ("in /var/lib/odoo/addons/16.0: restored (3.1.1, left by an earlier run with Odoo not answering, is kept "
            "as a backup)") in out, out
    assert "restart: yes" in out and "database shop1: none (16.0.3.1.1 -> 16.0.3.1.1)" in out, out
    assert manifest_version(host) == "3.1.1" and not broken_start_in_place(host)
    status, headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert (status, headers.get("allow")) == (405, "OPTIONS, POST")
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}


@pytest.mark.parametrize("dummy", [None])
def test_a_good_rerun_changes_nothing(host, hvars, dummy):
    """After both rollbacks, site.yml with 3.1.1 again finds everything in place: changed=0, no restart."""
    starts = molecule_hosts.service_starts(host, hvars)
    run = molecule_hosts.run_playbook(host.backend.get_hostname())
    assert run.returncode == 0, run.stdout
    assert "changed=0" in run.stdout and "failed=0" in run.stdout, run.stdout
    assert molecule_hosts.service_starts(host, hvars) == starts


def republished(tmp_path):
    """The 3.1.1 fixture archive published again under the same version with one more data record (a card type):
    other content, same version, as a vendor's corrected archive."""
    source = os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.1.zip")
    target = str(tmp_path / "Systempay_Odoo_16_v3.1.1.zip")
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename.endswith("data/card_data.xml"):
                data = data.replace(b"    </data>", b'        <record id="card_maestro" model="systempay.card">'
                                    b'<field name="code">MAESTRO</field><field name="label">Maestro</field>'
                                    b"</record>\n    </data>", 1)
            new.writestr(info, data)
    return target


_MAESTRO = ("import json\n"
            "print('RESULT=' + json.dumps(bool(env['systempay.card'].search([('code', '=', 'MAESTRO')]))))\n")


def test_an_archive_published_again_under_the_same_version_is_upgraded_in_the_databases(host, hvars, tmp_path):
    """Other content, same version (3.1.1 over 3.1.1): the files are replaced and, since Odoo reads data files only
    at -u, shop1 is upgraded at 16.0.3.1.1 and gets the new record; a re-run changes nothing."""
    name = host.backend.get_hostname()
    assert not molecule_hosts.odoo_shell(host, hvars, "shop1", _MAESTRO)
    archive = republished(tmp_path)
    run = molecule_hosts.run_playbook(name, {"addon_src": archive})
    out = " ".join(run.stdout.split())
    assert run.returncode == 0, out
    assert "database shop1: upgrade (16.0.3.1.1 -> 16.0.3.1.1)" in out, out
    assert manifest_version(host) == "3.1.1"
    assert molecule_hosts.odoo_shell(host, hvars, "shop1", _MAESTRO) is True
    again = molecule_hosts.run_playbook(name, {"addon_src": archive})
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout


def test_a_downgrade_is_refused_then_done_when_asked_for(host, hvars):
    """3.1.0 over 3.1.1: refused before any change (files, restarts) naming the variable; with
    addon_allow_downgrade it is done and reported as a downgrade, the database keeping its newer version."""
    before = tree(host)
    starts = molecule_hosts.service_starts(host, hvars)
    older = os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.0.zip")
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {"addon_src": older})
    out = " ".join(run.stdout.split())
    assert run.returncode != 0, out
    assert ("Cannot install payment_systempay 3.1.0 in /var/lib/odoo/addons/16.0 on upgrade-odoo16-deb: version "
            "3.1.1 is in place, and this archive is older (a downgrade)") in out, out
    assert "set addon_allow_downgrade (systempay_odoo_allow_downgrade) to true" in out and "changed=0" in out, out
    # the run report names the archive refused and where it would have gone
    assert "addon: payment_systempay 3.1.0 (Odoo_16) in /var/lib/odoo/addons/16.0: not reached" in out, out
    assert tree(host) == before and molecule_hosts.service_starts(host, hvars) == starts
    run = molecule_hosts.run_playbook(host.backend.get_hostname(),
                                      {"addon_src": older, "systempay_odoo_allow_downgrade": True})
    out = " ".join(run.stdout.split())
    assert run.returncode == 0, out
    assert "in /var/lib/odoo/addons/16.0: downgraded" in out, out
    # the module step leaves the database at the newer version it records (Odoo's -u would not undo a migration)
    assert "database shop1: none (16.0.3.1.1 -> 16.0.3.1.1)" in out, out
    assert manifest_version(host) == "3.1.0"
    assert molecule_hosts.service_starts(host, hvars) == starts + 1
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}


def report_of(folder):
    """This host's record in the run report written to ``folder`` (report_dir)."""
    with open(os.path.join(folder, "systempay-odoo-report.json")) as handle:
        hosts = json.load(handle)["hosts"]
    assert len(hosts) == 1, hosts
    return hosts[0]


# Made-up values for the stand-in (test equipment), for the run that installs the module in shop2.
FIRST_SETTINGS = {"mode": "test", "shop_id": "11112222", "key_test": "UpgFirstKey-2b7c04", "entry_mode": "redirect"}


def test_check_diff_prints_the_plan_the_real_run_then_makes(host, hvars, tmp_path):
    """After the downgrade above (files 3.1.0, shop1 recording 3.1.1) and with a new shop database, shop2: site.yml
    --check --diff with 3.1.1 plans the files, the restart and each database; it changes nothing. The real run then
    does exactly that, as the host shows it: the files' version, the number of starts, each database's row. The
    provider settings given cannot be planned while the module would be installed in shop2 (no record before the
    install): shop2 is planned as the run leaves it, each field the settings touch with the value it then holds,
    and the real run leaves exactly those values in its provider record."""
    name = host.backend.get_hostname()
    dummy, user, program, conf, dummy = molecule_hosts.layout(hvars)
    # Odoo's -d creates the database when it does not exist (and -i of installed modules does nothing)
    host.check_output("cd / && runuser -u %s -- %s -c %s -d shop2 -i website_sale,account --stop-after-init "
                      "--without-demo=all --no-http", user, program, conf)
    databases = ("shop1", "shop2")
    rows = {db: molecule_hosts.module_state(host, hvars, db) for db in databases}
    files, starts = tree(host), molecule_hosts.service_starts(host, hvars)
    assert manifest_version(host) == "3.1.0" and rows["shop1"]["version"] == "16.0.3.1.1"

    check = molecule_hosts.run_playbook(name, {"report_dir": str(tmp_path / "plan"),
                                               "provider_settings": FIRST_SETTINGS}, options=("--check", "--diff"),
                                        environ={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})
    assert check.returncode == 0, check.stdout
    plan = report_of(tmp_path / "plan")
    assert plan["check_mode"] is True
    actions = {db["name"]: db["provider_action"] for db in plan["databases"]}
    assert actions == {"shop1": "would_update", "shop2": "would_update"}, plan["databases"]
    shop2 = [db for db in plan["databases"] if db["name"] == "shop2"][0]
    assert shop2["provider_notes"] == [
        "the module is installed by this run first (release 3.1.1): these are the values the provider holds after "
        "the run; the real run writes those that differ from the values the install gives"]
    printed = printed_diff(check.stdout)
    assert sorted(printed["shop2"]) == sorted(shop2["provider_changed_fields"])
    assert {printed["shop2"][field][0] for field in printed["shop2"]} == {"(the value the install gives)"}
    assert "UpgFirstKey" not in check.stdout
    assert (plan["addon"]["action"], plan["addon"]["before"], plan["addon"]["after"]) == ("would upgrade", "3.1.0",
                                                                                          "3.1.1")
    assert plan["restart"] is True
    planned = {db["name"]: (db["action"], db["version_after"]) for db in plan["databases"]}
    assert planned == {"shop1": ("none", "16.0.3.1.1"), "shop2": ("would_install", "16.0.3.1.1")}
    # the plan changed nothing
    assert tree(host) == files and molecule_hosts.service_starts(host, hvars) == starts
    assert {db: molecule_hosts.module_state(host, hvars, db) for db in databases} == rows

    real = molecule_hosts.run_playbook(name, {"report_dir": str(tmp_path / "real"),
                                              "provider_settings": FIRST_SETTINGS})
    assert real.returncode == 0, real.stdout
    done = report_of(tmp_path / "real")
    assert all(db["provider_action"] == "update" for db in done["databases"]), done["databases"]
    assert (done["addon"]["action"], done["addon"]["after"]) == ("upgraded", plan["addon"]["after"])
    assert done["restart"] == plan["restart"]
    made = {db["name"]: (db["action"], db["version_after"]) for db in done["databases"]}
    assert made == {db: (action.replace("would_", ""), version) for db, (action, version) in planned.items()}
    # what the host shows
    assert manifest_version(host) == plan["addon"]["after"]
    assert molecule_hosts.service_starts(host, hvars) == starts + (1 if plan["restart"] else 0)
    for db, (action, version) in planned.items():
        assert molecule_hosts.module_state(host, hvars, db) == {"state": "installed", "version": version}
    # shop1 had a record to compare with: the real run wrote the fields the plan printed; shop2's record holds
    # every value the plan printed for it (the secret as given: the plan masks it)
    changed = {db["name"]: db["provider_changed_fields"] for db in done["databases"]}
    assert changed["shop1"] == [db for db in plan["databases"] if db["name"] == "shop1"][0]["provider_changed_fields"]
    after = {field: values[1] for field, values in printed["shop2"].items()}
    assert after.pop("systempay_key_test") == "********"
    record = molecule_hosts.odoo_shell(host, hvars, "shop2", (
        "import json\n"
        "rec = env.ref('payment_systempay.payment_provider_systempay')\n"
        "print('RESULT=' + json.dumps(dict((f, rec[f]) for f in %r + ['systempay_key_test'])))\n" % sorted(after)))
    assert record.pop("systempay_key_test") == FIRST_SETTINGS["key_test"]
    assert record == after


def printed_diff(stdout):
    """{database: {field: (before, after)}} as the provider role prints them with --diff (its report task: a line
    "database <name>: ..." then one "field: <before> -> <after>" line a field, both as JSON), from the output of
    a run whose callback writes results as JSON (ANSIBLE_CALLBACK_RESULT_FORMAT=json: one string a line)."""
    found, database = {}, None
    for line in stdout.splitlines():
        text = line.strip().rstrip(",")
        if not (text.startswith('"') and text.endswith('"')):
            continue
        try:
            text = json.loads(text)
        except ValueError:      # a key and its value ("msg": "...")
            continue
        if text.startswith("database "):
            database = text.split(":", 1)[0][len("database "):]
            continue
        field, sep, values = text.partition(": ")
        before, arrow, after = values.partition(" -> ")
        if not (database and arrow and " " not in field):
            continue
        try:
            found.setdefault(database, {})[field] = (json.loads(before), json.loads(after))
        except ValueError:
            continue
    return found


# Made-up values for the stand-in (test equipment); the key must never appear in the output.
PLANNED_SETTINGS = {"mode": "test", "published": True, "shop_id": "87654321", "key_test": "UpgPlanKey-5e3a91",
                    "entry_mode": "redirect"}

_PROVIDER = (
    "import json\n"
    "r = env.ref('payment_systempay.payment_provider_systempay')\n"
    "print('RESULT=' + json.dumps({'site_id': r.systempay_site_id, 'state': r.state, 'published': r.is_published}))\n"
)


def test_check_diff_plans_the_settings_of_an_upgrade_that_the_real_run_then_writes(host, hvars, tmp_path):
    """New files pending (3.1.0 in place again, both databases recording 3.1.1) and provider settings: --check --diff
    plans each database's settings from gather's read, since the upgrade to 3.1.1 runs none of its migrations there
    (16.0.3.1.0 is not above 16.0.3.1.1), and writes nothing; the real run upgrades the files and writes exactly the
    fields planned, as each database then holds them."""
    name = host.backend.get_hostname()
    older = os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.0.zip")
    run = molecule_hosts.run_playbook(name, {"addon_src": older, "systempay_odoo_allow_downgrade": True})
    assert run.returncode == 0, run.stdout
    databases = ("shop1", "shop2")
    before = {db: molecule_hosts.odoo_shell(host, hvars, db, _PROVIDER) for db in databases}
    assert all(row["site_id"] != PLANNED_SETTINGS["shop_id"] for row in before.values()), before

    extra = {"provider_settings": PLANNED_SETTINGS}
    check = molecule_hosts.run_playbook(name, dict(extra, report_dir=str(tmp_path / "plan")),
                                        options=("--check", "--diff"))
    assert check.returncode == 0, check.stdout
    assert PLANNED_SETTINGS["key_test"] not in check.stdout
    plan = report_of(tmp_path / "plan")
    assert plan["addon"]["action"] == "would upgrade"
    planned = {db["name"]: (db["provider_action"], db["provider_changed_fields"]) for db in plan["databases"]}
    assert set(planned) == set(databases) and all(action == "would_update" for action, dummy in planned.values())
    assert all("systempay_site_id" in fields for dummy, fields in planned.values()), planned
    assert {db: molecule_hosts.odoo_shell(host, hvars, db, _PROVIDER) for db in databases} == before

    real = molecule_hosts.run_playbook(name, dict(extra, report_dir=str(tmp_path / "real")))
    assert real.returncode == 0, real.stdout
    assert PLANNED_SETTINGS["key_test"] not in real.stdout
    done = report_of(tmp_path / "real")
    assert done["addon"]["action"] == "upgraded"
    made = {db["name"]: (db["provider_action"], db["provider_changed_fields"]) for db in done["databases"]}
    assert made == {db: ("update", fields) for db, (dummy, fields) in planned.items()}
    for db in databases:
        assert molecule_hosts.odoo_shell(host, hvars, db, _PROVIDER) == {
            "site_id": PLANNED_SETTINGS["shop_id"], "state": "test", "published": True}
