"""Testinfra helpers shared by the scenarios' verify tests.

Each test module sets ``testinfra_hosts`` from the molecule inventory with
``podman://<name>`` hosts: testinfra then talks to the containers with
``podman exec`` directly, which is an order of magnitude faster than going
through Ansible for every command (measured 36 s -> 2 s on the default scenario).
"""

import os
from pathlib import Path

import yaml


def _inventory():
    path = os.environ.get("MOLECULE_INVENTORY_FILE")
    if not path or not Path(path).is_file():
        raise RuntimeError(
            "MOLECULE_INVENTORY_FILE is not set or missing: run these tests through "
            "`molecule verify` (make molecule S=<scenario> M=verify)"
        )
    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream) or {}


def host_names(group="all"):
    """Names of the scenario's hosts in ``group``, as molecule's inventory lists them."""
    inventory = _inventory()
    return sorted((inventory.get(group) or {}).get("hosts") or {})


def testinfra_hosts(group="all"):
    """``podman://<name>`` for every host of ``group``."""
    return ["podman://" + name for name in host_names(group)]


def host_vars(name):
    """Host variables of one host as molecule wrote them (inventory + host_vars/)."""
    inventory = _inventory()
    values = dict(((inventory.get("all") or {}).get("hosts") or {}).get(name) or {})
    host_vars_file = Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent / "host_vars" / name
    if host_vars_file.is_file():
        with open(host_vars_file, encoding="utf-8") as stream:
            values.update(yaml.safe_load(stream) or {})
    return values


def http_get(host, url):
    """(status, headers with lower-case names) of a GET made with curl from inside ``host``."""
    lines = host.check_output("curl -sS -o /dev/null -D - %s", url).splitlines()
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers
