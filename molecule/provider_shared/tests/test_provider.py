"""Verify of the provider_12, provider_15, provider_16 and provider_17 scenarios (the same file for the four).

After molecule's converge (playbooks/site.yml with ../group_vars/odoo: the settings in test mode, keys from Ansible
Vault) and idempotence run, each test reads the provider record in shop1 and shop2 the way an admin would check it:
``odoo shell`` on the host, the record found by its xml id, every field of the model. The expected field names and
values of each generation are written out here by hand (ground truth sections 4 and 7, the vendor guide), not taken
from the collection's generation table.

Then, in order: every bad value of CASES, all in one ansible-playbook run of ../playbooks/bad_values.yml, is refused
with a message naming the setting and leaves both records (every field, write_date included) as they were; then
site.yml runs again with test_provider_mode=production (../playbooks/production.yml: after a play standing for a
passed IPN probe), first in check mode with --diff (it tells what would change and writes nothing), then at -vvv with
--diff: the records are in production with the production keys, nothing else changed, and no key appears anywhere
in the log; a third run changes nothing.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

import molecule_hosts

testinfra_hosts = molecule_hosts.testinfra_hosts("odoo")

SHARED = Path(__file__).resolve().parent.parent
VAULT_FILE = SHARED / "group_vars" / "odoo" / "vault.yml"
VAULT_PASSWORD = SHARED / "vault-password.txt"
DATABASES = ("shop1", "shop2")
PARAM = "ir.config_parameter:"

# Record of the addon's provider per series (ground truth 4 and 7).
XMLID = {
    "12.0": "payment_systempay.payment_acquirer_systempay",
    "15.0": "payment_systempay.payment_acquirer_systempay",
    "16.0": "payment_systempay.payment_provider_systempay",
    "17.0": "payment_systempay.payment_provider_systempay",
}

_READ = """
import json
rec = env.ref(%(xmlid)r)
out = {}
for name in sorted(rec.fields_get()):
    value = rec[name]
    if hasattr(value, '_ids'):
        value = sorted(str(r.code if 'code' in r._fields else r.name) for r in value)
    out[name] = value
get = env['ir.config_parameter'].get_param
out['%(param)sweb.base.url'] = get('web.base.url')
out['%(param)sweb.base.url.freeze'] = get('web.base.url.freeze')
print('RECORD=' + json.dumps(out, default=str, sort_keys=True))
"""


def read_record(host, hvars, database, xmlid=None):
    """Every field of the provider record in ``database`` (relations as sorted codes or names), plus web.base.url;
    ``xmlid``: another record (the installments record)."""
    dummy, user, program, conf, dummy = molecule_hosts.layout(hvars)
    script = _READ % {"xmlid": xmlid or XMLID[hvars["standin_series"]], "param": PARAM}
    out = host.check_output("cd / && printf %%s %s | runuser -u %s -- %s shell -c %s -d %s --no-http 2>/dev/null",
                            script, user, program, conf, database)
    line = [row for row in out.splitlines() if row.startswith("RECORD=")][-1]
    return json.loads(line[len("RECORD="):])


def read_all(host, hvars):
    """Both records (the provider and the installments record) of both databases."""
    xmlid = XMLID[hvars["standin_series"]]
    return {db: {"provider": read_record(host, hvars, db), "installments": read_record(host, hvars, db, xmlid + "multi")}
            for db in DATABASES}


def plain(value):
    """An html field's text without the <p> Odoo's sanitizer wraps it in."""
    match = re.match(r"^<p>(.*)</p>$", value, re.S) if isinstance(value, str) else None
    return match.group(1) if match else value


def vault_values():
    """The test keys of vault.yml, decrypted with the test-only password (to look for them in logs)."""
    from ansible.parsing.vault import VaultLib, VaultSecret  # pylint: disable=import-outside-toplevel

    class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """YAML with Ansible's !vault tag."""

    Loader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))
    with open(VAULT_FILE, encoding="utf-8") as stream:
        encrypted = yaml.load(stream, Loader=Loader)  # nosec: our own loader, SafeLoader-based
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD.read_bytes().strip()))])
    return {name: vault.decrypt(text).decode() for name, text in encrypted.items()}


def expected(series, keys, database, mode="test"):
    """Fields the settings of ../group_vars/odoo give ``database`` on ``series``, written out by hand."""
    shop2 = database == "shop2"
    fields = {
        "name": "Carte bancaire (boutique 2)" if shop2 else "Carte bancaire",
        "systempay_site_id": "11223344" if shop2 else "87654321",
        "systempay_key_test": keys["vault_provider_shop2_key_test" if shop2 else "vault_provider_key_test"],
        "systempay_sign_algo": "SHA-256",          # HMAC-SHA-256 as the addon stores it
        "systempay_language": "fr",
        "systempay_available_languages": ["en", "fr"],
        "systempay_capture_delay": "3",
        "systempay_validation_mode": "1",          # manual
        "systempay_payment_cards": ["CB", "VISA"],
        "systempay_threeds_min_amount": "50",      # 50.00
        "systempay_redirect_enabled": "1",
        "systempay_redirect_success_timeout": "5",
        "systempay_redirect_success_message": "Redirection vers la boutique",
        "systempay_redirect_error_timeout": "10",
        "systempay_redirect_error_message": "Retour à la boutique",
        "systempay_return_mode": "POST",
        "pre_msg": "Paiement sécurisé par carte",
        "pending_msg": "Paiement en attente de validation",
        "done_msg": "Paiement effectué",
        "cancel_msg": "Paiement annulé",
        "journal_id": ["BNK1"],                    # the journal named Bank
        PARAM + "web.base.url": "https://shop.example.test",
        PARAM + "web.base.url.freeze": "True",
    }
    if mode == "production":
        fields["systempay_key_prod"] = keys[
            "vault_provider_shop2_key_production" if shop2 else "vault_provider_key_production"]
    major = int(series.split(".")[0])
    if major <= 12:
        fields.update(environment="prod" if mode == "production" else "test", website_published=True,
                      post_msg="Merci, votre paiement est autorisé", error_msg="Erreur de paiement",
                      specific_countries=True, country_ids=["BE", "FR"])
    else:
        fields.update(state="enabled" if mode == "production" else "test", auth_msg="Merci, votre paiement est autorisé",
                      website_id=["My Website"])
    if major == 15:
        fields.update(country_ids=["BE", "FR"])
    if major >= 16:
        # the neutral entry mode and form options as the release spells them (vendor-releases.json: 3.1.x
        # smartform_*, pop-in yes/no; 4.2.0 on embedded_*, pop-in 1/0)
        form = "smartform" if major == 16 else "embedded"
        fields.update({"systempay_payment_data_entry_mode": form, f"systempay_{form}_theme": "classic",
                       f"systempay_{form}_pop_in": "yes" if form == "smartform" else "1",
                       f"systempay_{form}_compact_mode": "1", f"systempay_{form}_payment_attempts": "2"})
        fields.update(is_published=True, available_country_ids=["BE", "FR"],
                      systempay_test_password=keys["vault_provider_rest_test_password"],
                      systempay_prod_password=keys["vault_provider_rest_prod_password"],
                      systempay_public_test_key=keys["vault_provider_rest_public_test_key"],
                      systempay_public_production_key=keys["vault_provider_rest_public_production_key"],
                      systempay_sha256_test_key=keys["vault_provider_rest_sha256_test_key"],
                      systempay_sha256_prod_key=keys["vault_provider_rest_sha256_prod_key"])
    if major <= 15:
        fields["systempay_gateway_url"] = "https://paiement.systempay.fr/vads-payment/"
    if major <= 16:
        fields["payment_icon_ids"] = ["VISA"]
    return fields


def playbook(hvars, playbook_path, extra_vars, *options):
    """``ansible-playbook`` on the scenario's host as molecule runs it (its inventory, the test-only vault password)."""
    return molecule_hosts.run_playbook(hvars["__host"], extra_vars, playbook=str(playbook_path), timeout=900,
                                       options=options, environ={"ANSIBLE_VAULT_PASSWORD_FILE": str(VAULT_PASSWORD)})


def recap(out, host_name):
    """{ok: n, changed: n, failed: n, ...} of ``host_name`` in a play recap."""
    line = [row for row in out.splitlines() if row.startswith(host_name) and "changed=" in row][-1]
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}


@pytest.fixture(name="scenario", scope="module")
def fixture_scenario():
    """Host name, its variables and the decrypted test keys (one host a scenario)."""
    name = molecule_hosts.host_names("odoo")[0]
    hvars = dict(molecule_hosts.host_vars(name), __host=name)
    return hvars, vault_values()


# -- after converge (test mode) ---------------------------------------------------------------------------------
def test_settings_read_back_in_every_database(host, scenario):
    hvars, keys = scenario
    for database in DATABASES:
        record = read_record(host, hvars, database)
        wanted = expected(hvars["standin_series"], keys, database)
        got = {name: plain(record.get(name, "<no such field>")) for name in wanted}
        assert got == wanted, database
        # test mode: no production key given, the addon's own default is still there
        assert record["systempay_key_prod"] not in (keys["vault_provider_key_production"],
                                                    keys["vault_provider_shop2_key_production"])


_METHODS = """
import json
own = env.ref('payment_systempay.payment_method_systempay')
provider = env.ref('payment_systempay.payment_provider_systempay')
brands = env['payment.method'].with_context(active_test=False).search([('primary_payment_method_id', '=', own.id)])
print('RESULT=' + json.dumps({'offered': [m.code for m in provider.payment_method_ids if m.active],
                              'active': sorted(b.code for b in brands if b.active),
                              'archived': sorted(b.code for b in brands if not b.active)}))
"""


def test_card_types_are_the_brands_the_payment_form_shows_on_17(host, scenario):
    """Odoo 17 + 4.3.0 (ground truth 10): the payment form shows the methods a provider offers and their active
    brands; card_types [CB, VISA] leaves those two active under the addon's method, which the provider offers."""
    hvars, dummy = scenario
    if int(hvars["standin_series"].split(".")[0]) < 17:
        pytest.skip("payment methods are Odoo 17's")
    for database in DATABASES:
        assert molecule_hosts.odoo_shell(host, hvars, database, _METHODS) == {
            "offered": ["systempay"], "active": ["systempaycb", "systempayvisa"],
            "archived": ["systempayamex", "systempayapplepay", "systempayecartebleue", "systempaymastercard",
                         "systempaypaypal", "systempayvisaelectron", "systempayvpay"]}, database


def expected_installments(series, keys, database, mode="test"):
    """Fields of the installments record (xml id of the provider + ``multi``, ground truth 4 and 9) after the
    settings' ``installments``: its own count, period, first payment, mode and publish flag, and the shop's id, keys
    and algorithm, written out by hand."""
    shop2 = database == "shop2"
    fields = {
        "systempay_multi_count": "4", "systempay_multi_period": "15", "systempay_multi_first": "40",
        "systempay_site_id": "11223344" if shop2 else "87654321",
        "systempay_key_test": keys["vault_provider_shop2_key_test" if shop2 else "vault_provider_key_test"],
        "systempay_sign_algo": "SHA-256",
    }
    if mode == "production":      # the provider's production key; the installments record stays in test mode
        fields["systempay_key_prod"] = keys[
            "vault_provider_shop2_key_production" if shop2 else "vault_provider_key_production"]
    major = int(series.split(".")[0])
    if major <= 12:
        fields.update(environment="test", website_published=True)
    else:
        fields.update(state="test")
    if major >= 16:
        fields.update(is_published=True)
    return fields


def test_installments_record_read_back_in_every_database(host, scenario):
    hvars, keys = scenario
    xmlid = XMLID[hvars["standin_series"]] + "multi"
    for database in DATABASES:
        record = read_record(host, hvars, database, xmlid)
        wanted = expected_installments(hvars["standin_series"], keys, database)
        assert {name: record.get(name, "<no such field>") for name in wanted} == wanted, database
        # a record of its own: the provider's title is not written there
        assert record["name"] != read_record(host, hvars, database)["name"]


# -- bad values ---------------------------------------------------------------------------------------------------
PROBE_FAILED = {"ok": False, "failed_count": 1, "probes": [
    {"url": "https://shop.example.test", "verdict": "DNS", "ok": False,
     "notify_url": "https://shop.example.test/payment/systempay/ipn"}]}

# (case, settings laid over the scenario's, over shop2's override, ipn probe result, texts the refusal holds)
CASES = [
    ("shop id not 8 digits", {"shop_id": "1234567"}, {}, None,
     ["settings.shop_id must be the 8 digits of the shop id", "'1234567'"]),
    ("no key for test mode", {"key_test": None}, {}, None,
     ["settings.key_test is required with mode test"]),
    ("production without production key", {"mode": "production"}, {}, None,
     ["settings.key_production is required with mode production (guide section 9"]),
    ("production after a failed IPN probe",
     {"mode": "production", "key_production": "ProbeCaseProdKey01"}, {"key_production": "ProbeCaseProdKey02"},
     PROBE_FAILED, ["settings.mode production is refused: the IPN probe of this shop did not pass"]),
    ("unknown algorithm", {"sign_algo": "SHA-512"}, {}, None,
     ["value of sign_algo must be one of: HMAC-SHA-256, SHA-1, got: SHA-512 found in provider_settings"]),
    ("unknown default language", {"language": "xx"}, {}, None,
     ["value of language must be one of:", "got: xx found in provider_settings"]),
    ("unknown available language", {"available_languages": ["fr", "xx"]}, {}, None,
     ["settings.available_languages has 'xx'"]),
    ("card code the addon does not know", {"card_types": ["CB", "NOPE"]}, {}, None,
     ["settings.card_types: 'NOPE' not found in systempay.card"]),
    ("bad return mode", {"return_mode": "PUT"}, {}, None,
     ["value of return_mode must be one of: GET, POST, got: PUT found in provider_settings"]),
    ("redirect timeout over 300", {"redirect": {"success_timeout": 301}}, {}, None,
     ["settings.redirect.success_timeout must be between 0 and 300 seconds, not 301"]),
    ("negative 3DS threshold", {"threeds_min_amount": -5}, {}, None,
     ["settings.threeds_min_amount must be a non-negative amount, not -5"]),
    ("unknown journal", {"journal": "Caisse introuvable"}, {}, None,
     ["settings.journal: 'Caisse introuvable' not found in account.journal"]),
    ("unknown setting name", {"shopid": "12345678"}, {}, None,
     ["provider_settings.shopid. Supported parameters include"]),
    ("bad value in the second shop only", {"title": "Titre qui ne doit pas être écrit"},
     {"card_types": ["CB", "NOPE"]}, None,
     ["Cannot configure the provider in database shop2: settings.card_types: 'NOPE' not found in systempay.card"]),
    ("setting this generation has no field for", "unavailable", {}, None, ["is not a setting of"]),
    ("one installment", {"installments": {"count": 1}}, {}, None,
     ["settings.installments.count must be 2 or more (the number of installments), not 1"]),
    ("installments in production without production key", {"installments": {"mode": "production"}}, {}, None,
     ["settings.key_production is required with installments.mode production"]),
]


def unavailable_case(series):
    """(settings, text) of a setting the host's addon release has no field for (vendor-releases.json: the gateway
    URL is in 1.1.0-3.0.3 and 4.0.0 only, the REST keys in 3.1.x and 4.2.0 on)."""
    major = int(series.split(".")[0])
    if major >= 16:      # 3.1.1 / 4.3.0 installed: checked against the release the database records
        return {"gateway_url": "https://paiement.systempay.fr/vads-payment/"}, \
            "settings.gateway_url is not a setting of addon release %s (releases that have it: 1.1.0-3.0.3, " \
            "4.0.0)" % ("4.3.0" if major == 17 else "3.1.1")
    return {"rest": {"test_password": "RestPasswordCase01"}}, \
        f"settings.rest.test_password is not a setting of any addon release made for Odoo {major} " \
        "(releases that have it: 3.1.0-3.1.1, 4.2.0-4.3.0)"


@pytest.fixture(name="bad_runs", scope="module")
def fixture_bad_runs(host, scenario, tmp_path_factory):
    """Both records before, every case of CASES in one run, both records after."""
    hvars, dummy = scenario
    report = tmp_path_factory.mktemp("bad") / "refusals.json"
    cases = []
    for name, settings, shop2, probe, dummy in CASES:
        if settings == "unavailable":
            settings = unavailable_case(hvars["standin_series"])[0]
        case = {"name": name, "settings": settings, "shop2": shop2}
        if probe is not None:
            case["ipn_probe_result"] = probe
        cases.append(case)
    before = read_all(host, hvars)
    run = playbook(hvars, SHARED / "playbooks" / "bad_values.yml",
                   {"test_provider_cases": cases, "test_provider_report": str(report)})
    after = read_all(host, hvars)
    refusals = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return {"before": before, "after": after, "run": run, "refusals": refusals}


@pytest.mark.parametrize("name, texts", [(case[0], case[4]) for case in CASES], ids=[case[0] for case in CASES])
def test_bad_value_is_refused_naming_the_setting(bad_runs, scenario, name, texts):
    out = bad_runs["run"].stdout
    assert name in bad_runs["refusals"], out
    message = bad_runs["refusals"][name]
    assert message is not None, f"the role accepted the case {name!r}"
    message = " ".join(message.split())
    if name == "setting this generation has no field for":
        texts = [unavailable_case(scenario[0]["standin_series"])[1]]
    for text in texts:
        assert text in message


def test_bad_values_change_nothing(bad_runs, scenario):
    run = bad_runs["run"]
    assert run.returncode == 0, run.stdout
    counts = recap(run.stdout, scenario[0]["__host"])
    assert counts["changed"] == 0 and counts["failed"] == 0, run.stdout
    assert len(bad_runs["refusals"]) == len(CASES), run.stdout
    assert bad_runs["after"] == bad_runs["before"]
    assert bad_runs["before"]["shop1"]["provider"]["name"] == "Carte bancaire"   # a real read, not empty ones
    assert bad_runs["before"]["shop1"]["installments"]["systempay_multi_count"] == "4"


# -- test -> production, at -vvv ----------------------------------------------------------------------------------
@pytest.fixture(name="production", scope="module")
def fixture_production(host, scenario, bad_runs):  # pylint: disable=unused-argument
    """site.yml again (after a passed IPN probe), at -vvv with --diff, switching to production.

    After the bad values, which expect test mode.
    """
    hvars, dummy = scenario
    before = read_all(host, hvars)
    extra = {"test_provider_mode": "production"}
    check = playbook(hvars, SHARED / "playbooks" / "production.yml", extra, "--check", "--diff")
    after_check = read_all(host, hvars)
    run = playbook(hvars, SHARED / "playbooks" / "production.yml", extra, "-vvv", "--diff")
    after = read_all(host, hvars)
    again = playbook(hvars, SHARED / "playbooks" / "production.yml", extra)
    return {"before": before, "check": check, "after_check": after_check, "after": after, "run": run,
            "again": again, "after_again": read_all(host, hvars)}


def test_check_mode_tells_what_would_change_and_writes_nothing(production, scenario):
    hvars = scenario[0]
    check = production["check"]
    assert check.returncode == 0, check.stdout[-5000:]
    assert recap(check.stdout, hvars["__host"])["changed"] >= 1
    assert production["after_check"] == production["before"]
    mode_field = "environment" if hvars["standin_series"] == "12.0" else "state"
    out = " ".join(check.stdout.split())
    for database in DATABASES:
        # the installments record takes the shop's production key too (it stays in test mode)
        assert (f"database {database}: production, published; would change 3 fields ({mode_field}, systempay_key_prod, "
                "installments.systempay_key_prod); installments: test, published" in out)
    assert 'systempay_key_prod: "********" -> "******** (changed)"' in out


def test_switch_to_production(production, scenario):
    hvars, keys = scenario
    run = production["run"]
    assert run.returncode == 0, run.stdout[-5000:]
    assert recap(run.stdout, hvars["__host"])["changed"] >= 1
    series = hvars["standin_series"]
    mode_field = "environment" if series == "12.0" else "state"
    for database in DATABASES:
        before, after = production["before"][database]["provider"], production["after"][database]["provider"]
        wanted = expected(series, keys, database, mode="production")
        assert {name: plain(after.get(name)) for name in wanted} == wanted, database
        changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
        assert changed == sorted([mode_field, "systempay_key_prod", "write_date"]), database
        before, after = production["before"][database]["installments"], production["after"][database]["installments"]
        wanted = expected_installments(series, keys, database, mode="production")
        assert {name: after.get(name) for name in wanted} == wanted, database
        changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
        assert changed == ["systempay_key_prod", "write_date"], database
    out = " ".join(run.stdout.split())
    for database in DATABASES:
        assert (f"database {database}: production, published; wrote 3 fields ({mode_field}, systempay_key_prod, "
                "installments.systempay_key_prod); installments: test, published" in out)
    # --diff: before and after of each field, the key masked
    assert 'systempay_key_prod: "********" -> "******** (changed)"' in out


def test_production_rerun_changes_nothing(production, scenario):
    again = production["again"]
    assert again.returncode == 0, again.stdout[-5000:]
    assert recap(again.stdout, scenario[0]["__host"])["changed"] == 0, again.stdout
    assert production["after_again"] == production["after"]


def test_no_key_in_the_vvv_log(production):
    out = production["run"].stdout
    # what the container connection prints at -vvv only: each command it runs and each module file it puts
    assert "> RUN " in out and re.search(r"> PUT \S+ TO \S+", out), "not a -vvv log"
    assert "Set the provider settings in the databases" in out
    leaked = [name for name, value in vault_values().items() if value in out]
    assert leaked == []


# -- a fresh install without REST keys (releases whose fresh install starts with the embedded form) --------------
FRESH = {"16.0": ("3.1.1", "smartform"), "17.0": ("4.3.0", "embedded")}


def test_a_fresh_install_without_rest_keys_ends_in_redirect_and_the_report_says_why(host, scenario, tmp_path):
    """Last (it adds a database): a new shop database, shop3, then site.yml on it alone with settings that give no
    REST keys and no entry mode. The module step installs the addon there; the fixture starts it with the embedded
    form (ground truth 9), which cannot work without the keys, so the run sets redirect and the report says why.
    shop1 keeps its embedded form."""
    hvars = scenario[0]
    series = hvars["standin_series"]
    if series not in FRESH:
        pytest.skip("releases for Odoo %s have no entry mode" % series)
    version, fresh_mode = FRESH[series]
    dummy, user, program, conf, dummy = molecule_hosts.layout(hvars)
    field = "systempay_payment_data_entry_mode"
    host.check_output("cd / && runuser -u %s -- %s -c %s -d shop3 -i website_sale,account --stop-after-init "
                      "--without-demo=all --no-http", user, program, conf)
    shop1 = read_record(host, hvars, "shop1")[field]
    settings = {"mode": "test", "shop_id": "87654321", "key_test": "FreshCaseKeyTest01"}
    run = playbook(hvars, "playbooks/site.yml", {"systempay_odoo_databases": ["shop3"], "provider_settings": settings,
                                                 "provider_overrides": [], "report_dir": str(tmp_path)})
    assert run.returncode == 0, run.stdout[-5000:]
    assert read_record(host, hvars, "shop3")[field] == "redirect"
    assert read_record(host, hvars, "shop1")[field] == shop1 == fresh_mode
    note = (f"entry mode set to redirect: the fresh install of {version} started with {fresh_mode}, which needs the "
            "REST keys of mode test (settings.rest.test_password, settings.rest.public_test_key, "
            "settings.rest.sha256_test_key not given); give them with settings.entry_mode to keep the embedded form")
    with open(tmp_path / "systempay-odoo-report.json", encoding="utf-8") as handle:
        [record] = json.load(handle)["hosts"]
    [shop3] = [db for db in record["databases"] if db["name"] == "shop3"]
    assert (shop3["action"], shop3["provider_action"], shop3["provider_notes"]) == ("install", "update", [note])
    # settings without installments: the installments record is left as the install made it, and said so
    assert shop3["installments"].startswith("not managed")
    assert note in " ".join(run.stdout.split())
