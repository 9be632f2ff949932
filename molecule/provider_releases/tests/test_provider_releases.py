"""Verify of the provider_releases scenario: every setting of each release, on the series it is made for.

Each host carries one release (host variable release_version). Its settings are built here from vendor-releases.json
(tests/fixtures/release_settings.py, shared with the unit tests): every field the release has, the setting that
writes it, a value and the value Odoo stores. One playbooks/site.yml run sets them on the five hosts (the 4.3.0 host
over XML-RPC); each value is then read back from the database with odoo shell. A setting the release lacks is
refused on every host with the host unchanged. On 4.3.0 (Odoo 18) card_types is read back from the field and from
the payment methods the payment form shows, after the XML-RPC run and after a run over the CLI.
"""

import importlib.util
import os

import pytest

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

_SPEC = importlib.util.spec_from_file_location("release_settings", os.path.join(
    molecule_hosts.project_dir(), "tests", "fixtures", "release_settings.py"))
release_settings = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(release_settings)

# Made-up keys for the stand-in (test equipment); a key must never appear in the output.
SECRETS = {"key_test": "RelKeyTest-4d1f7e", "key_prod": "RelKeyProd-9a22c0",
           "rest": dict((name, "Rel-%s-7c1e" % name) for name in release_settings.REST_KEYS)}
WEB_BASE_URL = "https://shop.example.test"

_READ = """
import json
out = {}
for xmlid in ('payment_systempay.payment_provider_systempay', 'payment_systempay.payment_acquirer_systempay'):
    rec = env.ref(xmlid, raise_if_not_found=False)
    if rec:
        break
multi = env.ref(xmlid + 'multi')
def value(r, name):
    v = r[name]
    return sorted(str(x.code) for x in v) if hasattr(v, '_ids') else v
for r, key in ((rec, 'provider'), (multi, 'installments')):
    out[key] = dict((name, value(r, name)) for name in r._fields if name.startswith('systempay_'))
    out[key]['write_date'] = str(r.write_date)
if 'payment.method' in env:
    own = env.ref('payment_systempay.payment_method_systempay')
    brands = env['payment.method'].with_context(active_test=False).search([('primary_payment_method_id', '=', own.id)])
    out['methods'] = {'active': sorted(b.code for b in brands if b.active),
                      'offered': own.active and own in rec.payment_method_ids}
print('RESULT=' + json.dumps(out, default=str))
"""


def read(host, hvars):
    return molecule_hosts.odoo_shell(host, hvars, "shop1", _READ)


def release_table(hvars):
    table, without = release_settings.every_setting(hvars["release_version"], SECRETS)
    assert without == [], "fields of %s without a setting: %s" % (hvars["release_version"], without)
    return table


def settings_of(hvars, **changes):
    """The settings structure setting every field of the host's release (``changes`` laid over, by path)."""
    flat = dict((path, given) for path, given, dummy in release_table(hvars).values())
    flat.update({"mode": "test", "installments.mode": "test", "installments.published": True})
    flat.update(changes)
    return release_settings.nest(flat)


def extra_vars(by_host, report_dir, **more):
    values = {"provider_settings_by_host": by_host,
              "provider_settings": "{{ provider_settings_by_host[inventory_hostname] }}",
              "provider_web_base_url": WEB_BASE_URL, "ipn_probe_from_web_base_url": False,
              "ipn_probe_read_host": False, "report_dir": report_dir}
    values.update(more)
    return values


def hosts():
    import testinfra  # pylint: disable=import-outside-toplevel
    return [(name, testinfra.get_host("podman://" + name), molecule_hosts.host_vars(name))
            for name in molecule_hosts.host_names("odoo")]


@pytest.fixture(name="applied", scope="module")
def fixture_applied(tmp_path_factory):
    """site.yml once on every host with every setting of its release; then, on every host, a setting of another
    release (refused, nothing changed: the records, the addon folders and odoo.conf, the service starts)."""
    all_hosts = hosts()
    by_host = dict((name, settings_of(hvars)) for name, dummy, hvars in all_hosts)
    run = molecule_hosts.run_playbook(",".join(sorted(by_host)), extra_vars(by_host, str(
        tmp_path_factory.mktemp("report"))), timeout=1200)
    paths = ("/var/lib/odoo/addons", "/etc/odoo")
    before = dict((name, (read(host, hvars), molecule_hosts.tree_digest(host, *paths),
                          molecule_hosts.service_starts(host, hvars))) for name, host, hvars in all_hosts)
    wrong = dict((name, settings_of(hvars, **dict([release_settings.another_release_s_setting(
        hvars["release_version"])]))) for name, dummy, hvars in all_hosts)
    refused = molecule_hosts.run_playbook(",".join(sorted(wrong)), extra_vars(wrong, str(
        tmp_path_factory.mktemp("refused"))), timeout=900)
    after = dict((name, (read(host, hvars), molecule_hosts.tree_digest(host, *paths),
                         molecule_hosts.service_starts(host, hvars))) for name, host, hvars in all_hosts)
    return {"run": run, "records": dict((name, state[0]) for name, state in before.items()), "refused": refused,
            "before": before, "after": after}


def test_every_setting_of_the_release_is_written_on_every_host(applied):
    run = applied["run"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert not [secret for secret in [SECRETS["key_test"], SECRETS["key_prod"], *SECRETS["rest"].values()]
                if secret in run.stdout]


def test_each_setting_is_read_back_from_the_database(host, hvars, applied):
    record = applied["records"][host.backend.get_hostname()]
    stored = dict(("systempay_" + suffix, row[2]) for suffix, row in release_table(hvars).items())
    found = dict(record["provider"], **dict((name, value) for name, value in record["installments"].items()
                                            if "_multi_" in name))
    assert dict((name, found.get(name)) for name in stored) == stored


def test_a_setting_the_release_lacks_is_refused_and_nothing_changes(host, hvars, applied):
    name = host.backend.get_hostname()
    path, dummy = release_settings.another_release_s_setting(hvars["release_version"])
    out = " ".join(applied["refused"].stdout.split())
    assert applied["refused"].returncode != 0
    assert "%s is not a setting of addon release %s (releases that have it" % (path, hvars["release_version"]) in out
    assert applied["after"][name] == applied["before"][name]


def test_card_types_on_4_3_0_over_rpc_then_cli(host, hvars, applied, tmp_path):
    """Odoo 18 + 4.3.0: the payment form shows the provider's methods and their active brands (ground truth 10).
    After the XML-RPC run, CB and VISA are active under the addon's method, which the provider offers; a run over the
    CLI with MASTERCARD alone changes both the field and the brands."""
    if hvars["release_version"] != "4.3.0":
        pytest.skip("the 4.3.0 host only")
    name = host.backend.get_hostname()
    assert hvars["systempay_odoo_transport"] == "rpc"
    record = applied["records"][name]
    assert record["provider"]["systempay_payment_cards"] == ["CB", "VISA"]
    assert record["methods"] == {"active": ["systempaycb", "systempayvisa"], "offered": True}
    settings = settings_of(hvars, card_types=["MASTERCARD"])
    run = molecule_hosts.run_playbook(name, extra_vars({name: settings}, str(tmp_path),
                                                       systempay_odoo_transport="cli"), timeout=600)
    assert run.returncode == 0, run.stdout[-3000:]
    again = read(host, hvars)
    assert again["provider"]["systempay_payment_cards"] == ["MASTERCARD"]
    assert again["methods"] == {"active": ["systempaymastercard"], "offered": True}
