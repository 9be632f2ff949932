"""Verify of the release_paths scenario: upgrades across a change of the addon's fields (vendor-releases.json).

Before the upgrade, shop1's provider gets a shop id and a test key (and, on 3.0.3, a payment page URL) as an admin
would set them. Then playbooks/site.yml runs once on both hosts with each host's next release (paths_next_src):
3.0.3 -> 3.1.0 on Odoo 16 (the REST fields and the entry mode appear, the gateway URL goes) and 4.1.0 -> 4.2.0 on
Odoo 17 (the REST fields, the entry mode and the embedded form appear). Expected values are written out here from
vendor-releases.json and ground truth 9, not taken from the collection's release table.
"""

import json

import pytest

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

XMLID = "payment_systempay.payment_provider_systempay"
GATEWAY = "https://paiement.example.test/vads-payment/"
# series -> (release before, release after, settings the new release has no field for)
PATHS = {"16.0": ("3.0.3", "3.1.0", ["gateway_url"]), "17.0": ("4.1.0", "4.2.0", [])}

_SHELL = "cd / && printf %%s %s | runuser -u %s -- %s shell -c %s -d shop1 --no-http 2>/dev/null"

_WRITE = """
rec = env.ref(%(xmlid)r)
values = {'systempay_site_id': '87654321', 'systempay_key_test': 'PathsKeyTest01'}
if 'systempay_gateway_url' in rec._fields:
    values['systempay_gateway_url'] = %(gateway)r
rec.write(values)
env.cr.commit()
"""

_READ = """
import json
rec = env.ref(%(xmlid)r)
out = {'__fields__': sorted(name for name in rec.fields_get() if name.startswith('systempay_'))}
for name in out['__fields__']:
    out[name] = rec[name] if not hasattr(rec[name], '_ids') else sorted(rec[name].ids)
m = env['ir.module.module'].search([('name', '=', 'payment_systempay')])
out['__version__'] = m.latest_version
print('RECORD=' + json.dumps(out, default=str))
"""


def shell(host, hvars, script):
    dummy, user, program, conf, dummy = molecule_hosts.layout(hvars)
    return host.check_output(_SHELL, script, user, program, conf)


def read(host, hvars):
    out = shell(host, hvars, _READ % {"xmlid": XMLID})
    return json.loads([row for row in out.splitlines() if row.startswith("RECORD=")][-1][len("RECORD="):])


@pytest.fixture(name="without_requests", scope="module")
def fixture_without_requests(tmp_path_factory):
    """On the 3.0.3 host (a release that does not import requests): python3-requests removed with dpkg, site.yml with
    3.1.0 (which imports it, ground truth 9) must refuse before any change. The package's files are put back after
    (the image has no apt cache), so that the upgrade below can run."""
    import testinfra  # pylint: disable=import-outside-toplevel
    [name] = [name for name in molecule_hosts.host_names("odoo") if name.endswith("16")]
    host, hvars = testinfra.get_host("podman://" + name), molecule_hosts.host_vars(name)
    host.check_output("dpkg -L python3-requests | while read -r f; do [ -f \"$f\" ] && echo \"$f\"; done "
                      "| tar -czf /root/python3-requests.tgz -T -")
    host.check_output("dpkg --remove --force-depends python3-requests")
    paths = ("/var/lib/odoo/addons", "/etc/odoo")
    before = (molecule_hosts.tree_digest(host, *paths), molecule_hosts.service_starts(host, hvars),
              molecule_hosts.module_state(host, hvars, "shop1"))
    run = molecule_hosts.run_playbook(name, {"addon_src": "{{ paths_next_src }}",
                                             "report_dir": str(tmp_path_factory.mktemp("refused"))}, timeout=900)
    after = (molecule_hosts.tree_digest(host, *paths), molecule_hosts.service_starts(host, hvars),
             molecule_hosts.module_state(host, hvars, "shop1"))
    host.check_output("tar -xzf /root/python3-requests.tgz -C /")
    return {"name": name, "run": run, "before": before, "after": after}


def test_a_release_the_interpreter_cannot_import_is_refused_before_any_change(without_requests):
    run = without_requests["run"]
    out = " ".join(run.stdout.split())
    assert run.returncode != 0, out[-3000:]
    assert ("Cannot install payment_systempay 3.1.0 on %s: Odoo's Python (python3, run as odoo) cannot "
            "import requests, which this addon release imports when Odoo loads it" % without_requests["name"]) in out, \
        out[-3000:]
    assert "Install python3-requests (Debian packages; with pip: requests)" in out
    assert without_requests["after"] == without_requests["before"]     # files, service starts, module row


@pytest.fixture(name="upgrade", scope="module")
def fixture_upgrade(tmp_path_factory, without_requests):  # pylint: disable=unused-argument
    """Each host's record before, one site.yml run on both hosts with their next release, each record after."""
    import testinfra  # pylint: disable=import-outside-toplevel
    names = molecule_hosts.host_names("odoo")
    hosts = {name: (testinfra.get_host("podman://" + name), dict(molecule_hosts.host_vars(name), __host=name))
             for name in names}
    before = {}
    for name, (host, hvars) in hosts.items():
        shell(host, hvars, _WRITE % {"xmlid": XMLID, "gateway": GATEWAY})
        before[name] = read(host, hvars)
    report_dir = tmp_path_factory.mktemp("report")
    run = molecule_hosts.run_playbook(",".join(names), {"addon_src": "{{ paths_next_src }}",
                                                        "report_dir": str(report_dir)}, timeout=900)
    after = {name: read(host, hvars) for name, (host, hvars) in hosts.items()}
    with open(report_dir / "systempay-odoo-report.json", encoding="utf-8") as handle:
        records = {record["host"]: record for record in json.load(handle)["hosts"]}
    return {"before": before, "after": after, "run": run, "records": records}


def test_the_upgrade_keeps_the_settings_and_adds_the_new_fields(host, hvars, upgrade):
    name = host.backend.get_hostname()
    series = hvars["standin_series"]
    old, new, dropped = PATHS[series]
    run = upgrade["run"]
    assert run.returncode == 0, run.stdout[-5000:]
    before, after = upgrade["before"][name], upgrade["after"][name]
    assert before["__version__"] == f"{series}.{old}" and after["__version__"] == f"{series}.{new}"
    # kept: what the new release still has
    assert (after["systempay_site_id"], after["systempay_key_test"]) == ("87654321", "PathsKeyTest01")
    # new fields: the REST keys (empty) and the entry mode, redirect for the record the upgrade found (ground truth 9)
    added = sorted(set(after["__fields__"]) - set(before["__fields__"]))
    assert "systempay_test_password" in added and "systempay_payment_data_entry_mode" in added
    assert after["systempay_test_password"] in (False, None, "")
    assert after["systempay_payment_data_entry_mode"] == "redirect"
    gone = sorted(set(before["__fields__"]) - set(after["__fields__"]))
    assert gone == (["systempay_gateway_url"] if dropped else [])
    if dropped:
        assert before["systempay_gateway_url"] == GATEWAY


def test_the_report_names_the_settings_the_new_release_dropped(host, hvars, upgrade):
    name = host.backend.get_hostname()
    old, new, dropped = PATHS[hvars["standin_series"]]
    addon = upgrade["records"][name]["addon"]
    assert (addon["action"], addon["before"], addon["after"]) == ("upgraded", old, new)
    assert addon["settings_dropped"] == dropped
    out = " ".join(upgrade["run"].stdout.split())
    line = f"settings release {new} has no field for (their values stay unused): gateway_url"
    assert (line in out) == bool(dropped), out[-3000:]
