"""Verify the multidb scenario: one Odoo 16.0 with shop1, shop2 (website_sale, account) and shop3 (website only).

Converge installed 3.1.0 in the two databases named by ``systempay_odoo_databases``. The tests then run
playbooks/site.yml (subprocesses on the molecule inventory, as a user would) in file order:

1. 3.1.1 over XML-RPC with shop3 named first: odoo_module refuses shop3 (no ``account``, which the 3.x addon needs
   without declaring it) before running anything there, goes on, and shop1 and shop2 are upgraded by the running
   server after the one restart; the host fails with shop3's reason and the new files are kept. shop3's module list
   is exactly what it was (the addon's declared dependency ``payment`` is not installed there);
2. ``databases: all`` (alphabetical: shop3 last) with the CLI transport: shop3 is refused again, nothing changes;
   shop15, a database of another series added to the cluster, is left out and said so (Odoo's own check);
3. the two databases named again, over XML-RPC: changed=0;
4. then the provider step over XML-RPC, and --check --diff over XML-RPC on a new database, shop4, planning its
   settings as the install leaves them.
"""

import json
import os
import re

import pytest

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

ADDONS = "/var/lib/odoo/addons/16.0"
ADDON = ADDONS + "/payment_systempay"
BACKUPS = ADDONS + "/.systempay-backups"
V2 = os.path.join(molecule_hosts.project_dir(), "build", "fixtures", "Systempay_Odoo_16_v3.1.1.zip")
V0 = os.path.join(molecule_hosts.project_dir(), "build", "fixtures", "Systempay_Odoo_16_v3.1.0.zip")
DATABASES = ("shop1", "shop2", "shop3")
# The admin's password in every database once the rpc_password fixture has set it (test equipment: an admin
# gives the admin user a real password before using XML-RPC). Distinct enough to be searched for in the output.
PASSWORD = "Mdb-rpc-Secret-71c9"
SHOP3_REASON = ("payment_systempay (3.x line) needs Invoicing (account), which its manifest does not declare, and "
                "database shop3 does not have it installed (account: uninstalled): install Invoicing (account) in "
                "shop3 first, or leave shop3 out of `databases`")


def manifest_version(host):
    content = host.file(ADDON + "/__manifest__.py").content_string
    return content.split("'version': '", 1)[1].split("'", 1)[0]


def odoo_shell(host, hvars, database, script):
    """What ``script`` printed after RESULT= in ``odoo shell`` on ``database``, as the service user, read as JSON."""
    dummy, user, program, conf, dummy = molecule_hosts.layout(hvars)
    out = host.check_output(
        "cd / && printf %%s %s | runuser -u %s -- %s shell -c %s -d %s --no-http 2>/dev/null",
        script, user, program, conf, database)
    line = [row for row in out.splitlines() if row.startswith("RESULT=")][-1]
    return json.loads(line[len("RESULT="):])


def module_list(host, hvars, database):
    """{name: [state, version]} of every module ``database`` lists (``ir.module.module``, whatever its state)."""
    return odoo_shell(host, hvars, database, (
        "import json\n"
        "rows = env['ir.module.module'].search_read([], ['name', 'state', 'latest_version'])\n"
        "print('RESULT=' + json.dumps({r['name']: [r['state'], r['latest_version']] for r in rows}))\n"))


def recap(out, name):
    """{"ok", "changed", "failed", …} of ``name`` in the PLAY RECAP of ``out``."""
    match = re.search(r"^%s\s*:\s*(.*)$" % re.escape(name), out.split("PLAY RECAP", 1)[-1], re.MULTILINE)
    assert match, out
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def site_yml(host, monkeypatch, extra_vars):
    """Run playbooks/site.yml on ``host`` with 3.1.1 and ``extra_vars``, at verbosity 3 so that the output shows
    the module's invocation (its transport, and the password as Ansible masks it). Returns (rc, output, recap)."""
    monkeypatch.setenv("ANSIBLE_VERBOSITY", "3")
    name = host.backend.get_hostname()
    run = molecule_hosts.run_playbook(name, dict({"addon_src": V2}, **extra_vars))
    return run.returncode, run.stdout, recap(run.stdout, name)


@pytest.fixture(name="rpc_password", scope="module")
def fixture_rpc_password(host):
    """Give the admin user of every database PASSWORD (as an admin would in Settings before using XML-RPC)."""
    hvars = molecule_hosts.host_vars(host.backend.get_hostname())
    for database in DATABASES:
        done = odoo_shell(host, hvars, database, (
            "import json\n"
            f"env.ref('base.user_admin').write({{'password': {PASSWORD!r}}})\n"
            "env.cr.commit()\n"
            "print('RESULT=' + json.dumps(True))\n"))
        assert done is True
    return PASSWORD


def test_converge_installed_310_in_the_named_databases(host, hvars):
    """Converge (3.1.0, shop1 and shop2 named) installed the module there and never opened shop3; one restart."""
    assert manifest_version(host) == "3.1.0"
    for database in ("shop1", "shop2"):
        assert molecule_hosts.module_state(host, hvars, database) == {"state": "installed", "version": "16.0.3.1.0"}
    # shop3 was never asked: its module list has not even been refreshed since it was created
    assert molecule_hosts.module_state(host, hvars, "shop3") == {"state": None, "version": None}
    assert module_list(host, hvars, "shop3")["account"][0] == "uninstalled"
    # prepare started odoo.service, converge restarted it once; check mode and idempotence never
    assert molecule_hosts.service_starts(host, hvars) == 2


def test_shop3_first_over_xmlrpc_is_refused_and_the_others_are_upgraded(host, hvars, rpc_password, monkeypatch):
    """3.1.1 over XML-RPC, shop3 named first: shop3 is refused before anything runs in it and the run goes on, so
    shop2 and shop1 are upgraded by the running server (it can only because site.yml restarted it after the file
    swap); the host fails with shop3's reason; the files stay at 3.1.1 because shop2 and shop1 run them.
    Verbosity 3 prints the module's invocation: the password must not be in it."""
    shop3_before = module_list(host, hvars, "shop3")
    starts = molecule_hosts.service_starts(host, hvars)
    code, out, counts = site_yml(host, monkeypatch, {
        "systempay_odoo_databases": ["shop3", "shop2", "shop1"], "systempay_odoo_transport": "rpc",
        "systempay_odoo_login": "admin", "systempay_odoo_password": rpc_password})
    assert rpc_password not in out   # first, and without "out" in the message: it would show the password
    assert code != 0 and counts["failed"] == 1, out
    assert "transport: rpc" in out, out
    assert "password: VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in out, out
    # the host fails with shop3's reason and says why the files stay: shop2 and shop1 took them after shop3 failed
    assert f"Cannot install payment_systempay in database shop3: {SHOP3_REASON}" in out, out
    assert f"Database shop3: {SHOP3_REASON}" in out, out
    assert ("The new addon files are kept: database(s) shop2, shop1 already run them. "
            "Fix the failing database and run again.") in out, out
    # Odoo was never asked to install anything in shop3
    assert "does not exist in registry" not in out, out
    # the files: 3.1.1 in place, 3.1.0 as the one backup; one restart
    assert manifest_version(host) == "3.1.1"
    backups = host.check_output("ls %s", BACKUPS).split()
    assert len(backups) == 1 and backups[0].startswith("payment_systempay-3.1.0-"), backups
    assert molecule_hosts.service_starts(host, hvars) == starts + 1
    for database in ("shop1", "shop2"):
        assert molecule_hosts.module_state(host, hvars, database) == {"state": "installed", "version": "16.0.3.1.1"}
    # shop3: every module in the state it had (payment, the addon's declared dependency, still uninstalled; the
    # module list not even refreshed, so the addon is still not listed)
    shop3_after = module_list(host, hvars, "shop3")
    assert shop3_after["payment"][0] == "uninstalled"
    assert "payment_systempay" not in shop3_after
    assert shop3_after == shop3_before


@pytest.fixture(name="shop15")
def fixture_shop15(host, hvars):
    """A database of another series in the same cluster, as a hosting provider's shared PostgreSQL holds: created
    with the stand-in's CLI, then its base module set to 15.0.1.3, what a database an Odoo 15 made records (the one
    value Odoo's own check, odoo.service.db.list_db_incompatible, reads). Returns its module list before the run."""
    dummy, user, program, conf, dummy = molecule_hosts.layout(hvars)
    listed = odoo_shell(host, hvars, "shop1", (
        "import json\n"
        "from odoo.service import db\n"
        "print('RESULT=' + json.dumps(db.list_dbs(True)))\n"))
    if "shop15" not in listed:
        host.check_output("cd / && runuser -u %s -- %s -c %s -d shop15 -i base --stop-after-init --without-demo=all "
                          "--no-http", user, program, conf)
        odoo_shell(host, hvars, "shop15", (
            "import json\n"
            "env['ir.module.module'].search([('name', '=', 'base')]).write({'latest_version': '15.0.1.3'})\n"
            "env.cr.commit()\n"
            "print('RESULT=' + json.dumps(True))\n"))
    return module_list(host, hvars, "shop15")


def test_all_databases_again_over_the_cli(host, hvars, monkeypatch, shop15):
    """``databases: all`` (shop3 last) with the CLI transport (the default): shop3 is refused again with the same
    reason and Odoo is not run in it; shop15, of another series, is left out and said so (Odoo 16 cannot load it);
    the files did not change so nothing is rolled back; nothing changes anywhere, no restart."""
    shop3_before = module_list(host, hvars, "shop3")
    files_before = molecule_hosts.tree_digest(host, ADDONS)
    starts = molecule_hosts.service_starts(host, hvars)
    code, out, counts = site_yml(host, monkeypatch, {"systempay_odoo_databases": "all"})
    assert code != 0 and (counts["changed"], counts["failed"]) == (0, 1), out
    assert "transport: cli" in out, out
    assert f"Cannot install payment_systempay in database shop3: {SHOP3_REASON}" in out, out
    assert f"Database shop3: {SHOP3_REASON}" in out, out
    assert "does not exist in registry" not in out, out
    assert ("database shop15: skipped (not installed -> not installed): left out of all: database shop15 belongs to "
            "Odoo 15.0 (its base module records 15.0.1.3), not to this Odoo 16.0, which cannot load it"
            ) in " ".join(out.split()), out
    assert "KeyError" not in out, out
    assert module_list(host, hvars, "shop15") == shop15
    assert "The addon files did not change in this run; nothing was rolled back." in out, out
    assert molecule_hosts.tree_digest(host, ADDONS) == files_before
    assert molecule_hosts.service_starts(host, hvars) == starts
    for database in ("shop1", "shop2"):
        assert molecule_hosts.module_state(host, hvars, database) == {"state": "installed", "version": "16.0.3.1.1"}
    assert module_list(host, hvars, "shop3") == shop3_before


def test_named_databases_over_xmlrpc_change_nothing(host, hvars, rpc_password, monkeypatch):
    """shop1 and shop2 named again (the scenario's systempay_odoo_databases), 3.1.1, over XML-RPC: everything is
    in place, changed=0, no restart, shop3 not even opened."""
    starts = molecule_hosts.service_starts(host, hvars)
    code, out, counts = site_yml(host, monkeypatch, {
        "systempay_odoo_transport": "rpc", "systempay_odoo_login": "admin", "systempay_odoo_password": rpc_password})
    assert rpc_password not in out   # first, and without "out" in the message: it would show the password
    assert code == 0 and (counts["changed"], counts["failed"]) == (0, 0), out
    assert "transport: rpc" in out, out
    assert "database shop1: none (16.0.3.1.1 -> 16.0.3.1.1)" in out, out
    assert "database shop2: none (16.0.3.1.1 -> 16.0.3.1.1)" in out, out
    # the summary (the report role's tasks) says nothing of shop3
    assert "shop3" not in out.split("TASK [systempay.odoo.report : ", 1)[1], out
    assert molecule_hosts.service_starts(host, hvars) == starts


def test_rpc_reaches_the_provider_step_and_the_probe_read(host, hvars, rpc_password, monkeypatch):
    """systempay_odoo_transport rpc with provider settings: the provider step works over XML-RPC (its calls are in
    the server's access log, as /xmlrpc/2/object requests), the IPN probe reads the databases the same way, the
    title is read back in the database, and the password is in no output."""
    log = "/var/log/odoo/odoo-server.log"
    object_calls = host.check_output("grep -c 'POST /xmlrpc/2/object' %s || true", log)
    code, out, counts = site_yml(host, monkeypatch, {
        "systempay_odoo_transport": "rpc", "systempay_odoo_login": "admin", "systempay_odoo_password": rpc_password,
        "provider_settings": {"title": "Carte RPC", "mode": "test", "shop_id": "12345678",
                              "key_test": "kTestKey-5f1c9a7b"}})
    assert rpc_password not in out   # first, and without "out" in the message: it would show the password
    assert code == 0 and counts["failed"] == 0, out
    assert int(host.check_output("grep -c 'POST /xmlrpc/2/object' %s || true", log)) > int(object_calls or 0)
    for database in ("shop1", "shop2"):
        title = odoo_shell(host, hvars, database, (
            "import json\n"
            "print('RESULT=' + json.dumps(env.ref('payment_systempay.payment_provider_systempay').name))\n"))
        assert title == "Carte RPC", database


PROVIDER_ALONE = """---
- name: The provider step alone, as site.yml runs it
  hosts: odoo
  gather_facts: false
  tasks:
    - name: Set the provider settings
      ansible.builtin.include_role:
        name: systempay.odoo.provider
"""


def test_provider_step_names_a_database_without_the_addon_and_every_bad_value(host, hvars, tmp_path):
    """The provider step on shop3 (no addon, not even the payment module): the message says the module is not
    installed there, not a raw KeyError. On shop1, an unknown journal and an unknown card type are both named in
    one refusal. Nothing is written."""
    playbook = tmp_path / "provider_alone.yml"
    playbook.write_text(PROVIDER_ALONE, encoding="utf-8")
    name = host.backend.get_hostname()
    read_title = ("import json\n"
                  "print('RESULT=' + json.dumps(env.ref('payment_systempay.payment_provider_systempay').name))\n")
    title_before = odoo_shell(host, hvars, "shop1", read_title)
    base = {"mode": "test", "shop_id": "12345678", "key_test": "kTestKey-5f1c9a7b"}
    run = molecule_hosts.run_playbook(name, {"provider_settings": base, "provider_databases": ["shop3"]},
                                      playbook=str(playbook))
    out = " ".join(run.stdout.split())
    assert run.returncode != 0, out
    # shop3 never listed the addon (every earlier run refused it before anything ran there)
    assert ("Cannot configure the provider in database shop3: the module payment_systempay is not installed there "
            "(state: not in its module list)") in out, out
    assert "KeyError" not in out and "doesn't exist" not in out, out
    run = molecule_hosts.run_playbook(name, {
        "provider_settings": dict(base, title="Carte", journal="NOPE", card_types=["CB", "NOPECARD"]),
        "provider_databases": ["shop1"]}, playbook=str(playbook))
    out = " ".join(run.stdout.split())
    assert run.returncode != 0, out
    assert "settings.journal: 'NOPE' not found in account.journal" in out, out
    assert "settings.card_types: 'NOPECARD' not found in systempay.card" in out, out
    assert odoo_shell(host, hvars, "shop1", read_title) == title_before


def test_check_mode_over_xmlrpc_plans_the_settings_of_a_database_the_run_installs_in(host, hvars, rpc_password,
                                                                                     tmp_path):
    """--check --diff over XML-RPC (gather reads no database) with an archive change pending (3.1.0 back, allowed)
    and shop4, a new shop database, alone: the module step would install the module there, and the provider step
    plans its settings as the run leaves them (no record exists before the install), over XML-RPC. Nothing changes:
    the files, the service, shop4's module row."""
    dummy, user, program, conf, dummy = molecule_hosts.layout(hvars)
    host.check_output("cd / && runuser -u %s -- %s -c %s -d shop4 -i website_sale,account --stop-after-init "
                      "--without-demo=all --no-http", user, program, conf)
    assert odoo_shell(host, hvars, "shop4", (
        "import json\n"
        f"env.ref('base.user_admin').write({{'password': {rpc_password!r}}})\n"
        "env.cr.commit()\n"
        "print('RESULT=' + json.dumps(True))\n")) is True
    starts, row = molecule_hosts.service_starts(host, hvars), molecule_hosts.module_state(host, hvars, "shop4")
    run = molecule_hosts.run_playbook(host.backend.get_hostname(), {
        "addon_src": V0, "systempay_odoo_allow_downgrade": True, "systempay_odoo_databases": ["shop4"],
        "systempay_odoo_transport": "rpc", "systempay_odoo_login": "admin", "systempay_odoo_password": rpc_password,
        "report_dir": str(tmp_path),
        "provider_settings": {"title": "Carte RPC", "mode": "test", "shop_id": "12345678",
                              "key_test": "kTestKey-5f1c9a7b"}}, options=("--check", "--diff"))
    assert rpc_password not in run.stdout and "kTestKey-5f1c9a7b" not in run.stdout
    assert run.returncode == 0, run.stdout
    with open(os.path.join(tmp_path, "systempay-odoo-report.json")) as handle:
        [record] = json.load(handle)["hosts"]
    assert record["addon"]["action"] == "would downgrade", record
    [shop4] = record["databases"]
    assert (shop4["name"], shop4["action"], shop4["provider_action"]) == ("shop4", "would_install", "would_update")
    assert shop4["provider_notes"][0] == (
        "the module is installed by this run first (release 3.1.0): these are the values the provider holds after "
        "the run; the real run writes those that differ from the values the install gives")
    assert {"name", "systempay_site_id", "systempay_key_test", "state"} <= set(shop4["provider_changed_fields"])
    assert manifest_version(host) == "3.1.1"
    assert molecule_hosts.service_starts(host, hvars) == starts
    assert molecule_hosts.module_state(host, hvars, "shop4") == row
