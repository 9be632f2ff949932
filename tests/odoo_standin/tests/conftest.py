import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from standin_helpers import Host, PgCluster  # noqa: E402


# Every test of a host runs on both storages of the stand-in: SQLite files and PostgreSQL (standin_storage).
STORAGES = ('sqlite', 'postgresql')


def _on(storage, host, request):
    if storage == 'postgresql':
        host.use_cluster(request.getfixturevalue('pg_cluster'))
        request.addfinalizer(host.cluster.drop_databases)
    return host


@pytest.fixture(params=STORAGES)
def host(tmp_path, request):
    return _on(request.param, Host(tmp_path), request)


@pytest.fixture(params=STORAGES)
def make_host(tmp_path_factory, request):
    def make(series=None):
        return _on(request.param, Host(tmp_path_factory.mktemp('host'), series=series), request)
    return make


@pytest.fixture(scope='session')
def pg_cluster():
    """One PostgreSQL cluster for the session's tests on that storage (each test drops its databases)."""
    root = tempfile.mkdtemp(prefix='standin-pg-')
    cluster = PgCluster(root)
    yield cluster
    cluster.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_host(tmp_path, pg_cluster):
    """A host whose databases are in the PostgreSQL cluster (``standin_storage = postgresql``)."""
    host = Host(tmp_path)
    host.use_cluster(pg_cluster)
    yield host
    pg_cluster.drop_databases()
