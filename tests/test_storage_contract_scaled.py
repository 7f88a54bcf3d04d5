"""The storage contract suite (tests/test_storage_contract.py), run again, unchanged, on a 3-master
Redis Cluster and on a Sentinel-managed master (also with STORAGE_WAIT_REPLICAS=1)."""

import pytest

from storage.backends.redis import RedisBackend
from tests.test_storage_contract import *  # noqa: F403 - the same tests, on this module's `store`
from tests.test_storage_contract_writes import *  # noqa: F403


@pytest.fixture(params=["cluster", "sentinel", "sentinel-wait1"])
def store(request, prefix, use_store):
    if request.param == "cluster":
        cluster = request.getfixturevalue("redis_cluster")
        backend = RedisBackend(cluster.url, prefix)  # REDIS_MODE=auto: INFO cluster finds the cluster
    else:
        group = request.getfixturevalue("redis_sentinel")
        wait = 1 if request.param == "sentinel-wait1" else 0
        backend = RedisBackend(group.url(), prefix, wait_replicas=wait, wait_timeout_ms=1000)
    store = use_store(backend)
    backend.ping()
    assert backend.mode == request.param.split("-")[0]
    return store
