"""Verify the backups scenario: database backups before the module step, their restore after a failed migration.

Odoo reaches PostgreSQL over TCP with a password (odoo.conf: db_host 127.0.0.1, db_port 5432, db_password). Tests
run in file order, each a site.yml run (a subprocess on the molecule inventory, as a user would run it):
1. 3.1.1 with too little free space for the backups: refused before any change, naming the folder and the space;
2. the 3.1.1-broken-migrate fixture (tests/fixtures/addons: 3.1.1 plus a migration that disables the provider row,
   rewrites the filestore, commits, then fails), at -vvv with the JSON, Markdown and JUnit reports: shop1 is put
   back from the backup taken just before its -u (its dump identical, its filestore identical), the files are
   rolled back, Odoo answers; the password is in no output;
3. the same without backups (systempay_odoo_db_backup: false), the control case: the migration's change stays;
4. 3.1.1 for real: each database backed up once, then upgraded; a second run backs nothing up;
5. playbooks/rollback.yml with systempay_odoo_restore_databases: the files back to 3.1.0 and each database as its
   newest backup (taken just before that upgrade) holds it, so they record 3.1.0 again; it held the host's lock.
"""

import json
import os

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

FIXTURES = os.path.join(molecule_hosts.project_dir(), "build", "fixtures")
GOOD = os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.1.zip")
BROKEN_MIGRATE = os.path.join(FIXTURES, "Systempay_Odoo_16_v3.1.1-broken-migrate.zip")
ADDON = "/var/lib/odoo/addons/16.0/payment_systempay"
FOLDER = "/var/backups/systempay-odoo"
FILESTORE = "/var/lib/odoo/filestore"
LOCK = "/var/lib/systempay-odoo/run.lock"
PASSWORD_VAR = "db_password"


def flat(text):
    return " ".join(text.split())


def lock_generation(host):
    """How many times the host's lock was taken so far (the counter beside the lock file)."""
    counter = host.file(LOCK + ".generation")
    return json.loads(counter.content_string)["generation"] if counter.exists else 0


def password(hvars):
    return hvars["standin_conf_extra"][PASSWORD_VAR]


def provider_state(host, db):
    return host.check_output("runuser -u postgres -- psql -XtAd %s -c %s", db,
                             "SELECT state FROM payment_provider WHERE code = 'systempay'")


def filestore(host, db):
    return molecule_hosts.tree_digest(host, f"{FILESTORE}/{db}")


def backups_of(host, db):
    out = host.run("ls %s/%s", FOLDER, db).stdout
    return sorted(name for name in out.split() if name.endswith(".dump"))


def report_of(folder):
    with open(os.path.join(folder, "systempay-odoo-report.json")) as handle:
        hosts = json.load(handle)["hosts"]
    assert len(hosts) == 1, hosts
    return hosts[0]


def add_attachment(host, hvars, db, content):
    """A shop's attachment (as an invoice PDF would be): a file in the database's filestore."""
    molecule_hosts.odoo_shell(host, hvars, db, (
        "import json\n"
        f"a = env['ir.attachment'].create({{'name': 'invoice.txt', 'raw': {content!r}}})\n"
        "env.cr.commit()\n"
        "print('RESULT=' + json.dumps(a.store_fname))\n"))


def test_not_enough_room_for_the_backups_is_refused_before_any_change(host, hvars):
    """/dev/shm (the container's 64 MB tmpfs) nearly full: the run with 3.1.1 pending is refused before any change
    (the check is made in the install's call, the run's first change, just before the swap), naming the folder and the
    space; files, databases and the service are as they were, and no lock was taken."""
    for db in ("shop1", "shop2"):
        add_attachment(host, hvars, db, f"invoice of {db}\n".encode())
    watched = ("/var/lib/odoo", "/etc/odoo")
    before = dict(molecule_hosts.tree_digest(host, *watched), **molecule_hosts.database_digest(host))
    starts = molecule_hosts.service_starts(host, hvars)
    host.check_output("fallocate -l $(( $(df --output=avail -B1 /dev/shm | tail -1) - 4194304 )) /dev/shm/fill")
    try:
        run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
            "addon_src": GOOD, "systempay_odoo_db_backup_dir": "/dev/shm/backups"})
    finally:
        host.check_output("rm -f /dev/shm/fill")
    out = flat(run.stdout)
    assert run.returncode != 0, out
    assert "Not enough free space to back up the databases in /dev/shm/backups: " in out, out
    assert "needed (shop1 " in out and "free on its file system (/dev/shm)" in out and "changed=0" in out, out
    after = dict(molecule_hosts.tree_digest(host, *watched), **molecule_hosts.database_digest(host))
    assert after == before
    assert molecule_hosts.service_starts(host, hvars) == starts
    assert not host.file("/dev/shm/backups").exists
    assert not host.file(LOCK).exists


def test_a_failed_migration_is_undone_by_the_restore_of_the_backup(host, hvars, base_url, tmp_path):
    before = molecule_hosts.database_digest(host)
    stores = {db: filestore(host, db) for db in ("shop1", "shop2")}
    state_before = provider_state(host, "shop1")
    assert state_before == "test"      # the vendor's record is created in test mode; the migration disables it
    report_dir = str(tmp_path / "report")
    log = str(tmp_path / "ansible.log")
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
        "addon_src": BROKEN_MIGRATE, "report_dir": report_dir, "report_junit": True},
        options=("-vvv",), environ={"ANSIBLE_LOG_PATH": log}, timeout=600)
    out = flat(run.stdout)
    assert run.returncode != 0, out[-4000:]
    assert "Cannot upgrade payment_systempay in database shop1" in out, out[-4000:]
    assert "BROKEN ON PURPOSE: the migration of 3.1.1-broken-migrate fails after its commit" in out, out[-4000:]
    dumps = backups_of(host, "shop1")
    assert len(dumps) == 1 and dumps[0].endswith("-before-upgrade-16.0.3.1.1.dump"), dumps
    dump = f"{FOLDER}/shop1/{dumps[0]}"
    assert f"Restored from the backups taken before the module step: shop1 from {dump}." in out, out[-4000:]
    assert "Rolled back: the previous addon files (3.1.0) are in place again" in out, out[-4000:]
    # the database and its filestore are as they were before the run; shop2 was not reached (the run stopped)
    assert provider_state(host, "shop1") == state_before
    assert molecule_hosts.database_digest(host) == before
    assert {db: filestore(host, db) for db in ("shop1", "shop2")} == stores
    assert backups_of(host, "shop2") == []
    # Odoo answers, on the previous files, shop1 recording 3.1.0
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.0"}
    assert host.check_output("curl -sS -o /dev/null -w '%%{http_code}' -X POST -H 'Content-Type: application/json' "
                             "-d '{}' %s/web/webclient/version_info", base_url) == "200"
    assert "'version': '3.1.0'" in host.file(f"{ADDON}/__manifest__.py").content_string
    # the report says which backup belongs to which database, and that it was restored
    record = report_of(report_dir)
    shop1 = [db for db in record["databases"] if db["name"] == "shop1"][0]
    assert (shop1["action"], shop1["backup"], shop1["restored"]) == ("failed", dump, True)
    assert f"database shop1: failed (16.0.3.1.0 -> 16.0.3.1.0), backed up to {dump}, restored from that backup" \
        in out, out[-4000:]
    # the backup is kept, 0600, in a folder of Odoo's service user
    assert host.file(dump).mode == 0o600 and host.file(f"{FOLDER}/shop1").user == "odoo"
    # the password is in no output: -vvv stdout, Ansible's log, the reports, Odoo's and PostgreSQL's logs
    secret = password(hvars)
    assert secret in host.file("/etc/odoo/odoo.conf").content_string     # it was there to leak
    assert secret not in run.stdout
    with open(log, encoding="utf-8") as handle:
        assert secret not in handle.read()
    for name in os.listdir(report_dir):
        with open(os.path.join(report_dir, name), encoding="utf-8") as handle:
            assert secret not in handle.read(), name
    assert any(name.endswith(".junit.xml") for name in os.listdir(report_dir))
    assert host.run("grep -rl -- %s /var/log/odoo /var/log/postgresql %s", secret, FOLDER).stdout == ""


def test_without_backups_the_migration_s_change_stays(host, hvars):
    """The control case: the same run with systempay_odoo_db_backup false. The files are rolled back as before, but
    nothing puts the provider row back: the restore above, not the stand-in, undid the migration."""
    state_before = provider_state(host, "shop1")
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
        "addon_src": BROKEN_MIGRATE, "systempay_odoo_db_backup": False})
    out = flat(run.stdout)
    assert run.returncode != 0, out[-4000:]
    assert "BROKEN ON PURPOSE" in out and "Restored from the backups" not in out, out[-4000:]
    assert "Rolled back: the previous addon files (3.1.0) are in place again" in out, out[-4000:]
    assert state_before != "disabled" and provider_state(host, "shop1") == "disabled"
    assert len(backups_of(host, "shop1")) == 1


def test_an_upgrade_backs_up_each_database_once_and_a_rerun_none(host, hvars, tmp_path):
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
        "addon_src": GOOD, "report_dir": str(tmp_path / "report")})
    out = flat(run.stdout)
    assert run.returncode == 0, out[-4000:]
    record = report_of(str(tmp_path / "report"))
    made = {db["name"]: (db["action"], db["backup"]) for db in record["databases"]}
    assert {db: action for db, (action, dummy) in made.items()} == {"shop1": "upgrade", "shop2": "upgrade"}
    for db in ("shop1", "shop2"):
        assert made[db][1].startswith(f"{FOLDER}/{db}/{db}-") and made[db][1].endswith("-before-upgrade-16.0.3.1.1.dump")
        assert host.file(made[db][1]).exists
        assert molecule_hosts.module_state(host, hvars, db) == {"state": "installed", "version": "16.0.3.1.1"}
    counts = {db: len(backups_of(host, db)) for db in ("shop1", "shop2")}
    assert counts == {"shop1": 2, "shop2": 1}
    again = molecule_hosts.run_playbook(host.backend.get_hostname(), {"addon_src": GOOD})
    assert again.returncode == 0 and "changed=0" in flat(again.stdout), again.stdout[-3000:]
    assert {db: len(backups_of(host, db)) for db in ("shop1", "shop2")} == counts


def test_rollback_yml_puts_the_files_and_the_databases_back(host, hvars):
    """After the upgrade above: the previous files (3.1.0) and each database as it was just before its upgrade."""
    newest = {db: backups_of(host, db)[-1] for db in ("shop1", "shop2")}
    taken = lock_generation(host)
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {"systempay_odoo_restore_databases": True},
                                      playbook="playbooks/rollback.yml")
    out = flat(run.stdout)
    assert run.returncode == 0, out[-4000:]
    # one run at a time: the rollback took the host's lock once and released it
    assert lock_generation(host) == taken + 1 and not host.file(LOCK).exists
    assert "rolled back from 3.1.1 to 3.1.0" in out, out[-4000:]
    assert "databases restored from their newest backups: shop1, shop2" in out, out[-4000:]
    for db in ("shop1", "shop2"):
        assert newest[db].endswith("-before-upgrade-16.0.3.1.1.dump")
        assert molecule_hosts.module_state(host, hvars, db) == {"state": "installed", "version": "16.0.3.1.0"}
        assert "records 16.0.3.1.0, the version of the files" in out, out[-4000:]
    assert "'version': '3.1.0'" in host.file(f"{ADDON}/__manifest__.py").content_string
