# -*- coding: utf-8 -*-
# Copyright: Contributors to the systempay.odoo collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Options of every module that talks to Odoo: module_utils/transport.py common_argument_spec().
    DOCUMENTATION = r'''
options:
  transport:
    description:
      - How to talk to Odoo.
      - V(cli) runs the host's Odoo program as the service user (C(odoo shell) to read, C(odoo -i|-u ... --stop-after-init)
        to install or upgrade). A fresh process reads the addons from disk; the running service keeps its old code
        and manifests until it is restarted.
      - V(rpc) calls the running server over XML-RPC (C(/xmlrpc/2/common), C(/xmlrpc/2/object)) as O(login).
        A running server caches manifests, so it only sees a new version of a module after a restart.
    type: str
    choices: [cli, rpc]
    default: cli
  service:
    description:
      - Name of the systemd unit that runs Odoo, with or without C(.service); its C(ExecStart), C(User=),
        C(WorkingDirectory=) and C(Environment=) give the defaults of O(binary), O(config) and O(user).
      - V(auto) looks for exactly one C(odoo*.service) unit, else the usual programs and config files
        (as M(systempay.odoo.odoo_info) does).
    type: str
    default: auto
  config:
    description:
      - Path of the Odoo config file (C(odoo.conf)). Default, the one the service uses.
      - With O(transport=rpc), read for the default O(url) and the addons path.
    type: path
  binary:
    description:
      - Path of the Odoo program (C(odoo) or C(odoo-bin)). Default, the one the service runs.
      - With O(transport=rpc) the program need not be on the host; the series is then the running server's
        (C(common.version())).
    type: path
  user:
    description:
      - User to run the Odoo program as, with O(transport=cli). Default, the service's C(User=) (root when the unit
        sets none; the C(odoo) user when there is no unit).
      - Running as another user needs root (C(become)); the program is run with C(runuser -u USER --)
        (or C(setpriv)), never through a shell.
    type: str
  url:
    description:
      - Base URL of the Odoo server, with O(transport=rpc).
      - Default, C(http://127.0.0.1:<http_port>) (or the configured C(http_interface)) from the config file.
    type: str
  login:
    description:
      - Odoo user to log in as, with O(transport=rpc). It must have the rights the task needs
        (an administrator, to install modules).
      - Required with O(transport=rpc).
    type: str
  password:
    description:
      - Password (or API key) of O(login), with O(transport=rpc). Never returned, masked in every log excerpt.
      - Required with O(transport=rpc).
    type: str
  timeout:
    description:
      - Seconds one Odoo run (O(transport=cli), through C(timeout)) or one XML-RPC call (O(transport=rpc)) may take.
    type: int
    default: 600
  odoo_facts:
    description:
      - What M(systempay.odoo.odoo_info) returned for this host earlier in the run (the gather stage). When given,
        Odoo is not discovered again; O(service), O(config) and O(binary) are ignored and the facts' own are used.
        No process is started and the server is not called to find the install (no C(odoo --version), no search
        for the C(odoo) package, no database list).
      - The unit and config files the facts name are read again, because they alone hold the secrets (facts never
        carry them) and the config may have been edited since (addons path).
    type: dict
notes:
  - Runs on the Odoo host. Without O(odoo_facts), the service is discovered as M(systempay.odoo.odoo_info) does it
    (unit, program, config file, addons path).
  - Exit codes and return values prove nothing (a misspelt C(-i) exits 0); the modules read the state again afterwards.
'''
