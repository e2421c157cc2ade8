"""Dask schedulers for the tests of the Dask paths (``test_dask*.py``).

``scheduler`` runs a test twice: on the threaded scheduler and on a real
``distributed.LocalCluster`` (2 worker processes, 1 thread each).  The
cluster is started once per test session, whichever modules use it, and
closed at the end.  Import both names in a test module:

    from dask_fixtures import dask_cluster, scheduler  # noqa: F401
"""

from __future__ import annotations

import dask
import pytest

_SHARED: dict = {}


def _client():
    if "client" not in _SHARED:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
            memory_limit="1GiB",
        )
        _SHARED["cluster"] = cluster
        _SHARED["client"] = Client(cluster, set_as_default=False)
    return _SHARED["client"]


@pytest.fixture(scope="session")
def dask_cluster():
    """The session's LocalCluster client (processes, 2 workers)."""
    client = _client()
    yield client
    if "client" in _SHARED:
        _SHARED.pop("client").close()
        _SHARED.pop("cluster").close()


@pytest.fixture(params=["threads", "cluster"])
def scheduler(request):
    """The scheduler a test counts on: local threads, then the LocalCluster."""
    if request.param == "threads":
        with dask.config.set(scheduler="threads"):
            yield "threads"
    else:
        client = request.getfixturevalue("dask_cluster")
        with dask.config.set(scheduler=client):
            yield "cluster"
