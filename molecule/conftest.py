"""pytest glue for the scenarios' testinfra tests (molecule verify).

Puts molecule/shared/tests on sys.path (for ``import molecule_hosts``) and
provides the fixtures every scenario's tests use.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "shared" / "tests"))

import molecule_hosts  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(name="hvars")
def fixture_hvars(host):
    """Host variables the scenario gave the host under test (standin_layout, standin_series, …)."""
    return molecule_hosts.host_vars(host.backend.get_hostname())


@pytest.fixture(name="base_url")
def fixture_base_url(hvars):
    """Odoo's HTTP address, seen from inside the host."""
    port = (hvars.get("standin_conf_extra") or {}).get("http_port", 8069)
    return f"http://127.0.0.1:{port}"
