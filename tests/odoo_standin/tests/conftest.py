import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from standin_helpers import Host  # noqa: E402


@pytest.fixture
def host(tmp_path):
    return Host(tmp_path)


@pytest.fixture
def make_host(tmp_path_factory):
    def make(series=None):
        return Host(tmp_path_factory.mktemp('host'), series=series)
    return make
