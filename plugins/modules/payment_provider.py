#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: payment_provider
short_description: Set the payment addon's provider (acquirer) settings in every database, on any Odoo generation
version_added: 0.1.0
description:
  - Makes the provider record of the payment addon (C(payment_<brand>)) match O(settings) in the databases
    O(databases) of the host's Odoo - the settings of the vendor's guide section 6 (identities, payment page,
    selective 3DS, return to shop, messages, configuration) and section 9 (switch to production), made declarative.
  - O(settings) is one structure for every brand and every Odoo generation; the module maps it onto the
    generation's model and fields (C(payment.acquirer) on Odoo 10-15, C(payment.provider) from 16; mode field
    C(environment) up to 12, C(state) from 13; see C(docs/provider-settings.md) for the whole table).
    A setting left out (or null) is left as the database has it.
  - For each database, in turn - reads the model's fields (C(fields_get)) and fails when a field the generation
    table expects is missing (a generation this collection has not met). With O(transport=rpc) from Odoo 13 it
    asks C(fields_get) without the selection values, which Odoo cannot send over XML-RPC when the addon's labels
    are lazy translations (4.2.0 on), and reads the values of the list selections from
    C(ir.model.fields.selection); finds the record by its xml id
    (C(payment_<brand>.payment_provider_<brand>) from 16, C(payment_<brand>.payment_acquirer_<brand>) before);
    resolves names to ids (website by name or domain, journal by name or code, countries by code, card types
    and languages by code in C(<brand>.card) and C(<brand>.language), payment icons by name); writes only the
    fields that differ, in one C(write) call; then, in the same call to Odoo (one process over the CLI, committed
    once every write and read succeeded), reads the record again and fails if a value did not stick.
  - Every setting is checked before anything is written (formats, ranges, the keys the mode needs, settings
    this generation has no field for, names that do not resolve), with a message naming the setting.
    Unknown setting names are refused with the closest known name.
  - The first database that fails stops the task; the ones after it are reported as not processed.
  - Secrets (the keys, the REST passwords and keys) are never returned, never shown in a diff (masked as
    C(********)), and never put on a command line - with O(transport=cli) they reach C(odoo shell) on its
    standard input.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  settings:
    description:
      - The provider settings wanted in every database; each one is optional. See C(docs/provider-settings.md)
        for the field each one sets on each generation and the guide section it comes from.
    type: dict
    required: true
    suboptions:
      title:
        description: Name the buyer sees when choosing how to pay (guide 6, C(Titre)).
        type: str
      website:
        description:
          - Website the provider is offered on, by name or domain; an empty string means every website (guide 6).
        type: str
      mode:
        description:
          - V(test) or V(production) (guide 6 C(Mode), section 9).
          - V(production) needs O(settings.key_production) and is refused when O(ipn_probe_passed=false).
          - On Odoo 10-12 it sets C(environment) (V(test)/V(prod)); from 13, C(state) (V(test)/V(enabled)).
        type: str
        choices: [test, production]
      published:
        description:
          - Whether buyers are offered the provider (guide 6 C(Publier)). C(website_published) on 10-12,
            C(is_published) from 16. Odoo 13-15 have no publish field - V(false) sets C(state=disabled)
            (the addon then checks notifications with the production key), V(true) follows O(settings.mode).
        type: bool
      shop_id:
        description: The shop id, 8 digits (guide 6.1; Back Office Settings > Shop > Keys).
        type: str
      key_test:
        description: The test key (guide 6.1). Required with O(settings.mode=test). Secret.
        type: str
      key_production:
        description: The production key (guide 6.1, 9). Required with O(settings.mode=production). Secret.
        type: str
      sign_algo:
        description: Signature algorithm, as set in the Back Office (guide 6.1); stored as C(SHA-1)/C(SHA-256).
        type: str
        choices: [HMAC-SHA-256, SHA-1]
      gateway_url:
        description:
          - Payment page URL (guide 6.1); addon releases 1.1.0 to 3.0.3 and 4.0.0 have the field, the others do
            not (see C(docs/provider-settings.md)).
        type: str
      language:
        description: Default language of the payment page (guide 6.1).
        type: str
        choices: [cn, de, es, en, fr, it, jp, nl, pl, pt, ru, sv, tr]
      available_languages:
        description: Languages offered on the payment page, by code; an empty list offers them all (guide 6.1).
        type: list
        elements: str
      capture_delay:
        description:
          - Days before capture (guide 6.1); an empty string leaves it to the Back Office (advised).
        type: raw
      validation_mode:
        description:
          - V(backoffice) (the Back Office setting, advised), V(automatic) or V(manual) (guide 6.1);
            stored as C(-1), C(0), C(1).
        type: str
        choices: [automatic, backoffice, manual]
      card_types:
        description:
          - Card types shown on the payment page, by code (C(CB), C(VISA)...), as the addon's C(<brand>.card)
            records know them; an empty list shows them all (guide 6.1, advised).
          - On Odoo 17 and later (addon 4.x), the payment form of the shop shows the payment methods the provider
            offers and their active card brands, which the addon creates as C(payment.method) records. There the
            provider also offers the addon's own method, and of the card brands under it (C(CB), C(VISA),
            C(MASTERCARD), C(AMEX), C(E-CARTEBLEUE), C(VISA_ELECTRON), C(VPAY), C(APPLE_PAY), C(PAYPAL)) those
            given are active and the others archived; with an empty list, the four the addon's install activates
            (C(CB), C(VISA), C(MASTERCARD), C(AMEX)). A card type without a brand gets a note.
        type: list
        elements: str
      threeds_min_amount:
        description: Amount below which 3-D Secure is disabled (guide 6.1 selective 3DS); a non-negative amount.
        type: raw
      redirect:
        description: Automatic return to the shop (guide 6.1 C(Retour a la boutique)).
        type: dict
        suboptions:
          enabled:
            description: Redirect the buyer automatically (stored as C(1)/C(0)).
            type: bool
          success_timeout:
            description: Seconds before the redirection after a payment that succeeded, 0-300.
            type: int
          success_message:
            description: Message shown before that redirection.
            type: str
          error_timeout:
            description: Seconds before the redirection after a payment that failed, 0-300.
            type: int
          error_message:
            description: Message shown before that redirection.
            type: str
      return_mode:
        description: How the payment page sends its data back to the shop (guide 6.1).
        type: str
        choices: [GET, POST]
      messages:
        description:
          - The messages of guide 6.2, as HTML. C(pre), C(pending), C(done), C(cancel) exist on every generation;
            C(auth) is C(auth_msg) from 13 and C(post_msg) (the "thanks" message) on 10-12; C(error) is
            C(error_msg), on 10-12 only.
        type: dict
        suboptions:
          pre:
            description: Help message shown before payment (C(pre_msg)).
            type: str
          pending:
            description: Message when the payment is waiting for validation (C(pending_msg)).
            type: str
          auth:
            description: Message when the payment is authorized (C(auth_msg); C(post_msg) on 10-12).
            type: str
          done:
            description: Message when the payment is accepted (C(done_msg)).
            type: str
          cancel:
            description: Message when the payment is cancelled (C(cancel_msg)).
            type: str
          error:
            description: Error message (C(error_msg), Odoo 10-12 only).
            type: str
      journal:
        description: Payment journal, by name or code (guide 6.3; C(Bank) advised); an empty string clears it.
        type: str
      specific_countries:
        description:
          - Countries (ISO codes) the provider is offered to; an empty list offers it everywhere (guide 6.3).
            On 10-12 it also sets the C(specific_countries) flag.
        type: list
        elements: str
      payment_icons:
        description:
          - Payment icons shown when choosing how to pay, by name (guide 6.3). Odoo 17 has no payment icons
            (they became payment methods).
        type: list
        elements: str
      rest:
        description:
          - REST API and embedded form keys; addon releases 3.1.0, 3.1.1 and 4.2.0 on have them (not 3.0.x, 4.0.0,
            4.1.0). All secret.
        type: dict
        suboptions:
          test_password:
            description: REST API test password.
            type: str
          prod_password:
            description: REST API production password.
            type: str
          public_test_key:
            description: Public test key.
            type: str
          public_production_key:
            description: Public production key.
            type: str
          sha256_test_key:
            description: HMAC-SHA-256 test key.
            type: str
          sha256_prod_key:
            description: HMAC-SHA-256 production key.
            type: str
      entry_mode:
        description:
          - How the buyer enters card data (releases 3.1.0, 3.1.1 and 4.2.0 on). V(embedded) and the two
            V(embedded_extended_*) modes are written as the release in place spells them - C(smartform*) on 3.1.x,
            C(embedded*) from 4.2.0. The C(smartform*) names are accepted as synonyms.
          - An embedded mode needs the REST keys of the provider's mode (password, public key, HMAC-SHA-256 key - in
            O(settings.rest) or already set in the database); without them it is refused, naming the keys.
          - Left out in a database where O(fresh_installs) says the module was just installed, a release whose fresh
            install starts with the embedded form (3.1.x, 4.2.0 on) is set to V(redirect) when those keys are
            missing, and RV(databases[].notes) says so - the embedded form would fail at checkout without them.
        type: str
        choices: [redirect, embedded, embedded_extended_with_logos, embedded_extended_without_logos, smartform,
                  smartform_extended_with_logos, smartform_extended_without_logos]
      embedded_form:
        description:
          - Display options of the embedded form (releases 3.1.0, 3.1.1 - fields C(<brand>_smartform_*) - and 4.2.0
            on - fields C(<brand>_embedded_*)).
        type: dict
        suboptions:
          pop_in:
            description: Show the form in a pop-in (stored C(yes)/C(no) on 3.1.x, C(1)/C(0) from 4.2.0).
            type: bool
          theme:
            description: The form's theme.
            type: str
            choices: [neon, classic]
          compact_mode:
            description: Compact display (stored C(1)/C(0)).
            type: bool
          payment_attempts:
            description:
              - Extra payment attempts after a refusal, 0-99 (guide 4.7); an empty string leaves it to the Back
                Office.
            type: raw
      installments:
        description:
          - The installments record (payment in several times), the addon's second provider record
            C(<brand>multi) (addon releases 1.2.0 on). Left out, that record is left as it is, and RV(databases[].installments)
            says how it stands.
          - Given, the record also takes the shop's O(settings.shop_id), O(settings.key_test),
            O(settings.key_production) and O(settings.sign_algo) (it signs its payments with them), and the keys its
            mode needs are required as for the provider.
          - Payment in installments needs the option on the shop's contract (the vendor's warning in the addon's form).
        type: dict
        suboptions:
          count:
            description: Number of installments, 2 or more (C(<brand>_multi_count)).
            type: int
          period:
            description: Days between two installments, 1 or more (C(<brand>_multi_period)).
            type: int
          first:
            description:
              - The first installment as a percentage of the total, above 0 and below 100 (C(<brand>_multi_first));
                an empty string makes every installment the same amount.
            type: raw
          mode:
            description: V(test) or V(production), as O(settings.mode), for the installments record.
            type: str
            choices: [test, production]
          published:
            description: Whether buyers are offered payment in installments, as O(settings.published).
            type: bool
  brand:
    description: The brand of the addon (module C(payment_<brand>), fields C(<brand>_*)).
    type: str
    default: systempay
  databases:
    description:
      - Databases to work on, in the order given. V(all) means every database the running service lists
        (C(/xmlrpc/2/db) C(list()), which ignores C(dbfilter)).
    type: list
    elements: str
    default: [all]
  overrides:
    description:
      - Settings of some databases that differ from O(settings) (another shop id and its keys, another title...),
        laid over O(settings) for that database.
    type: list
    elements: dict
    default: []
    suboptions:
      database:
        description: The database.
        type: str
        required: true
      settings:
        description: Partial settings, of the same shape as O(settings).
        type: dict
        required: true
        suboptions:
          available_languages:
            description: As O(settings.available_languages).
            type: list
            elements: str
          capture_delay:
            description: As O(settings.capture_delay).
            type: raw
          card_types:
            description: As O(settings.card_types).
            type: list
            elements: str
          embedded_form:
            description: As O(settings.embedded_form).
            type: dict
            suboptions:
              compact_mode:
                description: As O(settings.embedded_form.compact_mode).
                type: bool
              payment_attempts:
                description: As O(settings.embedded_form.payment_attempts).
                type: raw
              pop_in:
                description: As O(settings.embedded_form.pop_in).
                type: bool
              theme:
                description: As O(settings.embedded_form.theme).
                type: str
                choices: [neon, classic]
          entry_mode:
            description: As O(settings.entry_mode).
            type: str
            choices: [redirect, embedded, embedded_extended_with_logos, embedded_extended_without_logos, smartform,
                      smartform_extended_with_logos, smartform_extended_without_logos]
          gateway_url:
            description: As O(settings.gateway_url).
            type: str
          installments:
            description: As O(settings.installments).
            type: dict
            suboptions:
              count:
                description: As O(settings.installments.count).
                type: int
              first:
                description: As O(settings.installments.first).
                type: raw
              mode:
                description: As O(settings.installments.mode).
                type: str
                choices: [test, production]
              period:
                description: As O(settings.installments.period).
                type: int
              published:
                description: As O(settings.installments.published).
                type: bool
          journal:
            description: As O(settings.journal).
            type: str
          key_production:
            description: As O(settings.key_production).
            type: str
          key_test:
            description: As O(settings.key_test).
            type: str
          language:
            description: As O(settings.language).
            type: str
            choices: [cn, de, es, en, fr, it, jp, nl, pl, pt, ru, sv, tr]
          messages:
            description: As O(settings.messages).
            type: dict
            suboptions:
              auth:
                description: As O(settings.messages.auth).
                type: str
              cancel:
                description: As O(settings.messages.cancel).
                type: str
              done:
                description: As O(settings.messages.done).
                type: str
              error:
                description: As O(settings.messages.error).
                type: str
              pending:
                description: As O(settings.messages.pending).
                type: str
              pre:
                description: As O(settings.messages.pre).
                type: str
          mode:
            description: As O(settings.mode).
            type: str
            choices: [test, production]
          payment_icons:
            description: As O(settings.payment_icons).
            type: list
            elements: str
          published:
            description: As O(settings.published).
            type: bool
          redirect:
            description: As O(settings.redirect).
            type: dict
            suboptions:
              enabled:
                description: As O(settings.redirect.enabled).
                type: bool
              error_message:
                description: As O(settings.redirect.error_message).
                type: str
              error_timeout:
                description: As O(settings.redirect.error_timeout).
                type: int
              success_message:
                description: As O(settings.redirect.success_message).
                type: str
              success_timeout:
                description: As O(settings.redirect.success_timeout).
                type: int
          rest:
            description: As O(settings.rest).
            type: dict
            suboptions:
              prod_password:
                description: As O(settings.rest.prod_password).
                type: str
              public_production_key:
                description: As O(settings.rest.public_production_key).
                type: str
              public_test_key:
                description: As O(settings.rest.public_test_key).
                type: str
              sha256_prod_key:
                description: As O(settings.rest.sha256_prod_key).
                type: str
              sha256_test_key:
                description: As O(settings.rest.sha256_test_key).
                type: str
              test_password:
                description: As O(settings.rest.test_password).
                type: str
          return_mode:
            description: As O(settings.return_mode).
            type: str
            choices: [GET, POST]
          shop_id:
            description: As O(settings.shop_id).
            type: str
          sign_algo:
            description: As O(settings.sign_algo).
            type: str
            choices: [HMAC-SHA-256, SHA-1]
          specific_countries:
            description: As O(settings.specific_countries).
            type: list
            elements: str
          threeds_min_amount:
            description: As O(settings.threeds_min_amount).
            type: raw
          title:
            description: As O(settings.title).
            type: str
          validation_mode:
            description: As O(settings.validation_mode).
            type: str
            choices: [automatic, backoffice, manual]
          website:
            description: As O(settings.website).
            type: str
  release:
    description:
      - The addon release this run leaves in place in the databases (the archive's version when the run installs or
        upgrades the addon, as C(playbooks/site.yml) gives it). The settings are checked and written for that
        release - a setting it lacks is refused, naming the releases that have it.
      - Left out, each database's settings are checked for the version that database records for the module (and,
        before anything is read, for every release made for the host's Odoo series).
      - A version that is not a public release (a newer one, or a patched build) is taken as the newest public
        release of its line before it.
    type: str
  fresh_installs:
    description:
      - The databases in which this run installed the module (not upgraded it), as C(playbooks/site.yml) gives them
        from the module step. Used for the fresh-install entry mode (see O(settings.entry_mode)).
      - In check mode, the databases in which the module step would install the module. With O(release), where the
        module is not installed yet, such a database is planned as the run leaves it (see RV(databases[].notes))
        since no provider record exists before the install; RV(databases[].diff) gives each field the settings touch
        with the value it holds after the run, its C(before) being C((the value the install gives)).
    type: list
    elements: str
    default: []
  web_base_url:
    description:
      - Public URL of the shop. When given, C(web.base.url) is set to it and frozen (C(web.base.url.freeze=True))
        so that Odoo does not reset it from the next admin login; the addon derives its notification URL from it.
    type: str
  validate_only:
    description:
      - Only check the settings (types, values, cross-field rules, settings this generation lacks, databases and
        overrides that name a database this Odoo does not have) and exit; no database is opened. Used before any
        change is made on the host (the C(playbooks/site.yml) plan).
      - With O(odoo_facts), a website, journal or country the settings name that the gather stage's read of a
        database does not hold is refused (no step of a run creates those; the addon's cards, languages and icons
        may come with its install or upgrade, and are resolved when the database is worked on).
      - When O(odoo_facts) holds the gather stage's read of every database worked on, each database is also compared
        with it as in check mode (no Odoo process); RV(planned) is then V(true) and RV(databases) is the plan. A
        database where the module is not installed yet is planned as the module step leaves it after installing
        O(release) (as in check mode with O(fresh_installs)). A database that cannot be planned from that read (a
        card, language or icon it does not resolve, the module not installed yet without O(release), fields of
        O(release) the read lacks, or migration scripts of O(release) that the upgrade of that database would run,
        since they may rewrite the provider's row) leaves RV(planned) V(false) and
        RV(databases) empty, and refuses nothing; the run compares again once the earlier stages are done.
    type: bool
    default: false
  ipn_probe_passed:
    description:
      - The verdict of the IPN probe of the shop when it ran in the same play. V(false) refuses
        O(settings.mode=production); left out, nothing is refused on that ground.
    type: bool
extends_documentation_fragment:
  - systempay.odoo.odoo
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Only reads each database and reports what would change.
  diff_mode:
    support: full
    details: Before and after of each field that changes, per database; secrets shown as C(********).
  platform:
    platforms: posix
notes:
  - Odoo stores HTML messages sanitized (a plain text comes back wrapped in C(<p>)); that wrapping is ignored when
    comparing, so a second run changes nothing.
  - The addon's notification URL field is filled at install from C(web.base.url) and read-only; set O(web_base_url)
    before installing the addon for it to show the public URL.
  - With O(transport=rpc) the write and the two C(ir.config_parameter) updates are separate calls; with
    O(transport=cli) they are one transaction.
seealso:
  - module: systempay.odoo.odoo_module
  - module: systempay.odoo.odoo_info
'''

EXAMPLES = r'''
- name: Payment provider of every shop, in test mode
  systempay.odoo.payment_provider:
    settings:
      title: Paiement par carte bancaire
      website: My Website
      mode: test
      published: true
      shop_id: "12345678"
      key_test: "{{ vault_systempay_key_test }}"
      sign_algo: HMAC-SHA-256
      language: fr
      available_languages: [fr, en]
      validation_mode: backoffice
      redirect: {enabled: false}
      return_mode: GET
      journal: Bank
      specific_countries: [FR, BE]
    web_base_url: https://shop.example.com
  become: true

- name: Switch to production once the IPN probe passed, another shop id in shop2
  systempay.odoo.payment_provider:
    settings:
      mode: production
      shop_id: "12345678"
      key_test: "{{ vault_systempay_key_test }}"
      key_production: "{{ vault_systempay_key_production }}"
    overrides:
      - database: shop2
        settings:
          shop_id: "87654321"
          key_test: "{{ vault_shop2_key_test }}"
          key_production: "{{ vault_shop2_key_production }}"
    databases: [shop1, shop2]
    ipn_probe_passed: "{{ ipn_probe.passed }}"
    transport: rpc
    login: admin
    password: "{{ vault_odoo_admin_password }}"

- name: What would change, with the diff (secrets masked)
  systempay.odoo.payment_provider:
    settings: "{{ systempay_provider_settings }}"
  check_mode: true
  diff: true
  register: plan
'''

RETURN = r'''
changed:
  description: Whether at least one database was (in check mode, would be) changed.
  returned: always
  type: bool
  sample: true
databases:
  description: One entry a database, in the order they were processed.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Database.
      type: str
      sample: shop1
    model:
      description: The provider model of this generation (V(null) when not reached).
      type: str
      sample: payment.provider
    record:
      description: The provider record - C(xmlid) and C(id) (V(null) when not found).
      type: dict
      sample: {"xmlid": "payment_systempay.payment_provider_systempay", "id": 1}
    changed:
      description: Whether this database was (would be) changed.
      type: bool
      sample: true
    changed_fields:
      description:
        - Names of the fields written (would be, in check mode), and C(ir.config_parameter:web.base.url) /
          C(ir.config_parameter:web.base.url.freeze) for the system parameters. Names only, never values.
        - C(payment_methods) when the payment methods change (Odoo 17+, see O(settings.card_types)); the diff then
          gives the active card brands before and after (C(CB, VISA, MASTERCARD, AMEX)), C(not offered (...)) when
          the provider did not offer the addon's method.
      type: list
      elements: str
      sample: ["state", "systempay_key_prod"]
    diff:
      description: C(before) and C(after) of each changed field; secrets shown as C(********); a related record
        (journal, website, countries, icons, cards, languages) by the name or code it is matched on.
      type: dict
      sample: {"before": {"state": "test", "systempay_key_prod": "********"},
               "after": {"state": "enabled", "systempay_key_prod": "******** (changed)"}}
    action:
      description:
        - V(none) (nothing to change), V(update) (fields written), V(would_update) (check mode), V(failed),
          V(skipped) (not processed after a failure in an earlier database).
      type: str
      sample: update
    mode:
      description:
        - The provider's mode after the task (in check mode, what it would be) - V(test), V(production)
          (C(environment=prod) up to Odoo 12, C(state=enabled) from 13) or V(disabled) (C(state=disabled), 13+).
        - V(null) when the database failed or was not processed.
      type: str
      sample: production
    published:
      description:
        - Whether buyers are offered the provider after the task (in check mode, would be) - the publish field
          (C(website_published) up to 12, C(is_published) from 16); on 13-15, whether C(state) is not V(disabled).
        - V(null) when the database failed or was not processed.
      type: bool
      sample: true
    msg:
      description: What was done, or why the database failed or was not processed.
      type: str
      sample: 2 fields written
    installments:
      description:
        - The installments record (C(<brand>multi)) - C(managed) (whether O(settings.installments) set it), C(record)
          (C(xmlid) and C(id) when managed), C(mode) and C(published) as for the provider (V(null) when unknown,
          that is not managed and not read by the gather stage), C(action), and C(summary), what the report says
          (C(test, not published), or C(not managed (test, not published)) when left out).
        - Its changes are in RV(databases[].changed_fields) and RV(databases[].diff) as C(installments.<field>).
        - V(null) when the release has no installments record, or the database failed.
      type: dict
      sample: {"managed": true, "record": {"xmlid": "payment_systempay.payment_provider_systempaymulti", "id": 2},
               "mode": "test", "published": false, "action": "update", "summary": "test, not published"}
    notes:
      description: What the task decided that the settings did not ask for, and why (the fresh-install entry mode);
        in a plan of a database where the run installs the module first (see O(fresh_installs)), that the values
        are those after the run, and that the names of related records are looked up after the install.
      type: list
      elements: str
      sample: ["entry mode set to redirect: the fresh install of 3.1.1 started with smartform, which needs the REST
               keys of mode test (settings.rest.test_password, ... not given); give them with settings.entry_mode to
               keep the embedded form"]
planned:
  description: With O(validate_only), whether RV(databases) is the plan of every database, computed from the gather
    stage's read (see O(validate_only)).
  returned: with O(validate_only)
  type: bool
  sample: true
read_salts:
  description: With O(validate_only) and RV(planned), the salt of the read each database's plan comes from (it tells
    that read from a later one; the salt is no secret, the digests it salts never leave the facts).
  returned: with O(validate_only)
  type: dict
  sample: {"shop1": "5f0c9e1d2b7a4c3e8d6f1a2b3c4d5e6f"}
series:
  description: The Odoo series of the host, and the addon line the field table was chosen for.
  returned: when the host was discovered
  type: dict
  sample: {"series": "16.0", "line": "3"}
diff:
  description: With C(--diff), C(before) and C(after) keyed by database then field, secrets masked.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"shop1": {"state": "test"}}, "after": {"shop1": {"state": "enabled"}}}
'''

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import db_state
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import provider
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_host
from ansible_collections.systempay.odoo.plugins.module_utils import releases
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule

PARAM_PREFIX = 'ir.config_parameter:'
# The entry of RV(databases[].changed_fields) and of the diff for the payment methods (Odoo 17+, see _methods)
METHODS_KEY = 'payment_methods'
# The REST keys (setting paths), read for the embedded form's rules.
KEY_PATHS = tuple(sorted(set(path for paths in provider.EMBEDDED_KEYS.values() for path in paths)))
# The state given for a module Odoo has no row for in a database (its module list was not updated since the addon
# came on disk).
NOT_LISTED = 'not in its module list'
# The "before" of a field in the plan of a database where the run installs the module first (Run._install_plan)
INSTALL_VALUE = '(the value the install gives)'


def argument_spec():
    spec = transport.common_argument_spec()
    spec.update(
        settings=dict(type='dict', required=True, options=provider.SETTINGS_SPEC),
        brand=dict(type='str', default='systempay'),
        databases=dict(type='list', elements='str', default=['all']),
        overrides=dict(type='list', elements='dict', default=[], options=dict(
            database=dict(type='str', required=True),
            settings=dict(type='dict', required=True, options=provider.SETTINGS_SPEC),
        )),
        release=dict(type='str'),
        fresh_installs=dict(type='list', elements='str', default=[]),
        web_base_url=dict(type='str'),
        ipn_probe_passed=dict(type='bool'),
        validate_only=dict(type='bool', default=False),
    )
    return spec


class ProviderModule(CollectionModule):
    """CollectionModule whose refusal of unknown setting names says which known name is closest (typo protection).

    The values of unknown settings are hidden as well: a misspelt ``key_prodution`` holds a secret.
    """

    def fail_json(self, msg=None, **kwargs):
        if str(msg or '').startswith('Unsupported parameters'):
            unknown = provider.unknown_settings(self.params.get('settings'))
            for index, item in enumerate(self.params.get('overrides') or []):
                if isinstance(item, dict):
                    where = 'overrides[%s].settings' % (item.get('database') or index)
                    unknown.extend(provider.unknown_settings(item.get('settings'), where))
            for _path, value, _suggestion in unknown:
                if isinstance(value, str) and len(value) >= 4:
                    self.no_log_values.add(value)
            if unknown:
                msg = provider.unknown_message(unknown)
        CollectionModule.fail_json(self, msg=msg, **kwargs)


class Failure(Exception):
    """A database failed; ``str()`` is the task's message (secrets masked)."""


class NotPlanned(Exception):
    """A plan from the gather stage's read alone (O(validate_only)) needs what that read does not hold."""


# The two provider records of the addon: the provider, and the installments record (<brand>multi); the keys are
# also those of the gather stage's read (db_state).
INSTALLMENTS = 'installments'
RECORD_NAMES = {'provider': 'provider', INSTALLMENTS: 'installments provider'}


class Run(object):
    """One task: the host, the transport, the field table, and the report."""

    def __init__(self, module, host, odoo, facts, secrets, gathered_only=False):
        self.module = module
        # plan from the gather stage's read alone: nothing asked of Odoo, nothing written (as in check mode)
        self.gathered_only = gathered_only
        self.planning = gathered_only or module.check_mode
        self.host = host
        self.odoo = odoo
        # the facts of the host's series (and of O(release) when given); self.facts: those of the database worked
        # on, for the release it records once that is known (see _release_facts)
        self.base_facts = facts
        self.facts = facts
        self.secrets = secrets
        self.web_base_url = module.params['web_base_url']
        # web.base.url and its freeze flag read in check mode where the module is not installed yet (_install_params)
        self._params_read = {}
        if self.web_base_url:
            self.web_base_url = self.web_base_url.rstrip('/')

    def mask(self, text):
        return transport.mask(to_native(text), self.secrets)

    def _batch(self, db, calls, verb, commit=False):
        try:
            return self.odoo.batch(db, calls, commit=commit)
        except transport.TransportError as exc:
            if exc.kind == 'login':
                raise Failure('Cannot log in to database %s as %s: %s' % (db, self.module.params['login'], exc))
            if exc.kind == 'unknown_database':
                raise Failure('Cannot open database %s: it does not exist' % db)
            raise Failure(self.mask('Cannot %s in database %s: %s' % (verb, db, exc)))

    def database(self, db, flat):
        entry = dict(name=db, model=None, record=None, changed=False, changed_fields=[],
                     diff=dict(before={}, after={}), action='none', mode=None, published=None, msg='', notes=[],
                     installments=None)
        self.facts = self.base_facts
        main, multi = provider.split_installments(flat)
        try:
            if self._installs_first(db):
                self._install_plan(db, main, multi, entry)
                return entry, None
            self._database(db, main, entry)
            if multi is not None:
                self._installments(db, multi, entry)
            else:
                entry['installments'] = self._installments_status(db)
        except Failure as exc:
            entry['msg'] = self.mask(exc)
        except provider.SettingsError as exc:
            entry['msg'] = 'Cannot configure the provider in database %s: %s' % (db, self.mask(exc))
        else:
            return entry, None
        entry.update(action='failed', mode=None, published=None)
        return entry, entry['msg']

    def _installs_first(self, db):
        """Whether ``db`` is planned as the module step leaves it after installing O(release) there: planning (the
        plan stage or check mode), with O(release), where the module is not installed; in the plan stage from the
        gather stage's read (the module step installs the module in every database it works on where it is not
        installed), in check mode where O(fresh_installs) says the module step would install it."""
        if not self.planning or self.base_facts['release'] is None:
            return False
        if not self.gathered_only and db not in self.module.params['fresh_installs']:
            return False
        name = self.base_facts['module']
        state = self.host.state(db, [name])
        if state is not None:
            row = db_state.module_rows(state, [name]).get(name) or {}
            return row.get('state') != 'installed'
        if self.gathered_only:
            return False
        return self._module_state(db)[0] != 'installed'

    def _install_plan(self, db, main, multi, entry):
        """The entry of a database where the run installs the module before it sets the settings (see
        :meth:`_installs_first`). No provider record exists yet: the install creates it from the addon's data files
        and field defaults, which the vendor's code gives as expressions, not values. So the plan is the value each
        field the settings touch holds after the run (``before``: :data:`INSTALL_VALUE`); the real run, once the
        module is installed, compares again and writes those that differ. The names of related records are looked
        up then (the addon's cards and languages do not exist before its install)."""
        facts = self.facts = self.base_facts
        version = facts['release']['version']
        entry.update(model=facts['model'], record=dict(xmlid=facts['xmlid'], id=None))
        values = self._install_values(main, facts)
        notes = ['the module is installed by this run first (release %s): these are the values the provider '
                 'holds after the run; the real run writes those that differ from the values the install gives'
                 % version]
        field = facts['fields'].get('entry_mode')
        if field and facts['form'] and 'entry_mode' not in main:
            # a fresh install starts with the embedded form (ground truth 9), which has no REST keys yet
            mode = main.get('mode') or 'test'
            missing = provider.missing_embedded_keys(mode, main, set())
            if missing:
                values[field] = 'redirect'
                notes.append(provider.fresh_install_note(
                    version, releases.FORM_VALUES[facts['form']]['entry_mode']['embedded'], mode, missing))
        after = dict(values)
        if multi is not None:
            multi_values = self._install_values(multi, facts)
            after.update((INSTALLMENTS + '.' + key, value) for key, value in multi_values.items())
            mode, published = provider.status(multi_values, facts)
            entry['installments'] = dict(managed=True, record=None, mode=mode, published=published,
                                         action='would_update',
                                         summary=provider.installments_summary(True, mode, published))
        elif facts['fields'].get('installments.count'):
            entry['installments'] = dict(managed=False, record=None, mode=None, published=None, action='none',
                                         summary=provider.installments_summary(False, None, None))
        params = self._install_params(db) if self.web_base_url else {}
        if self.web_base_url:
            for key, wanted in (('web.base.url', self.web_base_url), ('web.base.url.freeze', 'True')):
                if str(params.get(key) or '') != wanted:
                    after[PARAM_PREFIX + key] = wanted
        methods = self._install_methods(main, facts, notes)
        if methods is not None:
            after[METHODS_KEY] = methods
        if any(path in provider.RELATIONS for path in list(main) + list(multi or {})):
            notes.append('the related records named by the settings are looked up in the real run, after the install')
        before = dict((key, INSTALL_VALUE) for key in after)
        before.update((PARAM_PREFIX + key, params.get(key) or '') for key in params if PARAM_PREFIX + key in after)
        entry['changed_fields'] = sorted(after)
        entry['diff'] = dict(before=before, after=after)
        entry['changed'] = bool(after)
        entry['notes'] = notes
        entry['mode'], entry['published'] = provider.status(values, facts)
        entry['action'] = 'would_update' if after else 'none'
        entry['msg'] = 'would set %d field%s%s' % (len(after), 's' if len(after) > 1 else '',
                                                   ''.join('; ' + note for note in notes))

    @staticmethod
    def _install_values(flat, facts):
        """``{field: value shown}`` of the fields ``flat`` sets, as a diff shows them: secrets masked, related
        records by the names or codes the settings give."""
        secrets = provider.secret_fields(facts)
        values = dict(provider.state_values(flat, facts))
        for path, value in flat.items():
            field = facts['fields'].get(path)
            if not field:
                continue
            if path in provider.RELATIONS:
                values[field] = (value or False) if path in ('website', 'journal') else sorted(value or [])
                if path == 'specific_countries' and facts['fields'].get('specific_countries_flag'):
                    values[facts['fields']['specific_countries_flag']] = bool(value)
            elif field in secrets:
                values[field] = provider.MASK if value else ''
            else:
                values[field] = provider.plain_value(path, value, facts['form'])
        return values

    def _install_params(self, db):
        """``web.base.url`` and its freeze flag in ``db`` (they do not depend on the addon): from the gather
        stage's read, else read now (check mode)."""
        state = self.host.state(db, [self.base_facts['module']])
        if state is not None and state.get('params') is not None:
            return state['params']
        if db not in self._params_read:
            if self.gathered_only:
                raise NotPlanned(db)
            keys = ['web.base.url', 'web.base.url.freeze']
            found = self._batch(db, [transport.batch_call('ir.config_parameter', 'get_param', [key]) for key in keys],
                                'read web.base.url')
            self._params_read[db] = dict(zip(keys, found))
        return self._params_read[db]

    @staticmethod
    def _install_methods(flat, facts, notes):
        """What :meth:`_methods` gives as ``after`` once the install created the addon's payment methods (every card
        brand of :data:`releases.PAYMENT_METHOD_BRANDS`); None when it does not apply."""
        release = facts.get('release') or {}
        if 'card_types' not in flat or 'payment_methods' not in (release.get('features') or []):
            return None
        cards, wanted = _wanted_brands(flat)
        notes.extend(_no_method_notes([card for card in cards if card not in dict(releases.PAYMENT_METHOD_BRANDS)]))
        return ', '.join(card for card, suffix in releases.PAYMENT_METHOD_BRANDS if suffix in wanted) or 'none'

    def _installments(self, db, multi, entry):
        """The installments record (``<brand>multi``) made to match ``multi`` (see provider.split_installments),
        after the provider record: its changes join the database's entry, each field named ``installments.<field>``."""
        sub = dict(name=db, model=None, record=None, changed=False, changed_fields=[],
                   diff=dict(before={}, after={}), action='none', mode=None, published=None, msg='', notes=[])
        self._database(db, multi, sub, kind=INSTALLMENTS)
        entry['installments'] = dict(managed=True, record=sub['record'], mode=sub['mode'], published=sub['published'],
                                     action=sub['action'],
                                     summary=provider.installments_summary(True, sub['mode'], sub['published']))
        if not sub['changed']:
            return
        prefix = INSTALLMENTS + '.'
        entry['changed_fields'] = entry['changed_fields'] + [prefix + field for field in sub['changed_fields']]
        for side in ('before', 'after'):
            entry['diff'][side].update((prefix + field, value) for field, value in sub['diff'][side].items())
        entry['changed'] = True
        if entry['action'] == 'none':
            entry['action'] = sub['action']
        count = len(entry['changed_fields'])
        verb = 'wrote' if entry['action'] == 'update' else 'would change'
        entry['msg'] = '%s %d field%s%s' % (verb, count, 's' if count > 1 else '',
                                            ''.join('; ' + note for note in entry['notes']))

    def _installments_status(self, db):
        """How the installments record stands where the settings leave it out (not managed): its mode and publish
        flag as the gather stage read them (None where there is no such read, or no such record)."""
        state = self.host.state(db, [self.facts['module']])
        record = ((state or {}).get(INSTALLMENTS) or {}).get('record') if state is not None else None
        if not self.facts['fields'].get('installments.count'):
            return None
        mode, published = provider.status(record or {}, self.facts)
        return dict(managed=False, record=None, mode=mode, published=published, action='none',
                    summary=provider.installments_summary(False, mode, published))

    def _module_state(self, db):
        """``(state, version)`` of the addon's module in ``db`` (:data:`NOT_LISTED` when Odoo has no row for it)."""
        rows = self._batch(db, [transport.batch_call('ir.module.module', 'search_read',
                                                     [[('name', '=', self.facts['module'])]],
                                                     {'fields': ['state', 'latest_version']})],
                           'read the state of %s' % self.facts['module'])[0]
        return (rows[0].get('state'), rows[0].get('latest_version')) if rows else (NOT_LISTED, None)

    def _not_there(self, db, state, version):
        """The failure of a database where the addon's model, record or fields are not there, saying why."""
        module = self.facts['module']
        if state != 'installed':
            return Failure('Cannot configure the provider in database %s: the module %s is not installed there '
                           '(state: %s); install it in that database first (odoo_module, systempay_odoo_databases), '
                           'or leave the database out' % (db, module, state or 'unknown'))
        return Failure('Cannot configure the provider in database %s: the module %s is recorded as installed (%s) '
                       'but the running Odoo did not load it: its model or fields are missing. Check that its folder '
                       'is on the addons path and readable by the service user, then restart Odoo'
                       % (db, module, version))

    def _database(self, db, flat, entry, kind='provider'):
        """``kind``: ``provider`` (the provider record) or ``installments`` (the installments record, whose entry
        ``_installments`` folds into the provider's)."""
        facts = self.facts
        model = facts['model']
        xmlid = facts['xmlid'] if kind == 'provider' else facts['xmlid_installments']
        module_name, xml_name = xmlid.split('.', 1)
        web_base_url = self.web_base_url if kind == 'provider' else None
        calls = [
            transport.batch_call('ir.module.module', 'search_read', [[('name', '=', facts['module'])]],
                                 {'fields': ['state', 'latest_version']}),
            transport.batch_call('ir.model.data', 'search_read',
                                 [[('module', '=', module_name), ('name', '=', xml_name)]],
                                 {'fields': ['model', 'res_id']}),
            transport.batch_call(model, 'fields_get', kwargs={'attributes': self._field_attributes()}),
        ]
        if web_base_url:
            calls += [transport.batch_call('ir.config_parameter', 'get_param', ['web.base.url']),
                      transport.batch_call('ir.config_parameter', 'get_param', ['web.base.url.freeze'])]
        selection_calls = self._selection_calls(model)
        calls += selection_calls
        # the gather stage's read of this database, when no step changed it since (no Odoo process then), with its
        # keys as digests (the comparison needs them)
        gathered = self.host.state(db, [facts['module']], secrets=True)
        if gathered is not None:
            results = self._gathered(db, gathered, kind, web_base_url)
        elif self.gathered_only:
            raise NotPlanned(db)
        else:
            try:
                results = self._batch(db, calls, 'read the %s fields' % model)
                if selection_calls:
                    results = self._with_selections(results[:-len(selection_calls)], *results[-len(selection_calls):])
            except Failure as exc:
                # No such model in that database (KeyError over the CLI, "Object ... doesn't exist" over XML-RPC):
                # say whether the module is missing or not loaded, not the raw error.
                if model not in str(exc):
                    raise
                raise self._not_there(db, *self._module_state(db))
        modules, xmlids, described = results[0], results[1], results[2]
        state, version = (modules[0].get('state'), modules[0].get('latest_version')) if modules else (NOT_LISTED, None)
        entry['model'] = model
        if state != 'installed':
            raise self._not_there(db, state, version)
        facts = self.facts = self._release_facts(db, flat, version)
        if not xmlids or xmlids[0].get('model') != model:
            raise Failure('Cannot find the %s in database %s: no record %s of %s, although %s is installed '
                          'there (%s); it was deleted: upgrade the module to create it again'
                          % (RECORD_NAMES[kind], db, xmlid, model, facts['module'], version))
        needed = provider.needed_fields(flat, facts)
        # the entry mode and the REST keys, for the rules of the embedded form (see _entry_mode)
        needed.update((facts['fields'][path], path) for path in ('entry_mode',) + KEY_PATHS
                      if facts['fields'].get('entry_mode') and facts['fields'].get(path))
        missing = provider.missing_fields(needed, described, facts)
        addon_fields = [field for field in described if field.startswith(facts['module'][len('payment_'):] + '_')]
        if missing and not addon_fields:
            raise self._not_there(db, state, version)
        if missing:
            raise Failure('Cannot configure the provider in database %s: %s; nothing written'
                          % (db, '; '.join(missing)))
        record_id = xmlids[0]['res_id']
        entry['record'] = dict(xmlid=xmlid, id=record_id)
        params = {}
        if web_base_url:
            params = {'web.base.url': results[3], 'web.base.url.freeze': results[4]}

        current, resolved, errors, labels = self._read(db, record_id, needed, flat, described, gathered, kind, xmlid)
        target = self._target(db, flat, current, resolved, described, errors)
        secrets = provider.secret_fields(facts)
        if db_state.DIGESTS in current:
            self._compare_digests(current, target, secrets, gathered)
        if kind == 'provider':
            self._entry_mode(db, flat, current, target, entry, version)
        types = dict((field, described[field]['type']) for field in target)
        changed, before, after = provider.differences(current, target, types, secrets, labels)
        param_target = {}
        if web_base_url:
            param_target = {'web.base.url': web_base_url, 'web.base.url.freeze': 'True'}
        changed_params = [key for key in sorted(param_target) if str(params.get(key) or '') != param_target[key]]
        for key in changed_params:
            before[PARAM_PREFIX + key] = params.get(key) or ''
            after[PARAM_PREFIX + key] = param_target[key]
        entry['changed_fields'] = changed + [PARAM_PREFIX + key for key in changed_params]
        methods = self._methods(db, flat, record_id, gathered) if kind == 'provider' else None
        if methods is not None:
            entry['notes'].extend(methods['notes'])
            if methods['writes']:
                entry['changed_fields'].append(METHODS_KEY)
                before[METHODS_KEY], after[METHODS_KEY] = methods['before'], methods['after']
        entry['diff'] = dict(before=before, after=after)
        entry['changed'] = bool(entry['changed_fields'])
        wanted = dict(current)
        wanted.update(target)
        entry['mode'], entry['published'] = provider.status(wanted, facts)
        if not entry['changed']:
            entry['msg'] = 'nothing to change'
            return
        if self.planning:
            entry['action'] = 'would_update'
            entry['msg'] = 'would change %d field%s%s' % (len(entry['changed_fields']),
                                                          's' if len(entry['changed_fields']) > 1 else '',
                                                          ''.join('; ' + note for note in entry['notes']))
            return
        calls = []
        if changed:
            values = dict((field, provider.write_value(target[field], types[field])) for field in changed)
            calls.append(transport.batch_call(model, 'write', [values], ids=[record_id]))
        for key in changed_params:
            calls.append(transport.batch_call('ir.config_parameter', 'set_param', [key, param_target[key]]))
        if methods is not None:
            calls.extend(methods['writes'])
        # The read back rides in the same call, after the writes (one Odoo process, not two: each costs a registry
        # load on real Odoo); the call commits only once every write and read succeeded.
        checks = [transport.batch_call(model, 'read', [sorted(changed) or ['id']], ids=[record_id])]
        checks += [transport.batch_call('ir.config_parameter', 'get_param', [key]) for key in changed_params]
        if methods is not None and methods['writes']:
            checks.append(self._methods_call())
        results = self._batch(db, calls + checks, 'write the %s %s' % (RECORD_NAMES[kind], xmlid), commit=True)
        back = results[len(calls):]
        self._verify(db, changed, target, types, secrets, changed_params, param_target, back)
        if methods is not None and methods['writes']:
            self._verify_methods(db, record_id, methods, back[-1])
        entry['action'] = 'update'
        entry['msg'] = 'wrote %d field%s%s' % (len(entry['changed_fields']), 's' if len(entry['changed_fields']) > 1 else '',
                                               ''.join('; ' + note for note in entry['notes']))

    def _methods_rows(self, db, gathered):
        """The addon's ``payment.method`` records (archived ones included), from the gather stage's read of ``db``
        when it has them."""
        rows = ((gathered or {}).get('provider') or {}).get('payment_methods')
        if rows is not None:
            return rows
        if self.gathered_only:
            raise NotPlanned(db)
        return self._batch(db, [self._methods_call()], 'read the payment methods')[0]

    def _methods_call(self):
        """The read of the addon's payment methods, archived ones included."""
        return transport.batch_call('payment.method', 'search_read',
                                    [db_state.methods_domain(self.module.params['brand'])],
                                    {'fields': db_state.METHOD_FIELDS})

    def _methods(self, db, flat, record_id, gathered):
        """The payment methods' part of the provider's plan, on the releases that create Odoo 17's payment methods
        (feature ``payment_methods``) when O(settings.card_types) is given; None otherwise.

        The payment form shows the methods a provider offers and, under each, its active brands. So the provider
        offers the addon's own method (``<brand>``, active), and of the card brands under it those of
        O(settings.card_types) are active and the others archived; with no card type (the payment platform then
        offers the contract's cards) the brands the addon's install activates (CB, Visa, Mastercard, American
        Express). A dict: ``before``/``after`` (for the diff), ``writes`` (calls, empty when nothing changes),
        ``expected`` (what the read back must find) and ``notes``."""
        release = self.facts.get('release') or {}
        if 'card_types' not in flat or 'payment_methods' not in (release.get('features') or []):
            return None
        brand = self.module.params['brand']
        rows = self._methods_rows(db, gathered)
        own = [row for row in rows if row['code'] == brand]
        if not own:
            raise Failure('Cannot configure the payment methods in database %s: the addon\'s payment method %s '
                          '(payment.method with code %s) is gone; upgrade the module to create it again'
                          % (db, 'payment_%s.payment_method_%s' % (brand, brand), brand))
        primary = own[0]
        brands = dict((row['code'][len(brand):], row) for row in rows if _many2one_id(row.get(
            'primary_payment_method_id')) == primary['id'])
        cards, wanted = _wanted_brands(flat)
        table = dict(releases.PAYMENT_METHOD_BRANDS)
        managed = [(card, suffix) for card, suffix in releases.PAYMENT_METHOD_BRANDS if suffix in brands]
        notes = _no_method_notes([card for card in cards if table.get(card) not in brands])
        offered = bool(primary['active']) and record_id in (primary.get('provider_ids') or [])

        def shown(active, offered):
            text = ', '.join(card for card, suffix in managed if suffix in active) or 'none'
            return text if offered else 'not offered (%s)' % text
        activate = [brands[suffix]['id'] for dummy, suffix in managed if suffix in wanted and not brands[suffix]['active']]
        archive = [brands[suffix]['id'] for dummy, suffix in managed if suffix not in wanted and brands[suffix]['active']]
        writes = []
        # Odoo refuses to enable a method whose primary is archived and offered by no enabled provider: link first
        if record_id not in (primary.get('provider_ids') or []):
            writes.append(transport.batch_call(self.facts['model'], 'write', [{'payment_method_ids': [(4, primary['id'])]}],
                                               ids=[record_id]))
        if not primary['active']:
            writes.append(transport.batch_call('payment.method', 'write', [{'active': True}], ids=[primary['id']]))
        if activate:
            writes.append(transport.batch_call('payment.method', 'write', [{'active': True}], ids=sorted(activate)))
        if archive:
            writes.append(transport.batch_call('payment.method', 'write', [{'active': False}], ids=sorted(archive)))
        expected = dict((brands[suffix]['code'], suffix in wanted) for dummy, suffix in managed)
        expected[brand] = True
        return dict(before=shown(set(suffix for dummy, suffix in managed if brands[suffix]['active']), offered),
                    after=shown(wanted, True), writes=writes, expected=expected, primary=primary['id'], notes=notes)

    def _verify_methods(self, db, record_id, methods, rows):
        """``rows``: the payment methods as read after the writes (:meth:`_methods_call`)."""
        found = dict((row['code'], bool(row['active'])) for row in rows if row['code'] in methods['expected'])
        primary = [row for row in rows if row['id'] == methods['primary']]
        wrong = sorted(code for code, active in methods['expected'].items() if found.get(code) is not active)
        if not primary or record_id not in (primary[0].get('provider_ids') or []):
            wrong.append('the provider\'s payment_method_ids (no %s)' % methods['primary'])
        if wrong:
            raise Failure('Cannot configure the payment methods in database %s: read back after the write, %s did not '
                          'keep the value written' % (db, ', '.join(wrong)))

    def _entry_mode(self, db, flat, current, target, entry, version):
        """The embedded form's rules, on releases that have an entry mode: asked for without the REST keys of the
        provider's mode (neither given nor set in ``db``), it is refused; left out in a database where this run
        installed the module, a fresh install's embedded form without those keys is set to redirect (a note says
        why)."""
        facts = self.facts
        field = facts['fields'].get('entry_mode')
        if not field:
            return
        wanted = dict(current)
        wanted.update(target)
        mode = provider.status(wanted, facts)[0]
        missing = provider.missing_embedded_keys(mode, flat, provider.keys_set(facts, current))
        if not missing:
            return
        if flat.get('entry_mode') is not None:
            if target.get(field) not in (None, False, '', 'redirect'):
                raise provider.SettingsError('%s; nothing written'
                                             % provider.embedded_keys_error(flat['entry_mode'], mode, missing, db))
            return
        if db in self.module.params['fresh_installs'] and current.get(field) not in (None, False, '', 'redirect'):
            target[field] = 'redirect'
            entry['notes'].append(provider.fresh_install_note((facts.get('release') or {}).get('version') or version,
                                                              current[field], mode, missing))

    def _release_facts(self, db, flat, version):
        """The facts for the release ``db`` records (``version``), its settings checked against them; the base facts
        when O(release) was given (checked before anything was read)."""
        if self.base_facts['release'] is not None:
            return self.base_facts
        facts, errors = release_facts(self.host.series, self.module.params['brand'], flat, version)
        if errors:
            raise provider.SettingsError('%s (the module records version %s); nothing written'
                                         % ('; '.join(errors), version))
        return facts

    def _lazy_labels(self):
        """Whether ``fields_get`` cannot carry the selection values here: over XML-RPC, a selection the addon gives
        by a method returns its labels as Odoo has them, and the lazy translations of 4.2.0 on cannot be sent
        ("cannot marshal <class 'odoo.tools.translate._lt'> objects", ground truth 10). From 13.0 the values of the
        selections given as a list are in ``ir.model.fields.selection`` instead; a selection given by a method has
        no rows there, and its values are the release's (checked with the settings, before any database)."""
        return self.odoo.name == 'rpc' and self.base_facts['series_major'] >= 13

    def _field_attributes(self):
        return [name for name in db_state.FIELD_ATTRIBUTES if name != 'selection' or not self._lazy_labels()]

    def _selection_calls(self, model):
        """The reads of the values of ``model``'s list selections, when ``fields_get`` cannot carry them."""
        if not self._lazy_labels():
            return []
        selections = [('model', '=', model), ('ttype', '=', 'selection')]
        return [transport.batch_call('ir.model.fields', 'search_read', [selections], {'fields': ['name']}),
                transport.batch_call('ir.model.fields.selection', 'search_read', [[('field_id.model', '=', model)]],
                                     {'fields': ['field_id', 'value', 'name']})]

    @staticmethod
    def _with_selections(results, fields, values):
        """``results`` of the first batch of :meth:`_database`, its ``fields_get`` answer given the values of the
        list selections read from ``ir.model.fields`` (``fields``) and ``ir.model.fields.selection`` (``values``)."""
        described = results[2]
        names = dict((row['id'], row['name']) for row in fields)
        for row in values:
            field_id = row['field_id'][0] if isinstance(row['field_id'], (list, tuple)) else row['field_id']
            field = described.get(names.get(field_id))
            if field is not None:
                field.setdefault('selection', []).append([row['value'], row['name']])
        return results

    def _gathered(self, db, state, kind='provider', web_base_url=None):
        """What the first batch of :meth:`_database` reads, from the gather stage's read of ``db``."""
        facts = self.facts
        row = db_state.module_rows(state, [facts['module']]).get(facts['module'])
        found = state.get('provider')
        if not found or found.get('model') != facts['model']:
            # the provider model is not loaded in that database: say whether the module is missing or not loaded
            raise self._not_there(db, *((row.get('state'), row.get('latest_version')) if row else (NOT_LISTED, None)))
        params = state.get('params') or {}
        xmlids = found.get('xmlids') if kind == 'provider' else (state.get(INSTALLMENTS) or {}).get('xmlids')
        results = [[row] if row else [], xmlids or [], found.get('described') or {}]
        if web_base_url:
            results += [params.get('web.base.url') or False, params.get('web.base.url.freeze') or False]
        return results

    def _compare_digests(self, current, target, secrets, state):
        """The gather stage returns secret fields as digests: put the value given back where it is the one stored,
        so that only a key that differs counts as a change (its value never leaves the host either way)."""
        digests = current.pop(db_state.DIGESTS)
        for field in secrets:
            if field not in digests:
                continue
            stored = digests[field]
            if field in target and db_state.same_secret(state, stored, target[field]):
                current[field] = target[field]
            else:
                # set but another value (masked in the diff, as every secret), or empty
                current[field] = db_state.OTHER_SECRET if stored else False

    def _read(self, db, record_id, needed, flat, described, state=None, kind='provider', xmlid=None):
        """``(current values, resolved relations, errors, labels)``: the record's fields, the ids of the names the
        settings give (from the gather stage's read of ``db`` when it holds them all: no Odoo process), and
        ``{field: {id: label}}`` for the diff: the name or code of each related record the reads hold (the records
        the settings name, every record of the model in gather's read, the name Odoo gives a many2one)."""
        facts = self.facts
        # the mode and publish fields are always read, for the report (RV(databases[].mode))
        status_fields = set(field for field in (facts['mode_field'], facts['publish_field']) if field in described)
        calls = [transport.batch_call(facts['model'], 'read', [sorted(set(needed) | status_fields) or ['id']],
                                      ids=[record_id])]
        lookups = []
        for path in provider.RELATIONS:
            value = flat.get(path)
            if value in (None, '') or value == []:
                continue
            relation = described[facts['fields'][path]].get('relation')
            names = [value] if isinstance(value, str) else list(value)
            # the fields a name may match, as the gather stage reads them (db_state.relation_rows)
            fields = db_state.RELATION_FIELDS.get(path, db_state.RELATION_DEFAULT_FIELDS)
            if path in ('website', 'journal'):
                domain = ['|', (fields[0], '=', value), (fields[1], '=', value)]
            else:
                # every record of the model, as gather reads them: the diff then names the records the field
                # holds that the settings do not name (a many2one's name comes with Odoo's read)
                domain = []
            lookups.append((path, relation, names, fields))
            calls.append(transport.batch_call(relation, 'search_read', [domain], {'fields': fields}))
        results = self._from_state(state, record_id, set(needed) | status_fields, lookups, flat, kind) \
            if state is not None else None
        if results is None and self.gathered_only:
            raise NotPlanned(db)
        if results is None:
            results = self._batch(db, calls, 'read the %s %s' % (RECORD_NAMES[kind], xmlid or facts['xmlid']))
        rows = results[0]
        if not rows:
            raise Failure('Cannot read the provider in database %s: record %s of %s is gone'
                          % (db, record_id, facts['model']))
        resolved, errors, labels = {}, [], {}
        for (path, relation, names, fields), found in zip(lookups, results[1:]):
            labels[facts['fields'][path]] = dict((row['id'], row.get(fields[0])) for row in found if row.get(fields[0]))
            if path not in ('website', 'journal'):
                found = [row for row in found if row.get(fields[0]) in names]
            try:
                resolved[path] = resolve_names(path, relation, names, fields, found)
            except provider.SettingsError as exc:
                errors.append(str(exc))
        for path, found in (((state or {}).get('provider') or {}).get('relations') or {}).items():
            key = db_state.RELATION_FIELDS.get(path, db_state.RELATION_DEFAULT_FIELDS)[0]
            if facts['fields'].get(path):
                labels.setdefault(facts['fields'][path], {}).update(
                    (row['id'], row[key]) for row in found if row.get(key))
        for field, value in rows[0].items():
            # a many2one as Odoo's read() gives it: [id, display name]
            if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[1], str):
                labels.setdefault(field, {}).setdefault(value[0], value[1])
        return rows[0], resolved, errors, labels

    def _from_state(self, state, record_id, fields, lookups, flat, kind='provider'):
        """The results of :meth:`_read`'s batch from the gather stage's read, or None when it lacks any of them.
        Secret fields come as digests, kept apart under ``db_state.DIGESTS`` (see :meth:`_compare_digests`)."""
        record = (state.get(kind) or {}).get('record')
        if not record or record.get('id') != record_id or any(field not in record for field in fields):
            return None
        secret_fields = provider.secret_fields(self.facts)
        row = dict((field, record[field]) for field in fields if field not in secret_fields)
        row['id'] = record_id
        row[db_state.DIGESTS] = dict((field, record[field]) for field in fields if field in secret_fields)
        results = [[row]]
        for path, dummy, dummy, dummy in lookups:
            rows = db_state.relation_rows(state, path, flat.get(path))
            if rows is None:
                return None
            results.append(rows)
        return results

    def plan(self, names, flats):
        """Every database's entry as check mode makes it, from the gather stage's read alone; None when a
        database cannot be planned from it (see O(validate_only))."""
        report = []
        for db in names:
            if self._migrates(db):
                return None
            try:
                entry, failure = self.database(db, flats[db])
            except NotPlanned:
                return None
            if failure:
                return None
            report.append(entry)
        return report

    def _migrates(self, db):
        """Whether upgrading ``db`` to O(release) runs migration scripts of that release (which may rewrite the
        provider's row with SQL): the record gather read is then not the one the settings will meet, and the plan
        waits for the upgrade (``releases.migrations_run``, from the version the read found installed)."""
        found = self.base_facts['release']
        if found is None:
            return False
        row = db_state.module_rows(self.host.states.get(db) or {}, [self.base_facts['module']])
        installed = row[self.base_facts['module']].get('latest_version') if row else None
        return bool(releases.migrations_run(installed, found['version'], self.host.series))

    def _target(self, db, flat, current, resolved, described, errors=()):
        """``{field: wanted value}`` of every field the settings touch; raises with every error found (``errors``
        of the relations, then each value the host does not accept)."""
        errors = list(errors)
        facts = self.facts
        target = dict(provider.state_values(flat, facts, current.get(facts['mode_field'])))
        for path, value in flat.items():
            field = facts['fields'].get(path)
            if not field:
                continue
            if path in provider.RELATIONS:
                ids = resolved.get(path, [])
                target[field] = (ids[0] if ids else False) if path in ('website', 'journal') else ids
                if path == 'specific_countries' and facts['fields'].get('specific_countries_flag'):
                    target[facts['fields']['specific_countries_flag']] = bool(ids)
            else:
                target[field] = provider.plain_value(path, value, facts['form'])
        for field, value in target.items():
            selection = described[field].get('selection')
            if described[field]['type'] == 'selection' and value and isinstance(selection, list) \
                    and value not in [item[0] for item in selection]:
                errors.append('%s = %r is not among the values %s of this host accepts (%s)' % (
                    field, value, facts['model'], ', '.join(str(item[0]) for item in selection)))
        if errors:
            raise provider.SettingsError('%s; nothing written' % '; '.join(errors))
        return target

    def _verify(self, db, changed, target, types, secrets, changed_params, param_target, results):
        """``results``: the record's changed fields, then each changed parameter, as read after the writes."""
        row = results[0][0] if results[0] else {}
        wrong = []
        for field in changed:
            if provider.normalize(row.get(field), types[field]) != provider.normalize(target[field], types[field]):
                wrong.append(field if field in secrets else '%s (%r, not %r)' % (
                    field, provider.shown(row.get(field), types[field], False),
                    provider.shown(target[field], types[field], False)))
        for key, value in zip(changed_params, results[1:]):
            if str(value or '') != param_target[key]:
                wrong.append('%s%s (%r)' % (PARAM_PREFIX, key, value))
        if wrong:
            raise Failure('Cannot configure the provider in database %s: read back after the write, %s did not '
                          'keep the value written' % (db, ', '.join(wrong)))


def _settings_by_database(module, names):
    """``{db: flattened settings}``: O(settings) with each database's override laid over it."""
    params = module.params
    overrides = {}
    for item in params['overrides']:
        if item['database'] in overrides:
            module.fail_json(msg='Cannot configure the payment provider: overrides names database %s twice'
                             % item['database'])
        overrides[item['database']] = item['settings']
    stray = sorted(set(overrides) - set(names))
    if stray:
        module.fail_json(msg='Cannot configure the payment provider: overrides name database%s %s, which %s not '
                         'among the databases worked on (%s)'
                         % ('s' if len(stray) > 1 else '', ', '.join(stray), 'are' if len(stray) > 1 else 'is',
                            ', '.join(names)))
    return dict((db, provider.flatten(provider.merge(params['settings'], overrides.get(db)))) for db in names)


def release_facts(series, brand, flat, version):
    """``(facts, errors)``: the field facts for the addon release ``version`` on ``series``, and the errors of the
    settings ``flat`` that release lacks (facts None with one error when the version cannot be placed)."""
    try:
        facts = generations.provider_facts(series, brand, release=version)
    except generations.GenerationError as exc:
        return None, ['the module\'s version %s cannot be used: %s' % (version, to_native(exc))]
    return facts, provider.unavailable(flat, facts)


def _wanted_brands(flat):
    """``(cards, suffixes)``: the card types O(settings.card_types) gives (with none, the brands the addon's install
    activates) and the suffixes of :data:`releases.PAYMENT_METHOD_BRANDS` they make active."""
    cards = list(flat['card_types'] or releases.PAYMENT_METHOD_DEFAULT_CARDS)
    table = dict(releases.PAYMENT_METHOD_BRANDS)
    return cards, set(table[card] for card in cards if card in table)


def _no_method_notes(without):
    """The report's note on the card types ``without`` a payment method in the release (none when empty)."""
    return ['no payment method for card type%s %s in this release: the payment form shows no logo for %s'
            % ('s' if len(without) > 1 else '', ', '.join(without), 'them' if len(without) > 1 else 'it')
            ] if without else []


def _many2one_id(value):
    """The id of a many2one value as ``read`` gives it (``[id, name]``, or False)."""
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value or None


def resolve_names(path, relation, names, fields, found):
    """Ids of ``names`` among the ``found`` rows of ``relation``; every name must match exactly one."""
    ids = []
    unknown = []
    for name in names:
        matches = [row['id'] for row in found if name in [row.get(field) for field in fields]]
        if len(matches) > 1 and path in ('website', 'journal'):
            raise provider.SettingsError('settings.%s %r matches %d records of %s; use a name or code that '
                                         'only one has' % (path, name, len(matches), relation))
        if not matches:
            unknown.append(name)
        ids.extend(match for match in matches if match not in ids)
    if unknown:
        known = sorted(set(str(row.get(fields[0])) for row in found))
        raise provider.SettingsError('settings.%s: %s not found in %s%s' % (
            path, ', '.join(repr(name) for name in unknown), relation,
            ' (found: %s)' % ', '.join(known) if known else ''))
    return ids


def _grouped(found):
    """``[(key, [db, ...])]`` of ``(key, db)`` pairs, keys in the order first found: the same refusal in several
    databases, said once."""
    groups = {}
    for key, db in found:
        groups.setdefault(key, []).append(db)
    return list(groups.items())


def _refuse(module, errors):
    """Fail the task with every error, nothing written (the plan stage's and the value checks' refusal)."""
    if errors:
        module.fail_json(msg='Cannot configure the payment provider: %s; nothing written' % '; '.join(errors),
                         databases=[], changed=False)


def _check_recorded(module, host, flats):
    """Without O(release): each database's settings against the release it records, as gather read it (the plan
    stage; databases without a fresh read are checked when they are worked on)."""
    found = []
    name = 'payment_%s' % module.params['brand']
    for db in sorted(flats):
        state = host.state(db, [name])
        row = db_state.module_rows(state, [name]).get(name) if state is not None else None
        if not row or row.get('state') != 'installed' or not row.get('latest_version'):
            continue
        dummy, errors = release_facts(host.series, module.params['brand'], flats[db], row['latest_version'])
        found.extend(((error, row['latest_version']), db) for error in errors)
    _refuse(module, ['%s (database%s %s record%s version %s)' % (error, 's' if len(dbs) > 1 else '', ', '.join(dbs),
                                                                 '' if len(dbs) > 1 else 's', version)
                     for (error, version), dbs in _grouped(found)])


def _check_embedded_keys(module, host, flats, facts):
    """The plan stage's check of an embedded entry mode asked for without the REST keys of the provider's mode: not
    given, and not set in the database as gather read it (none where the module is not installed yet). Databases
    without that read are checked when they are worked on."""
    found = []
    name = 'payment_%s' % module.params['brand']
    for db in sorted(flats):
        flat = flats[db]
        if flat.get('entry_mode') in (None, 'redirect'):
            continue
        state = host.state(db, [name])
        if state is None:
            continue
        row = db_state.module_rows(state, [name]).get(name) or {}
        installed = row.get('state') == 'installed'
        db_facts = facts
        if facts['release'] is None:
            if not installed:
                continue
            db_facts, errors = release_facts(host.series, module.params['brand'], flat, row.get('latest_version'))
            if db_facts is None or errors:
                continue
        if not db_facts['fields'].get('entry_mode'):
            continue
        record = ((state.get('provider') or {}).get('record') or {}) if installed else {}
        mode = flat.get('mode') or provider.status(record, db_facts)[0] or 'test'
        missing = provider.missing_embedded_keys(mode, flat, provider.keys_set(db_facts, record))
        if missing:
            found.append(((flat['entry_mode'], mode, tuple(missing)), db))
    _refuse(module, [provider.embedded_keys_error(entry_mode, mode, missing, dbs)
                     for (entry_mode, mode, missing), dbs in _grouped(found)])


# The relational settings whose records no step of a run creates (the addon's install or upgrade may bring cards,
# languages and payment icons): the plan stage refuses an unknown name of these from gather's read.
NAMED_BEFORE = ('website', 'journal', 'specific_countries')


def _check_names(module, host, flats, facts):
    """The plan stage's check of the websites, journals and countries the settings name, against the rows of those
    models in the gather stage's read of each database (read wherever Odoo's provider model exists, the addon
    installed or not). Databases without that read are checked when they are worked on."""
    found = []
    for db in sorted(flats):
        state = host.state(db, [facts['module']])
        if state is None:
            continue
        described = (state.get('provider') or {}).get('described') or {}
        for path in NAMED_BEFORE:
            value = flats[db].get(path)
            field = facts['fields'].get(path)
            if value in (None, '') or value == [] or not field:
                continue
            rows = db_state.relation_rows(state, path, value)
            if rows is None:
                continue
            names = [value] if isinstance(value, str) else list(value)
            fields = db_state.RELATION_FIELDS.get(path, db_state.RELATION_DEFAULT_FIELDS)
            try:
                resolve_names(path, (described.get(field) or {}).get('relation'), names, fields, rows)
            except provider.SettingsError as exc:
                found.append((str(exc), db))
    _refuse(module, ['%s (database%s %s)' % (error, 's' if len(dbs) > 1 else '', ', '.join(dbs))
                     for error, dbs in _grouped(found)])


def _check_all(module, flats, facts):
    """Every error of every database's settings, before anything is read or written (fails the task): errors of
    every database first, then the others, each naming its databases."""
    errors = []
    url = module.params['web_base_url']
    if url is not None:
        error = provider.check_url(url)
        if error:
            errors.append(error)
    found = [(error, db) for db in sorted(flats)
             for error in provider.check(flats[db], 'settings', module.params['ipn_probe_passed'])
             + provider.unavailable(flats[db], facts)]
    for error, dbs in sorted(_grouped(found), key=lambda item: (len(item[1]) != len(flats), item[0])):
        errors.append(error if len(dbs) == len(flats) else '%s (database %s)' % (error, ', '.join(dbs)))
    _refuse(module, errors)


def main():
    module = ProviderModule(argument_spec=argument_spec(), required_if=transport.COMMON_REQUIRED_IF,
                            supports_check_mode=True)
    params = module.params
    host, odoo, url, secrets = odoo_host.open_odoo(module)
    try:
        facts = generations.provider_facts(host.series, params['brand'], release=params['release'])
    except generations.GenerationError as exc:
        module.fail_json(msg='Cannot configure the payment provider: %s%s' % (
            'release: ' if params['release'] is not None else '', to_native(exc)))

    requested = params['databases']
    listed, reason = (None, None)
    if [(name or '').strip() for name in requested] == ['all']:
        listed, reason = odoo_host.server_databases(host, odoo, url, min(params['timeout'], 30))
    # databases of another series (which this server cannot load) are left out of all and refused by name
    candidates = listed if listed is not None else [name for name in requested if (name or '').strip() != 'all']
    incompatible = odoo_host.incompatible_databases(module, host, odoo, candidates)
    names, error = transport.choose_databases(requested, listed, reason, incompatible, host.series)
    if error:
        module.fail_json(msg=error)
    if listed is None and params['validate_only']:
        listed, dummy = odoo_host.server_databases(host, odoo, url, min(params['timeout'], 30))
    missing = [name for name in names if listed is not None and name not in listed]
    if missing:
        module.fail_json(msg='Cannot configure the payment provider: database%s %s %s not among the databases of this '
                         'Odoo (%s); nothing written' % ('s' if len(missing) > 1 else '', ', '.join(missing),
                                                         'are' if len(missing) > 1 else 'is', ', '.join(listed)))
    flats = _settings_by_database(module, names)
    for flat in flats.values():
        secrets.extend(provider.secret_values(flat))
    _check_all(module, flats, facts)
    if params['validate_only'] and params['release'] is None:
        _check_recorded(module, host, flats)
    if params['validate_only']:
        _check_embedded_keys(module, host, flats, facts)
        _check_names(module, host, flats, facts)
    if params['validate_only']:
        # The plan stage: every value checked against the host's series and databases; each database compared
        # with what gather read of it, when it read them all (no Odoo process).
        plan = Run(module, host, odoo, facts, secrets, gathered_only=True).plan(names, flats)
        # which read each database's plan comes from (its salt): the role takes the plan only while those very
        # reads are the host's facts
        salts = dict((db, host.states[db][db_state.SALT_KEY]) for db in names) if plan is not None else {}
        module.exit_json(changed=False, databases=plan or [], planned=plan is not None, read_salts=salts,
                         series=dict(series=host.series, line=facts['line']),
                         msg='settings valid for databases %s' % ', '.join(names))

    job = Run(module, host, odoo, facts, secrets)
    report = []
    failure = None
    for index, db in enumerate(names):
        entry, failure = job.database(db, flats[db])
        report.append(entry)
        if failure:
            report.extend(dict(name=rest, model=None, record=None, changed=False, changed_fields=[],
                               diff=dict(before={}, after={}), action='skipped', mode=None, published=None,
                               msg='not processed: database %s failed' % db)
                          for rest in names[index + 1:])
            break
    result = dict(
        changed=any(entry['changed'] for entry in report),
        databases=report,
        series=dict(series=host.series, line=facts['line']),
    )
    if module._diff:
        result['diff'] = dict(before=dict((entry['name'], entry['diff']['before']) for entry in report),
                              after=dict((entry['name'], entry['diff']['after']) for entry in report))
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
