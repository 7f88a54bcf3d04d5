import hashlib
import os
import uuid

import fakeredis
import pytest

from storage.backends.jsonfile import JsonFileBackend
from storage.backends.redis import RedisBackend
from storage.backends.rest import RestBackend
from storage.store import Store, get_store, set_store
from tests.redis_server import BINARY, RedisServer
from tests.upstash_server import UpstashServer

CAP = 5  # records per collection in the cache of the `small` fixture's store

REQUIRE_REAL_REDIS = os.environ.get("REQUIRE_REAL_REDIS") == "1"


def need_redis_server():
    if BINARY is None:
        if REQUIRE_REAL_REDIS:
            pytest.fail("REQUIRE_REAL_REDIS=1 but no redis-server binary is on PATH")
        pytest.skip("no redis-server binary on PATH (install redis-server to run the real-Redis tests)")


@pytest.fixture(scope="session")
def redis_server():
    """One real redis-server for the session (tests isolate themselves by key prefix)."""
    need_redis_server()
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def own_redis_server():
    """A redis-server of this test's own, for tests that stop, kill or pause it."""
    need_redis_server()
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def prefix():
    return f"t{uuid.uuid4().hex[:12]}"


def make_backend(kind, prefix, *, redis_server=None, tmp_path=None, rest_server=None, **options):
    if kind == "rest":
        return RestBackend(rest_server.url, rest_server.token, prefix, **options)
    if kind == "redis":
        return RedisBackend(redis_server.url, prefix, **options)
    if kind == "fakeredis":
        return RedisBackend("redis://fake", prefix, client=fake_redis())
    if kind == "jsonfile":
        return JsonFileBackend(tmp_path, prefix)
    raise ValueError(kind)


def fake_redis():
    """A fakeredis client whose Lua has the redis.sha1hex of real Redis (the unique index's buckets
    are named by it), which fakeredis lacks."""
    server = fakeredis.FakeServer()
    client = fakeredis.FakeRedis(server=server, decode_responses=True)
    client.eval("return 1", 0)  # creates the server's Lua runtime
    server._lua_runtime.globals().redis.sha1hex = lambda text: hashlib.sha1(text).hexdigest().encode()
    return client


@pytest.fixture
def use_store():
    """Install a Store for the duration of a test; restores the previous one after."""
    installed = []

    def install(backend, stale_reads=False):
        store = Store(backend, stale_reads=stale_reads)
        installed.append(set_store(store))
        return store

    yield install
    for previous in reversed(installed):
        current = set_store(previous)
        if current is not None:
            current.close()


@pytest.fixture(params=["redis", "fakeredis", "jsonfile", "rest"])
def store(request, prefix, tmp_path, use_store):
    """The contract fixture: every test using it runs on each backend."""
    server = request.getfixturevalue("redis_server") if request.param == "redis" else None
    rest = request.getfixturevalue("rest_server") if request.param == "rest" else None
    return use_store(make_backend(request.param, prefix, redis_server=server, tmp_path=tmp_path, rest_server=rest))


@pytest.fixture
def small(store):
    """The contract store (every backend) with a cache of CAP records per collection: its
    collections outgrow the cache after a few records, so their lists come from the indexes."""
    store.max_records = CAP
    return store


@pytest.fixture
def clients(store):
    """The clients collection of the contract store (on each backend)."""
    return get_store().collection("clients")


@pytest.fixture
def sessions(store):
    return get_store().collection("sessions")


@pytest.fixture
def redis_store(redis_server, prefix, use_store):
    return use_store(make_backend("redis", prefix, redis_server=redis_server))


# --- Vercel KV / Upstash REST ---------------------------------------------------------


@pytest.fixture(scope="session")
def rest_server(redis_server):
    """A local Upstash-compatible REST API (tests/upstash_server.py) in front of the shared Redis:
    .url, .token, .add_token(user, password), .fail_next(status, body), .received_sync_tokens."""
    server = UpstashServer(redis_server.port).start()
    yield server
    server.close()


@pytest.fixture
def rest_store(rest_server, prefix, use_store):
    """A Store on the REST backend, through the local REST API, to the shared real Redis."""
    return use_store(make_backend("rest", prefix, rest_server=rest_server))


# --- Scale-out: a 3-master Redis Cluster and a master + replica + 3 sentinels -----------


@pytest.fixture(scope="session")
def redis_cluster():
    """One 3-master Redis Cluster for the session (tests isolate themselves by key prefix)."""
    need_redis_server()
    from tests.redis_topologies import REDIS_CLI, Cluster

    if REDIS_CLI is None:
        if REQUIRE_REAL_REDIS:
            pytest.fail("REQUIRE_REAL_REDIS=1 but redis-cli (to create the cluster) is not on PATH")
        pytest.skip("redis-cli is not on PATH: cannot create a Redis Cluster")

    cluster = Cluster().start()
    yield cluster
    cluster.close()


@pytest.fixture(scope="session")
def redis_sentinel():
    """A master, a replica and three sentinels for the session. Tests that kill the master build
    their own SentinelGroup instead."""
    need_redis_server()
    from tests.redis_topologies import SentinelGroup

    group = SentinelGroup().start()
    yield group
    group.close()
