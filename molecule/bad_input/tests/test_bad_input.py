"""Verify the bad_input scenario: every bad input fails with a message naming what to fix, changing nothing.

Each case runs ``ansible-playbook playbooks/site.yml`` (the molecule inventory, --limit one host, the case's
--extra-vars) as a subprocess, like a user would; the cases are independent and all fail before any change,
so they run four at a time. Before the first and after the last run, every file under the addons folders,
/etc/odoo, the staging folder and the read-only mount is recorded inside the host (type, mode, owner, group,
sha256), and so is every database of its PostgreSQL cluster (sha256 of its pg_dump): the two records must be equal. Each case's
recap must also say changed=0 and failed=1.
"""

import concurrent.futures
import shutil
import zipfile
from pathlib import Path

import pytest

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

FIXTURES = Path(molecule_hosts.project_dir(), "build", "fixtures")
GOOD = FIXTURES / "Systempay_Odoo_16_v3.1.1.zip"
ODOO_HOST = "badinput-odoo16-deb"
CONSTANTS = "payment_systempay/helpers/constants.py"
# A folder only root can read (made by the fixture below): Odoo, running as odoo, would skip a module there.
UNREADABLE = "/srv/root-only-addons"
BARE_HOST = "badinput-bare"
WATCHED = ("/var/lib/odoo", "/usr/lib/python3/dist-packages/odoo/addons", "/etc/odoo",
           "/var/cache/systempay-odoo", "/srv/readonly-addons", "/opt/payment-addons", UNREADABLE)


def rezip(dest, rename=None, extra=()):
    """A copy of the 3.1.1 zip with entry names passed through ``rename`` and ``extra`` (name, bytes) added."""
    with zipfile.ZipFile(GOOD) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            name = rename(info.filename) if rename else info.filename
            if name:
                out.writestr(name, b"" if info.is_dir() else src.read(info))
        for name, data in extra:
            out.writestr(name, data)
    return str(dest)


def make_inputs(folder):
    """The bad archives, built from the 3.1.1 fixture on the controller."""
    made = {}
    corrupt = folder / "corrupt" / "Systempay_Odoo_16_v3.1.9.zip"
    corrupt.parent.mkdir()
    corrupt.write_bytes(GOOD.read_bytes()[:3000])
    made["corrupt"] = str(corrupt)
    made["slip"] = rezip(folder / "Systempay_Odoo_16_v3.1.8.zip",
                         extra=[("payment_systempay/../../../../etc/cron.d/evil", b"* * * * * root true\n")])
    made["no_module"] = rezip(folder / "Systempay_Odoo_16_v3.1.7.zip",
                              rename=lambda n: n.replace("payment_systempay/", "systempay-addon/", 1))
    made["two_modules"] = rezip(folder / "Systempay_Odoo_16_v3.1.6.zip",
                                extra=[("payment_systempay_extra/__manifest__.py", b"{'name': 'x', 'version': '1.0'}\n")])
    # the one fault of the vendor's public 4.3.0 release, on our 3.1.1 fixture: helpers/constants.py declares utf-8
    # but holds a Latin-1 byte (0xE9 of "Alinéa") in a string, so Python cannot compile it
    latin1 = folder / "latin1" / "Systempay_Odoo_16_v3.1.1.zip"
    latin1.parent.mkdir()
    with zipfile.ZipFile(GOOD) as src:
        constants = src.read(CONSTANTS)
    made["latin1"] = rezip(latin1, rename=lambda n: None if n == CONSTANTS else n,
                           extra=[(CONSTANTS, b'# coding: utf-8\nADDRESS_LABEL = "Alin\xe9a 2"\n' + constants)])
    # a real archive change waiting: the cases below must be refused before it is applied
    made["pending"] = rezip(folder / "Systempay_Odoo_16_v3.1.1.zip",
                            extra=[("payment_systempay/data/pending_change.xml", b"<odoo/>\n")])
    wrong_lines = folder / "other-lines"
    wrong_lines.mkdir()
    for name in ("Systempay_Odoo_10-14_v1.2.6.zip", "Systempay_Odoo_17-19_v4.3.0.zip"):
        shutil.copy(FIXTURES / name, wrong_lines)
    made["other_lines"] = str(wrong_lines)
    return made


def settings(**values):
    """Valid provider settings in test mode, with ``values`` laid over them."""
    return dict({"mode": "test", "shop_id": "12345678", "key_test": "kTestKey-5f1c9a7b"}, **values)


def pending(made, **extra):
    """The extra vars of a case that must be refused while an archive change is pending."""
    return dict(extra, addon_src=made["pending"])


# (case, host, extra vars (callable of the made inputs), texts the output must hold)
CASES = [
    ("corrupt zip", ODOO_HOST, lambda m: {"addon_src": m["corrupt"]},
     ["Cannot read archive", "Systempay_Odoo_16_v3.1.9.zip: not a zip file"]),
    ("zip-slip entry", ODOO_HOST, lambda m: {"addon_src": m["slip"]},
     ["entry 'payment_systempay/../../../../etc/cron.d/evil' climbs out of the folder it is unpacked in (..)"]),
    ("no module folder", ODOO_HOST, lambda m: {"addon_src": m["no_module"]},
     ["its top-level folder must be payment_systempay/, found systempay-addon/"]),
    ("two module folders", ODOO_HOST, lambda m: {"addon_src": m["two_modules"]},
     ["it must hold exactly one top-level folder, payment_systempay/, but holds several",
      "payment_systempay/, payment_systempay_extra/"]),
    ("wrong generation", ODOO_HOST, lambda m: {"addon_src": str(FIXTURES / "Systempay_Odoo_10-14_v1.2.6.zip")},
     ["Systempay archive 1.2.6 declares Odoo_10-14 but this host runs Odoo 16.0: use the 3.x line (Odoo_16)"]),
    ("no archive fits the series", ODOO_HOST, lambda m: {"addon_src": m["other_lines"]},
     ["for Odoo 16.0: none of Systempay_Odoo_10-14_v1.2.6.zip, Systempay_Odoo_17-19_v4.3.0.zip declares it",
      "add the 3.x line"]),
    ("checksum mismatch", ODOO_HOST, lambda m: {"addon_checksum": "sha256:" + "0" * 64},
     ["checksum mismatch: expected sha256:" + "0" * 64 + ", got sha256:"]),
    ("missing config", ODOO_HOST, lambda m: {"systempay_odoo_config": "/etc/odoo/missing.conf"},
     ["Cannot read the Odoo config /etc/odoo/missing.conf", "no such file"]),
    ("invalid brand", ODOO_HOST, lambda m: {"addon_brand": "Sys-Pay"},
     ['addon_brand "Sys-Pay" must be lower-case letters, digits and _']),
    ("archive of another brand", ODOO_HOST, lambda m: {"addon_brand": "payzen"},
     ["its module folder is payment_systempay/, not payment_payzen/: it looks like the systempay brand of the addon"]),
    ("unwritable target", ODOO_HOST, lambda m: {"addon_dest": "/srv/readonly-addons"},
     ["Cannot install payment_systempay in /srv/readonly-addons", "the folder is not writable"]),
    ("copy that would shadow", ODOO_HOST, lambda m: {"addon_dest": "/opt/payment-addons"},
     ["Cannot deploy payment_systempay into /opt/payment-addons on badinput-odoo16-deb: Odoo's addons path already "
      "holds /var/lib/odoo/addons/16.0/payment_systempay version 3.1.1",
      "which would be /var/lib/odoo/addons/16.0/payment_systempay, not the new one",
      "Remove /var/lib/odoo/addons/16.0/payment_systempay, or set addon_dest to /var/lib/odoo/addons/16.0"]),
    ("url without checksum", ODOO_HOST,
     lambda m: {"addon_src": "", "addon_url": "https://downloads.invalid/Systempay_Odoo_16_v3.1.1.zip"},
     ["addon_url needs addon_checksum"]),
    ("src and url together", ODOO_HOST,
     lambda m: {"addon_url": "https://downloads.invalid/Systempay_Odoo_16_v3.1.1.zip",
                "addon_checksum": "sha256:" + "1" * 64},
     ["give addon_src or addon_url, not both"]),
    ("no backup kept", ODOO_HOST, lambda m: {"addon_backup_keep": 0},
     ["addon_backup_keep is 0: keep at least 1 backup"]),
    ("python that does not compile", ODOO_HOST, lambda m: {"addon_src": m["latin1"]},
     ["Cannot install payment_systempay: 1 Python file of the archive does not compile with ",
      "payment_systempay/helpers/constants.py line 2: SyntaxError: ", "can't decode byte 0xe9",
      "/var/lib/odoo/addons/16.0/payment_systempay is as it was"]),
    ("destination the service user cannot read", ODOO_HOST, lambda m: {"addon_dest": UNREADABLE},
     ["Cannot install payment_systempay in /srv/root-only-addons on badinput-odoo16-deb: odoo, the user Odoo runs "
      "as, cannot read that folder (owner root:root, mode 0700"]),
    # Inputs of later steps (module, provider, IPN probe), each with the archive change above pending: refused in the
    # plan, before the addon files change.
    ("shop id of 4 digits", ODOO_HOST, lambda m: pending(m, provider_settings=settings(shop_id="1234")),
     ["settings.shop_id must be the 8 digits of the shop id", "'1234'"]),
    ("production without its key", ODOO_HOST,
     lambda m: pending(m, provider_settings=settings(mode="production", key_production="")),
     ["settings.key_production is empty"]),
    ("unknown signature algorithm", ODOO_HOST, lambda m: pending(m, provider_settings=settings(sign_algo="SHA-512")),
     ["sign_algo", "SHA-512"]),
    ("unknown setting", ODOO_HOST, lambda m: pending(m, provider_settings=settings(shop_idd="12345678")),
     ["shop_idd"]),
    ("text where a number goes", ODOO_HOST,
     lambda m: pending(m, provider_settings=settings(redirect={"enabled": True, "success_timeout": "ten"})),
     ["success_timeout"]),
    ("country the database does not have", ODOO_HOST,
     lambda m: pending(m, provider_settings=settings(specific_countries=["FR", "ZZ"])),
     ["settings.specific_countries: 'ZZ' not found in res.country (found: FR) (database shop1)"]),
    ("override of a database that does not exist", ODOO_HOST,
     lambda m: pending(m, provider_settings=settings(),
                       provider_overrides=[{"database": "nosuchdb", "settings": {"title": "Carte"}}]),
     ["overrides name database nosuchdb, which is not among the databases worked on (shop1)"]),
    ("module step on a database that does not exist", ODOO_HOST,
     lambda m: pending(m, systempay_odoo_databases=["nosuchdb"]),
     ["Cannot choose databases: nosuchdb is not among the databases of this Odoo (shop1)"]),
    ("probe URL that is not a URL", ODOO_HOST, lambda m: pending(m, ipn_probe_urls=["shop.example.com"]),
     ["ipn_probe_urls must be full http:// or https:// URLs such as https://shop.example.com", "shop.example.com"]),
    ("probe timeout of 0", ODOO_HOST, lambda m: pending(m, ipn_probe_timeout=0),
     ["ipn_probe_timeout is 0: give 1 to 120 seconds"]),
    ("unknown transport", ODOO_HOST, lambda m: pending(m, systempay_odoo_transport="ftp"),
     ['systempay_odoo_transport is "ftp": give cli']),
    ("database backups neither on nor off", ODOO_HOST, lambda m: pending(m, systempay_odoo_db_backup="maybe"),
     ['systempay_odoo_db_backup is "maybe" (give true or false)']),
    ("relative database backup folder", ODOO_HOST, lambda m: pending(m, systempay_odoo_db_backup_dir="backups"),
     ['systempay_odoo_db_backup_dir is "backups" (give an absolute folder on the host)']),
    ("no database backup kept", ODOO_HOST, lambda m: pending(m, systempay_odoo_db_backup_keep=0),
     ["systempay_odoo_db_backup_keep is 0 (give a whole number, 1 or more)"]),
    ("database backup folder the service user cannot enter", ODOO_HOST,
     lambda m: pending(m, systempay_odoo_db_backup_dir=UNREADABLE),
     ["odoo, which Odoo runs as and which writes the dumps, cannot enter /srv/root-only-addons: give a folder it "
      "can reach (systempay_odoo_db_backup_dir)"]),
    # --tags choose stages of site.yml; a choice that leaves out a stage the chosen ones need is refused in the plan
    ("--tags modules with an archive change pending", ODOO_HOST, lambda m: pending(m, __options=["--tags", "modules"]),
     ["Cannot run the stages modules on", "That belongs to the stage addon, which --tags/--skip-tags leave out",
      "add the tag addon"]),
    ("--tags settings with an archive change pending", ODOO_HOST,
     lambda m: pending(m, provider_settings=settings(), __options=["--tags", "settings"]),
     ["Cannot run the stages settings on", "add the tag addon"]),
    ("--tags addon upgrading installed files alone", ODOO_HOST, lambda m: pending(m, __options=["--tags", "addon"]),
     ["Cannot run the stages addon on", "Changing installed files without upgrading the databases",
      "add the tag modules"]),
    ("host without Odoo", BARE_HOST, lambda m: {},
     ["Cannot find Odoo: no ", "(set service or binary)"]),
]


@pytest.fixture(scope="module", name="runs")
def fixture_runs(tmp_path_factory):
    """Record the host, run every case (four at a time), record it again."""
    testinfra = pytest.importorskip("testinfra")
    host = testinfra.get_host("podman://" + ODOO_HOST)
    host.check_output("install -d -o root -g root -m 0700 %s", UNREADABLE)
    made = make_inputs(tmp_path_factory.mktemp("bad"))
    inventory = tmp_path_factory.mktemp("inventory") / "bare.yml"
    # the bare host is in group `bare` in the molecule inventory; site.yml targets `odoo`
    inventory.write_text(f"odoo:\n  hosts:\n    {BARE_HOST}:\n      ansible_connection: containers.podman.podman\n")
    before = dict(molecule_hosts.tree_digest(host, *WATCHED), **molecule_hosts.database_digest(host))

    def run(case):
        name, target, extra, dummy = case
        extra_vars = extra(made)
        options = extra_vars.pop("__options", ())
        return name, molecule_hosts.run_playbook(
            target, extra_vars, inventory=str(inventory) if target == BARE_HOST else None, options=options)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(pool.map(run, CASES))
    after = dict(molecule_hosts.tree_digest(host, *WATCHED), **molecule_hosts.database_digest(host))
    return {"before": before, "after": after, "results": results}


# Refused on the host by the step that installs (the check needs the archive there, compiled by Odoo's own Python):
# the staged zip is copied, then taken away again. The recap counts those two steps; the host is the same
# (test_host_is_byte_identical).
@pytest.mark.parametrize("name, target, extra, texts", CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_refused_clearly(runs, name, target, extra, texts):
    out = runs["results"][name].stdout
    assert runs["results"][name].returncode != 0, out
    for text in texts:
        assert text in " ".join(out.split()), out
    assert f"{target}" in out and "failed=1" in out, out
    # the run report never crashes: the host has its summary with the reason, whatever stage failed
    assert "status: failed: " in out and "has no attribute" not in out, out
    # the zip goes to the host inside the install task itself: a refusal there leaves nothing to take away
    assert "changed=0" in out, out


def test_host_is_byte_identical(runs):
    before, after = runs["before"], runs["after"]
    assert any(path.startswith("/var/lib/odoo/addons/16.0/payment_systempay/") for path in before)
    assert "postgresql:shop1" in before
    assert "/etc/odoo/odoo.conf" in before
    assert not any(path.startswith(("/var/cache/systempay-odoo", "/opt/payment-addons")) for path in before)
    changed = sorted(set(before) ^ set(after)) + sorted(p for p in set(before) & set(after) if before[p] != after[p])
    assert changed == []


def test_the_shop_still_works(host, hvars, base_url):
    assert molecule_hosts.module_state(host, hvars, "shop1") == {"state": "installed", "version": "16.0.3.1.1"}
    status, headers = molecule_hosts.http_get(host, f"{base_url}/payment/systempay/ipn")
    assert (status, headers.get("allow")) == (405, "OPTIONS, POST")
    assert molecule_hosts.service_starts(host, hvars) == 1
