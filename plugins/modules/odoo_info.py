#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: odoo_info
short_description: Discover the Odoo install of a host and the copies of the payment addon it can load
version_added: 0.1.0
description:
  - Finds how Odoo runs on the host, the way Odoo itself would see it, and returns it as data
    that later tasks use (series, config file, data folder, addons path, databases, addon copies).
  - The service is the C(odoo*.service) systemd unit (or O(service)); its C(ExecStart) gives the program,
    the config file (C(-c), C(--config), C(--config=)) and command line options that override the file;
    C(User=), C(Group=) and C(WorkingDirectory=) give the user, group and the folder relative paths hang from.
  - The version and series are what C(<program> --version) prints (C(Odoo Server 16.0)), read from the C(release.py)
    of the C(odoo) package the program runs (its C(description) and C(version), which C(--version) prints), without
    starting Odoo (C(--version) takes about a second on real Odoo); the program's C(--version) is run only when that
    file is missing or does not define them.
  - RV(effective_addons_path) lists the folders in the order Odoo searches them, including the automatic C(<data_dir>/addons/<series>)
    folder, so the first copy of the addon listed is the one Odoo loads.
  - The databases are asked from the running service over XML-RPC (C(/xmlrpc/2/db) C(list())); when the
    service refuses (C(list_db = False)) or does not answer, RV(databases) is V(null) and
    RV(databases_error) says why. This never fails the task.
  - Of those databases, the ones this server cannot load are found by Odoo's own check
    (C(odoo.service.db.list_db_incompatible), what its database manager shows, run once by the host's Odoo
    interpreter as the service user, no registry loaded) - a database of another series sharing the PostgreSQL
    cluster, say - and returned in RV(incompatible_databases) with the C(base) version each records.
  - Never returns secrets of the config file (C(admin_passwd), C(db_password), C(smtp_password)) and masks
    C(-w)/C(--db_password) values in the returned command line.
author:
  - Systempay Odoo collection contributors (@systempay)
options:
  service:
    description:
      - Name of the systemd unit that runs Odoo, with or without C(.service).
      - V(auto) looks for exactly one C(odoo*.service) unit in the unit folders; without any unit,
        the usual programs (C(/usr/bin/odoo), C(/usr/local/bin/odoo), C(/opt/odoo/odoo-bin)) and config
        files (C(/etc/odoo/odoo.conf), C(/etc/odoo-server.conf), C(/etc/odoo.conf)) are tried.
    type: str
    default: auto
  config:
    description:
      - Path of the Odoo config file to read instead of the one the service uses.
    type: path
  binary:
    description:
      - Path of the Odoo program (C(odoo) or C(odoo-bin)) instead of the one the service runs.
    type: path
  brand:
    description:
      - Brand of the payment addon; the module looked for is C(payment_<brand>).
    type: str
    default: systempay
  list_databases:
    description:
      - Ask the running service for its databases over XML-RPC.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for the service to answer.
    type: int
    default: 10
  read_databases:
    description:
      - Databases to read once for the later steps of the run (RV(database_states)), by name, or V(all) for every
        database of RV(databases) this server can load. Empty (the default) reads none.
      - With O(read_with=sql), one C(psql) for every database, as the service user with Odoo's connection settings
        (C(db_host), C(db_port), C(db_user), C(db_password), given to it in libpq's environment), in read-only
        transactions (no Odoo process is started). With O(read_with=shell), one C(odoo shell) per database, as the
        service user, writing nothing. A database whose read fails is left out of RV(database_states) (shell) or
        has C(errors) (sql); the later steps then read it themselves.
    type: list
    elements: str
    default: []
  read_with:
    description:
      - How O(read_databases) are read. V(auto) reads with SQL when C(psql) is on the host (Odoo's Debian package
        depends on C(postgresql-client)), else with C(odoo shell); when C(psql) cannot run at all, it warns and
        reads with C(odoo shell).
      - The SQL read gives what the shell read gives (a test compares them on every addon line), with two
        differences its consumers do not see, a many2one as its id (the shell gives C([id, name])), and no values
        for a selection given by a method (and none up to Odoo 12.0), which Odoo does not keep in the database.
    type: str
    choices: [auto, sql, shell]
    default: auto
  digests:
    description:
      - Whether the read of O(read_databases) gives each set secret field (the keys) as a salted PBKDF2-SHA256
        digest, which lets a later step tell whether a key it is given is the one stored (M(systempay.odoo.payment_provider)).
        The digests cost the host about 20 ms of CPU each.
      - V(false) when no later step compares keys (C(playbooks/site.yml) without C(provider_settings)). A set secret
        then holds V(set (not digested\)), nothing of its value, and M(systempay.odoo.payment_provider) reads
        the database itself rather than take that read.
    type: bool
    default: true
  lock:
    description:
      - The run's lock on the host (M(systempay.odoo.odoo_lock) with V(acquired), same options), looked at before
        anything is read, in the same call, so that a run starts with one round trip to the host. Another run's
        lock is waited for up to O(lock.wait) seconds, then the module fails naming its holder (RV(lock)); an
        expired lock, or one whose holder ran on this controller with a pid not among O(lock.live_pids), is taken
        over with a warning (not in check mode, which only reports it in C(stale) of RV(lock)). Not given, the lock is
        not looked at.
      - With O(lock.take) false (playbooks/site.yml), a free lock is not taken and nothing is written - the run
        takes it only for its first change, with M(systempay.odoo.odoo_lock) and the C(generation) of RV(lock) read
        here, which refuses when another run took the lock in between.
    type: dict
    suboptions:
      path:
        description: The lock file on the host (its folder is created 0750, root).
        type: path
        default: /var/lib/systempay-odoo/run.lock
      token:
        description: Unique to the run (for example C(<controller>:<pid>:<start time>)).
        type: str
        required: true
      holder:
        description: Who takes the lock (C(controller), C(pid), C(started)), recorded in the file.
        type: dict
        default: {}
      lease:
        description: Seconds the lock is valid without a renewal (M(systempay.odoo.odoo_lock) V(renewed)).
        type: int
        default: 1800
      wait:
        description: Seconds to wait for a lock held by another run before failing.
        type: int
        default: 300
      live_pids:
        description: The pids of the C(ansible-playbook) processes running on this run's controller now.
        type: list
        elements: int
      generation:
        description: With O(lock.take), the lock's generation when this run read the host (M(systempay.odoo.odoo_lock)).
        type: int
      take:
        description: Take the lock when it is free (V(true)), or only wait while another run holds it (V(false)).
        type: bool
        default: true
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: The module only reads, and writes the lock file of O(lock) when it takes the lock; in check mode it does
      not take over a lock left by a run that is gone (C(stale) of RV(lock)).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: none
notes:
  - To locate the C(odoo) package when it is not beside the program, runs the program's Python with
    C(importlib.util.find_spec('odoo')) (nothing of Odoo is imported); runs that package's C(release.py), which holds
    assignments only (C(<program> --version) runs it too, after importing the whole package), or else
    C(<program> --version).
  - Manifests are read as data (C(ast.literal_eval)), never imported.
  - C(EnvironmentFile=) of the unit is not read; C(Environment=) is.
seealso:
  - name: Odoo configuration file
    description: Options of the server, as Odoo documents them.
    link: https://www.odoo.com/documentation/16.0/administration/on_premise/deploy.html
'''

EXAMPLES = r'''
- name: Discover Odoo
  systempay.odoo.odoo_info:
  register: odoo

- name: Show the series and the copy of the addon Odoo loads
  ansible.builtin.debug:
    msg: "Odoo {{ odoo.series }}: {{ odoo.addon.active.path | default('no payment_systempay') }}"

- name: Discover an Odoo started by a custom unit, for another brand of the addon
  systempay.odoo.odoo_info:
    service: odoo12
    brand: payzen
    list_databases: false
  register: odoo
'''

RETURN = r'''
service:
  description: Name of the systemd unit that runs Odoo, V(null) when none was found.
  returned: always
  type: str
  sample: odoo.service
unit_path:
  description: File of the unit.
  returned: always
  type: str
  sample: /lib/systemd/system/odoo.service
exec_start:
  description: The unit's C(ExecStart) command line, secret option values masked.
  returned: always
  type: str
  sample: /usr/bin/odoo --config /etc/odoo/odoo.conf --logfile /var/log/odoo/odoo-server.log
binary:
  description: The Odoo program.
  returned: always
  type: str
  sample: /usr/bin/odoo
interpreter:
  description: Python named before the program in C(ExecStart), else V(null).
  returned: always
  type: str
  sample: null
python:
  description: The Python interpreter Odoo runs with (RV(interpreter), else the C(#!) line of RV(binary)); a bare
    name such as C(python3) is looked up on C(PATH) by whoever runs it.
  returned: always
  type: str
  sample: /usr/bin/python3

cli_options:
  description: Server options given on the command line (they override the config file); secrets left out.
  returned: always
  type: dict
  sample: {"config": "/etc/odoo/odoo.conf", "logfile": "/var/log/odoo/odoo-server.log"}
user:
  description: User Odoo runs as.
  returned: always
  type: str
  sample: odoo
group:
  description: Group Odoo runs as.
  returned: always
  type: str
  sample: odoo
home:
  description: Home folder of RV(user).
  returned: always
  type: str
  sample: /var/lib/odoo
working_directory:
  description: Folder relative paths of the config are resolved from (C(/) when the unit sets none).
  returned: always
  type: str
  sample: /
config:
  description: The config file read.
  returned: always
  type: str
  sample: /etc/odoo/odoo.conf
config_source:
  description: How the config file was found.
  returned: always
  type: str
  sample: command line
config_problems:
  description: What in the config file would stop or mislead Odoo (also given as warnings).
  returned: always
  type: list
  elements: str
  sample: ["/etc/odoo/odoo.conf repeats dbfilter in [options]: Odoo refuses to start with such a file"]
version:
  description: Odoo version as C(--version) prints it.
  returned: always
  type: str
  sample: "16.0"
series:
  description: Odoo series.
  returned: always
  type: str
  sample: "16.0"
odoo_root:
  description: Folder of the C(odoo) Python package the program runs, V(null) when it cannot be found.
  returned: always
  type: str
  sample: /usr/lib/python3/dist-packages/odoo
data_dir:
  description: Odoo's data folder (command line, config, or Odoo's default C(~/.local/share/Odoo) of RV(user)).
  returned: always
  type: str
  sample: /var/lib/odoo
addons_path:
  description: The C(addons_path) entries as configured (command line or file), or Odoo's default when unset.
  returned: always
  type: list
  elements: str
  sample: ["/opt/odoo/odoo/addons", "custom-addons"]
addons_path_source:
  description: Where RV(addons_path) comes from, V(command line), V(config) or V(default).
  returned: always
  type: str
  sample: config
addons_path_missing:
  description: Entries of RV(effective_addons_path) that do not exist (Odoo only logs them).
  returned: always
  type: list
  elements: str
  sample: []
addons_data_dir:
  description: The automatic C(<data_dir>/addons/<series>) folder Odoo searches before the configured paths.
  returned: always
  type: dict
  contains:
    path:
      description: The folder.
      type: str
      sample: /var/lib/odoo/addons/16.0
    exists:
      description: Whether it exists.
      type: bool
      sample: true
    readable:
      description: Whether RV(user) can read it (Odoo skips it otherwise).
      type: bool
      sample: true
    in_path:
      description: Whether it is in RV(effective_addons_path).
      type: bool
      sample: true
    owner:
      description: C(user), C(group) and octal C(mode) of the folder (V(null) when it does not exist). Odoo run once
        as root leaves it C(root), C(0500), which the service user cannot read.
      type: dict
      sample:
        user: odoo
        group: odoo
        mode: '0500'
    effective_addons_path_when_readable:
      description: RV(effective_addons_path) as it is once the service user can read the folder (it is then
        searched right after the package's own C(addons)).
      type: list
      elements: str
    stat:
      description: What M(ansible.builtin.stat) says of the folder (not following a link) - C(exists), and when it
        does C(isdir), C(writeable) (by the user this module runs as), C(pw_name), C(gr_name), C(mode). The addon
        role takes it instead of a stat of its own.
      type: dict
      sample: {"exists": true, "isdir": true, "writeable": true, "pw_name": "odoo", "gr_name": "odoo", "mode": "0755"}
    parent_stat:
      description: The same of the folder that holds it (where it would be created).
      type: dict
effective_addons_path:
  description:
    - Absolute folders Odoo searches for modules, first first; the package's own C(addons), then
      RV(addons_data_dir.path) when readable, then RV(addons_path).
  returned: always
  type: list
  elements: str
  sample: ["/usr/lib/python3/dist-packages/odoo/addons", "/var/lib/odoo/addons/16.0"]
http_port:
  description: Port of the HTTP service.
  returned: always
  type: int
  sample: 8069
service_status:
  description: What systemd says of RV(service) now (C(systemctl show)); V(null) without a unit.
  returned: always
  type: dict
  contains:
    load_state:
      description: C(LoadState).
      type: str
      sample: loaded
    active_state:
      description: C(ActiveState) (C(active), C(inactive), C(failed)...).
      type: str
      sample: active
    sub_state:
      description: C(SubState).
      type: str
      sample: running
    main_pid:
      description: C(MainPID), 0 when no process runs.
      type: int
      sample: 412
    invocation_id:
      description: C(InvocationID); it changes on every start of the unit.
      type: str
    control_group:
      description: The unit's cgroup.
      type: str
      sample: /system.slice/odoo.service
port_owner:
  description:
    - The process listening on RV(http_port) (the lowest pid when workers share the socket), V(null) when nothing
      listens. Its command line has secret options masked.
    - C(in_service) is false when that process does not belong to RV(service) (an Odoo started by hand, by
      supervisor, or by another unit); restarting the unit would not restart what answers.
    - When something listens but no process can be read (root without CAP_SYS_PTRACE), C(unreadable) is true and
      C(pid) and C(in_service) are V(null).
  returned: always
  type: dict
  sample:
    pid: 412
    user: odoo
    command: /usr/bin/python3 /usr/bin/odoo --config /etc/odoo/odoo.conf
    cgroup: /system.slice/odoo.service
    unit: odoo.service
    in_service: true

http_interface:
  description: Interface the HTTP service listens on; empty for all.
  returned: always
  type: str
  sample: ""
http_enable:
  description: Whether the HTTP service runs (C(--no-http) turns it off).
  returned: always
  type: bool
  sample: true
dbfilter:
  description: The C(dbfilter) regular expression, empty when unset.
  returned: always
  type: str
  sample: ^shop1$
list_db:
  description: Whether Odoo lists its databases (C(list_db)).
  returned: always
  type: bool
  sample: true
db_name:
  description: The C(db_name) option, V(null) when unset.
  returned: always
  type: str
  sample: null
databases:
  description: Databases the service lists over XML-RPC (XML-RPC ignores C(dbfilter)); V(null) when unknown.
  returned: always
  type: list
  elements: str
  sample: ["shop1", "shop2"]
python_imports:
  description:
    - For each Python module some vendor release imports beside Odoo (C(pkg_resources), C(requests)), whether
      Odoo's interpreter (RV(python)), run as the service user, can import it (C(importlib.util.find_spec) -
      nothing is imported). The addon role refuses a release whose imports are missing there before any change.
    - V(null) when it could not be asked (no interpreter known, or it failed; a warning says why).
  returned: always
  type: dict
  sample: {"pkg_resources": true, "requests": true}
lock:
  description:
    - The lock as O(lock) left it, M(systempay.odoo.odoo_lock)'s result - C(acquired) (whether this run holds it),
      C(holder), C(taken_over) (why another run's lock was taken over, V(expired) or V(holder gone), else V(null)),
      C(expires), C(generation) (how many times the lock was ever taken, for the later take), C(stale) (in check
      mode, why a lock left on the host would be taken over, else V(null)); V(null) without O(lock).
  returned: always
  type: dict
  sample: {"acquired": false, "changed": false, "holder": {}, "taken_over": null, "expires": 0, "generation": 12,
           "stale": null}
http_status:
  description:
    - HTTP status of C(POST /web/webclient/version_info) on the local URL (a route without database) - 200 when the
      server answers, 0 when nothing answers, 500 when it fails (an addon that breaks at start, say); V(null)
      when the HTTP service is off.
  returned: always
  type: int
  sample: 200
incompatible_databases:
  description:
    - The databases of RV(databases) this server cannot load (Odoo's C(list_db_incompatible) - another series, or no
      Odoo tables), each with the version its C(base) module records (V(null) when none). The other modules of the
      collection leave them out of C(databases=all) and refuse them by name.
    - V(null) when not checked (no database list, or the check failed; a warning then says why).
  returned: always
  type: dict
  sample: {"shop15": "15.0.1.3"}
database_states:
  description:
    - What each database of O(read_databases) holds that the later steps compare with, read once (gather), keyed
      by database - C(modules) (C(payment_<brand>), C(base) and the modules an addon line requires, each with
      C(state) and C(latest_version); C(modules_asked) lists the names asked), C(params) (C(web.base.url),
      C(web.base.url.freeze)), C(provider) (V(null) when the provider model is not loaded there; else its
      C(ir.model.data) row as C(xmlids), C(fields_get) as C(described), the provider record's fields as C(record),
      the brand's records with the stored notification URL as C(stored), the rows of the models the relational
      settings name as C(relations), and on Odoo 17+ the addon's C(payment.method) records as
      C(payment_methods)), C(installments) (the installments record's C(xmlids) and C(record)), C(errors), and the
      run's C(salt).
    - Secret fields (the keys) are never returned, only a salted PBKDF2-SHA256 digest of each (with
      O(digests=false), only whether each is set, and C(salt) is V(null)).
  returned: always
  type: dict
  sample: {"shop1": {"modules": {"payment_systempay": {"name": "payment_systempay", "state": "installed",
           "latest_version": "16.0.3.1.1"}}, "params": {"web.base.url": "https://shop.example.com"}, "errors": []}}
digests:
  description: Whether the secrets in RV(database_states) are digests (O(digests)); M(systempay.odoo.odoo_module)
    reads the databases it changes the same way.
  returned: always
  type: bool
databases_error:
  description: Why RV(databases) is V(null).
  returned: always
  type: str
  sample: "Odoo refused to list databases (Fault 3: Access Denied)"
generation:
  description:
    - What the Odoo series expects, from the collection's generation table; V(null) when the series is
      outside the supported range.
  returned: always
  type: dict
  contains:
    line:
      description: Addon line made for the series.
      type: str
      sample: "3"
    range:
      description: Declared range of that line.
      type: str
      sample: Odoo_16
    model:
      description: Model of payment providers.
      type: str
      sample: payment.provider
    type_field:
      description: Field holding the provider code.
      type: str
      sample: code
    mode_field:
      description: Field holding test/production mode.
      type: str
      sample: state
    publish_field:
      description: Field publishing the provider, V(null) when the series has none.
      type: str
      sample: is_published
addon:
  description: The payment addon on RV(effective_addons_path).
  returned: always
  type: dict
  contains:
    name:
      description: Module name.
      type: str
      sample: payment_systempay
    copies:
      description:
        - Every copy found, in search order; keys C(path), C(addons_dir), C(manifest), C(version)
          (manifest version, V(null) when unreadable), C(installable), C(error), C(active) (the one Odoo loads),
          C(line), C(fits) (its addon line suits the series) and C(content_sha256) (hash of its files, as
          RV(systempay.odoo.addon_archive#module:content_sha256) computes it for an archive; V(null) when unreadable).
      type: list
      elements: dict
      sample:
        - {"path": "/var/lib/odoo/addons/16.0/payment_systempay", "addons_dir": "/var/lib/odoo/addons/16.0",
           "manifest": "/var/lib/odoo/addons/16.0/payment_systempay/__manifest__.py", "version": "3.1.1",
           "installable": true, "error": null, "active": true, "line": "3", "fits": true,
           "content_sha256": "90c88d2eb5cd138685329cdaab51f624014282abb0e549213a1a3faca5fb0079"}
    active:
      description: The copy Odoo loads (the first), V(null) when there is none.
      type: dict
      sample: {"path": "/var/lib/odoo/addons/16.0/payment_systempay", "version": "3.1.1"}
    shadowed:
      description: Number of copies hidden by RV(addon.active).
      type: int
      sample: 0
'''

import grp
import json
import os
import pwd
import stat

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.systempay.odoo.plugins.module_utils import vendor_archive
from ansible_collections.systempay.odoo.plugins.module_utils import db_sql
from ansible_collections.systempay.odoo.plugins.module_utils import db_state
from ansible_collections.systempay.odoo.plugins.module_utils import discovery
from ansible_collections.systempay.odoo.plugins.module_utils import generations
from ansible_collections.systempay.odoo.plugins.module_utils import host_lock
from ansible_collections.systempay.odoo.plugins.module_utils import masking
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_conf
from ansible_collections.systempay.odoo.plugins.module_utils import processes
from ansible_collections.systempay.odoo.plugins.module_utils import releases
from ansible_collections.systempay.odoo.plugins.module_utils import odoo_host
from ansible_collections.systempay.odoo.plugins.module_utils import transport
from ansible_collections.systempay.odoo.plugins.module_utils.postgres import Postgres, PostgresError
from ansible_collections.systempay.odoo.plugins.module_utils.validation import CollectionModule


def argument_spec():
    return dict(
        service=dict(type='str', default='auto'),
        config=dict(type='path'),
        binary=dict(type='path'),
        brand=dict(type='str', default='systempay'),
        list_databases=dict(type='bool', default=True),
        timeout=dict(type='int', default=10),
        read_databases=dict(type='list', elements='str', default=[]),
        read_with=dict(type='str', default='auto', choices=['auto', 'sql', 'shell']),
        digests=dict(type='bool', default=True),
        lock=dict(type='dict', options=dict(host_lock.OPTIONS, take=dict(type='bool', default=True))),
    )


def _read_states(module, host, runner, requested, databases):
    """``(incompatible, states)``: ``{name: base version}`` of the databases listed this server cannot load (Odoo's
    ``list_db_incompatible``; ``None`` when that could not be checked, with a warning), and ``{db: state}`` of the
    databases asked (``all``: every database listed this server can load); a database whose read fails has errors
    (SQL) or is left out (shell), with a warning. With SQL, one ``psql`` does both; else one run of Odoo's
    interpreter checks the databases and one ``odoo shell`` per database reads it."""
    names = [name.strip() for name in requested if name and name.strip()]
    if names == ['all']:
        names = list(databases)
    else:
        names = [name for name in names if name in databases]
    salt = db_state.new_salt() if module.params['digests'] else None
    incompatible, unchecked, states = None, list(databases), None
    how = module.params['read_with']
    if how == 'sql' or (how == 'auto' and module.get_bin_path('psql')):
        pg = Postgres(host, transport.module_runner(module), module.get_bin_path)
        try:
            incompatible, unchecked, states = db_sql.read_host(pg, databases, names, host.series,
                                                               module.params['brand'], salt, host.major)
        except PostgresError as exc:
            if how == 'sql':
                module.fail_json(msg=transport.mask('Cannot read the databases with SQL: %s' % to_native(exc),
                                                    host.secrets))
            module.warn(transport.mask('Cannot reach the databases with SQL (Odoo\'s own programs check%s them '
                                       'instead): %s' % (' and read' if names else '', to_native(exc)),
                                       host.secrets))
    if unchecked:
        try:
            found = runner.incompatible_databases(unchecked, host.python(),
                                                  host.odoo_parent(transport.module_runner(module)))
            incompatible = dict(incompatible or {}, **found)
        except transport.TransportError as exc:
            module.warn(transport.mask('Cannot check which databases this Odoo can load: %s %s'
                                       % (to_native(exc), ' | '.join(transport.excerpt(exc.log, lines=3))),
                                       host.secrets))
    if states is not None:
        return incompatible, dict((name, state) for name, state in states.items()
                                  if name not in (incompatible or {}))
    states = {}
    for name in names:
        if name in (incompatible or {}):
            continue
        try:
            states[name] = db_state.read(runner, name, host.series, module.params['brand'], salt)
        except transport.TransportError as exc:
            module.warn(transport.mask('Cannot read database %s in the gather stage (the later steps read it '
                                       'themselves): %s %s' % (name, to_native(exc),
                                                               ' | '.join(transport.excerpt(exc.log, lines=3))),
                                       host.secrets))
    return incompatible, states


# Asked of Odoo's interpreter: which modules it finds (importlib.util.find_spec: nothing is imported).
_FIND_SPEC = 'import importlib.util, json, sys; print(json.dumps(dict((n, importlib.util.find_spec(n) is not None) ' \
             'for n in sys.argv[1:])))'


def _python_imports(module, host, run_command):
    """``{module: importable}`` for every module a vendor release imports beside Odoo, asked of Odoo's interpreter as
    the service user (what it finds when Odoo loads the addon); None when it cannot be asked, with a warning."""
    python = host.python()
    if not python:
        return None
    try:
        prefix, environ = transport.run_as_prefix(host.install['user'], module.get_bin_path)
    except transport.TransportError as exc:
        module.warn('Cannot ask Odoo\'s Python which modules it can import: %s' % to_native(exc))
        return None
    rc, out, err = run_command(prefix + [python, '-c', _FIND_SPEC] + releases.imported_modules(), cwd='/',
                               environ_update=environ or None)
    try:
        found = json.loads((out or '').strip().splitlines()[-1])
    except (ValueError, IndexError):
        found = None
    if rc != 0 or not isinstance(found, dict):
        module.warn('Cannot ask Odoo\'s Python (%s) which modules it can import: %s'
                    % (python, (err or out or 'exit %s' % rc).strip()[-300:]))
        return None
    return found


def _generation(series):
    try:
        line = generations.line_for_series(series)
        facts = generations.model_facts(series)
    except generations.GenerationError:
        return None
    return {
        'line': line['line'],
        'range': line['range'],
        'model': facts['model'],
        'type_field': facts['type_field'],
        'mode_field': facts['mode_field'],
        'mode_values': facts['mode_values'],
        'publish_field': facts['publish_field'],
    }


def _addon(brand, folders, generation):
    name = 'payment_%s' % brand.lower()
    copies = discovery.find_module_copies(name, folders)
    for copy in copies:
        try:
            copy['line'] = generations.line_of_version(copy['version'])['line']
        except generations.GenerationError:
            copy['line'] = None
        copy['fits'] = None if generation is None or copy['line'] is None else copy['line'] == generation['line']
        try:
            copy['content_sha256'] = vendor_archive.tree_sha256(copy['path'])
        except (IOError, OSError):
            copy['content_sha256'] = None
    active = copies[0] if copies else None
    return {
        'name': name,
        'copies': copies,
        'active': active,
        'shadowed': max(len(copies) - 1, 0),
    }


def _stat(path):
    """What ``ansible.builtin.stat`` (``follow: false``) says of ``path`` that the addon role asks: ``exists``,
    ``isdir``, ``writeable`` (by the user this module runs as), ``pw_name``, ``gr_name``, ``mode``."""
    try:
        info = os.lstat(path)
    except OSError:
        return {'exists': False}
    owner = _owner_of(info)
    return {'exists': True, 'isdir': stat.S_ISDIR(info.st_mode), 'writeable': os.access(path, os.W_OK),
            'pw_name': owner['user'], 'gr_name': owner['group'], 'mode': owner['mode']}


def _owner(path):
    """``{user, group, mode}`` of a folder (None when it does not exist)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return _owner_of(info)


def _owner_of(info):
    try:
        user = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        user = str(info.st_uid)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    return {'user': user, 'group': group, 'mode': '%04o' % stat.S_IMODE(info.st_mode)}


def main():
    module = CollectionModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    run_command = transport.module_runner(module)

    # The run's lock first, in the same round trip (a run starts with one call to the host): nothing is read while
    # another run may be changing the host. Without take, a free lock stays free (the run takes it for its first
    # change); a lock left by a run that is gone is taken over all the same (its lease would hold up every later run),
    # except in check mode, which writes nothing.
    lock = None
    if params['lock']:
        options = dict((name, value) for name, value in params['lock'].items() if name != 'take')
        try:
            if params['lock']['take']:
                lock = dict(host_lock.acquire(options, module.warn), stale=None)
            else:
                lock = host_lock.wait_free(options)
                if lock['stale'] and not module.check_mode:
                    lock = dict(host_lock.acquire(dict(options, generation=None), module.warn), stale=None)
                elif lock['stale']:
                    module.warn('The lock %s is left by the run of %s (pid %s, started %s), which is gone (%s): a run '
                                'that is not a check takes it over' % (
                                    options['path'], lock['holder'].get('controller', '?'), lock['holder'].get('pid', '?'),
                                    lock['holder'].get('started', '?'), lock['stale']))
        except host_lock.LockError as exc:
            module.fail_json(msg=to_native(exc), lock=exc.result)
        if lock['acquired']:
            # every later failure says that this run holds the lock (it took over a gone run's), for its release
            fail_json = module.fail_json
            module.fail_json = lambda **kwargs: fail_json(**dict(dict(lock=lock), **kwargs))

    try:
        install = discovery.discover_install(
            run_command, service=params['service'], config=params['config'], binary=params['binary'])
    except discovery.DiscoveryError as exc:
        module.fail_json(msg=to_native(exc))
    # Host-read secrets are not given to no_log_values (ansible-core would mask a weak one inside paths); nothing
    # this module returns holds them: the command line is returned masked, the config's secrets are never returned.
    cli_secrets = install.pop('secrets')

    odoo_root = discovery.find_odoo_root(install['binary'], run_command, install['interpreter'])
    try:
        version, series = discovery.installed_version(run_command, install, odoo_root)
    except discovery.DiscoveryError as exc:
        module.fail_json(msg=to_native(exc))
    major = generations.parse_series(series)

    try:
        conf = odoo_conf.OdooConf.from_file(install['config'])
    except (IOError, OSError, UnicodeDecodeError, odoo_conf.OdooConfError) as exc:
        module.fail_json(msg='Cannot parse the Odoo config %s: %s' % (install['config'], to_native(exc)))
    host = odoo_host.OdooHost(install, conf, version, series, odoo_root=odoo_root)
    config_problems = []
    if not conf.has_section(odoo_conf.OPTIONS_SECTION):
        config_problems.append('%s has no [options] section: Odoo runs with its defaults' % install['config'])
    for section, key in conf.duplicates:
        config_problems.append('%s repeats %s in [%s]: Odoo refuses to start with such a file'
                               % (install['config'], key, section))
    for problem in config_problems:
        module.warn(problem)
    for key in sorted(odoo_conf.SECRET_OPTIONS):
        if conf.is_set(key) and masking.is_weak(conf.get(key)):
            module.warn(masking.weak_secret_warning(key, install['config']))
    if any(masking.is_weak(secret) for secret in cli_secrets):
        module.warn(masking.weak_secret_warning('a password on the command line', install['unit_path']))

    cli = install['cli_options']
    layout = host.addons_layout(run_command)
    effective = layout['effective']

    # http and databases
    value = host.option('http_port', ('xmlrpc_port',))
    try:
        http_port = int(value) if value is not None else 8069
    except ValueError:
        module.fail_json(msg='Cannot read http_port of %s: %r is not a number' % (install['config'], value))
    http_interface = host.option('http_interface', ('xmlrpc_interface',)) or ''
    http_enable = odoo_conf.odoo_bool(host.option('http_enable', ('xmlrpc',), raw=True), True, major)
    list_db = odoo_conf.odoo_bool(host.option('list_db', raw=True), True, major)
    dbfilter = host.option('dbfilter') or ''
    db_name = host.option('db_name')

    databases, databases_error = None, None
    if not params['list_databases']:
        databases_error = 'not asked (list_databases is false)'
    elif not http_enable:
        databases_error = 'the HTTP service is off (http_enable is false)'
    else:
        databases, databases_error = transport.list_databases(
            transport.local_url(http_interface, http_port), params['timeout'])
        if databases is None and not list_db:
            databases_error = 'list_db is False in %s: %s' % (install['config'], databases_error)
    # Whether the running server answers at all (a route without database): a run that finds it not answering
    # with newer addon files in place is looking at an upgrade an earlier run left unfinished (role addon).
    http_status = transport.version_info_status(transport.local_url(http_interface, http_port)) if http_enable else None
    # Which databases this server can load, and the one read of each database the later steps compare with (gather).
    incompatible, states = None, {}
    if databases:
        try:
            runner = transport.connect(module, host, run_command, dict(
                transport='cli', user=None, timeout=params['timeout'], url=None, login=None, password=None))
        except transport.TransportError as exc:
            module.warn(transport.mask('Cannot check which databases this Odoo can load: %s' % to_native(exc),
                                       host.secrets))
        else:
            incompatible, states = _read_states(module, host, runner, params['read_databases'], databases)

    # What runs: systemd's view of the unit, and the process that answers the port (a unit file says how Odoo would
    # start, not that it is what serves the shop).
    service_status = None
    if install['service']:
        try:
            service_status = processes.unit_status(run_command, install['service'])
        except discovery.DiscoveryError as exc:
            module.warn(to_native(exc))
    owner = processes.port_owner_of_unit(http_port, (service_status or {}).get('ControlGroup'))
    if owner is not None:
        if owner.get('unreadable'):
            module.warn('Cannot tell which process serves port %d: /proc/<pid>/fd is not readable here (root without '
                        'CAP_SYS_PTRACE?); a restart is then proven by systemd and HTTP only' % http_port)

    generation = _generation(series)
    python_imports = _python_imports(module, host, run_command)
    result = dict(
        changed=False,
        lock=lock,
        service=install['service'],
        unit_path=install['unit_path'],
        exec_start=install['exec_start'],
        binary=install['binary'],
        interpreter=install['interpreter'],
        python=host.python(),
        cli_options=dict((k, v) for k, v in cli.items() if k not in discovery.SECRET_CLI_OPTIONS),
        user=install['user'],
        group=install['group'],
        home=install['home'],
        working_directory=install['working_directory'],
        config=install['config'],
        config_source=install['config_source'],
        config_problems=config_problems,
        version=version,
        series=series,
        odoo_root=layout['odoo_root'],
        data_dir=layout['data_dir'],
        addons_path=layout['addons_path'],
        addons_path_source=layout['addons_path_source'],
        addons_path_missing=[folder for folder in effective if not os.path.isdir(folder)],
        addons_data_dir=dict(
            path=layout['data_addons'],
            exists=os.path.isdir(layout['data_addons']),
            readable=layout['data_addons_readable'],
            in_path=layout['data_addons'] in effective,
            owner=_owner(layout['data_addons']),
            effective_addons_path_when_readable=layout['effective_when_readable'],
            stat=_stat(layout['data_addons']),
            parent_stat=_stat(os.path.dirname(layout['data_addons'])),
        ),
        effective_addons_path=effective,
        http_port=http_port,
        http_interface=http_interface,
        service_status=dict(
            load_state=service_status['LoadState'], active_state=service_status['ActiveState'],
            sub_state=service_status['SubState'], main_pid=service_status['MainPID'],
            invocation_id=service_status['InvocationID'], control_group=service_status['ControlGroup'],
        ) if service_status else None,
        port_owner=owner,
        http_enable=http_enable,
        dbfilter=dbfilter,
        list_db=list_db,
        db_name=db_name,
        databases=databases,
        databases_error=databases_error,
        incompatible_databases=incompatible,
        database_states=states,
        digests=params['digests'],
        http_status=http_status,
        python_imports=python_imports,
        generation=generation,
        addon=_addon(params['brand'], effective, generation),
    )
    module.exit_json(**result)


if __name__ == '__main__':
    main()
