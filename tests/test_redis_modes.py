"""Connection modes of the redis backend on real servers: unix://, rediss:// (TLS), Redis
Cluster found by itself or forced, a prefix per tenant spread over the cluster, WAIT for replicas."""

import shutil
import subprocess

import pytest
import redis
from redis.cluster import key_slot

from storage.backends.redis import RedisBackend
from storage.backends.redis_modes import ConnectOptions, parse_sentinel_url
from storage.backends.shared import mask_url
from storage.config import select_backend
from storage.errors import (
    CommandError,
    ConfigurationError,
    StorageError,
    StorageUnavailable,
    VersionConflict,
    WriteNotDurable,
)
from tests.conftest import REQUIRE_REAL_REDIS
from tests.redis_server import RedisServer, free_port
from tests.test_storage_contract import client_fields

# --- configuration, no server -------------------------------------------------------------------


def test_sentinel_url_names_hosts_service_db_and_credentials():
    target = parse_sentinel_url("redis+sentinel://app:s%40cret@10.0.0.1:26379,sentinel-b,[::1]:26380/mymaster/2")
    assert target.hosts == (("10.0.0.1", 26379), ("sentinel-b", 26379), ("::1", 26380))
    assert (target.service, target.db, target.username, target.password) == ("mymaster", 2, "app", "s@cret")
    assert parse_sentinel_url("redis+sentinel://h:1/svc").db == 0


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://h:26379",
        "redis+sentinel://h:26379/svc/x",
        "redis+sentinel://h:port/svc",
        "redis+sentinel:///svc",
    ],
)
def test_malformed_sentinel_url_is_a_configuration_error(url):
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        parse_sentinel_url(url)


def test_sentinel_url_is_a_redis_url_and_its_password_is_masked():
    url = "redis+sentinel://app:topsecret@h1:26379,h2:26379/mymaster/0"
    assert select_backend(redis_url=url) == "redis"
    assert mask_url(url) == "redis+sentinel://app:***@h1:26379,h2:26379/mymaster/0"
    assert "topsecret" not in str(RedisBackend(url, "app").describe())


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("redis://h/0", {"mode": "sentinel"}, "REDIS_MODE=sentinel needs"),
        ("redis+sentinel://h/s/0", {"mode": "cluster"}, "does not fit"),
        ("unix:///tmp/r.sock", {"mode": "cluster"}, "not unix"),
        ("redis://h/0", {"mode": "sharded"}, "not a mode"),
        ("redis://h/0", {"ssl_cert_reqs": "maybe"}, "REDIS_SSL_CERT_REQS"),
        ("redis://h/0", {"wait_replicas": 1, "wait_timeout_ms": 5000}, "STORAGE_WAIT_TIMEOUT_MS"),
        ("http://h/0", {}, "must start with"),
        ("rediss://h/0", {"ssl_ca_certs": "/nonexistent/ca.pem"}, "REDIS_SSL_CA_CERTS"),
    ],
)
def test_impossible_combinations_are_refused_at_startup(url, options, message):
    with pytest.raises(ConfigurationError, match=message):
        RedisBackend(url, "app", socket_timeout=2.0, **options)


def test_options_default_to_auto_and_verified_tls():
    assert ConnectOptions().mode == "auto"
    from storage.backends.redis_modes import tls_options

    assert tls_options("rediss://h:6380/0", ConnectOptions()) == {"ssl_cert_reqs": "required"}
    assert tls_options("redis://h:6379/0", ConnectOptions(ssl_cert_reqs="none")) == {}


# --- standalone: unix socket and TLS --------------------------------------------------------------


def test_unix_socket_url(tmp_path, prefix, use_store):
    socket_path = tmp_path / "redis.sock"
    server = RedisServer("--unixsocket", str(socket_path), "--unixsocketperm", "700").start()
    try:
        store = use_store(RedisBackend(f"unix://{socket_path}?db=0", prefix))
        created = store.collection("clients").create(client_fields())
        assert server.client().exists(f"{{{prefix}}}:clients:{created['id']}") == 1
        assert store.backend.mode == "standalone"
    finally:
        server.close()


class TlsRedisServer(RedisServer):
    def client(self, **kwargs):
        return redis.Redis(
            host="127.0.0.1", port=self.port, ssl=True, ssl_ca_certs=self.ca, decode_responses=True, socket_timeout=5
        )


@pytest.fixture
def tls_server(tmp_path, redis_server):
    if shutil.which("openssl") is None:
        if REQUIRE_REAL_REDIS:
            pytest.fail("REQUIRE_REAL_REDIS=1 but openssl (to make test certificates) is not on PATH")
        pytest.skip("openssl is not on PATH: cannot make test certificates")
    certs = tmp_path / "certs"
    certs.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "ca.key", "-out", "ca.crt",
         "-days", "1", "-subj", "/CN=test-ca"],
        cwd=certs, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "server.key", "-out", "server.csr",
         "-subj", "/CN=127.0.0.1"],
        cwd=certs, check=True, capture_output=True,
    )  # fmt: skip
    (certs / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    subprocess.run(
        ["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
         "-out", "server.crt", "-days", "1", "-extfile", "san.ext"],
        cwd=certs, check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    server = TlsRedisServer(
        "--port", "0", "--tls-port", str(port),
        "--tls-cert-file", str(certs / "server.crt"), "--tls-key-file", str(certs / "server.key"),
        "--tls-ca-cert-file", str(certs / "ca.crt"), "--tls-auth-clients", "no",
        port=port,
    )  # fmt: skip
    server.ca = str(certs / "ca.crt")
    server.start()
    yield server
    server.close()


def test_tls_with_the_ca_verifies_the_server(tls_server, prefix, use_store):
    url = f"rediss://127.0.0.1:{tls_server.port}/0"
    store = use_store(RedisBackend(url, prefix, ssl_ca_certs=tls_server.ca))
    created = store.collection("clients").create(client_fields())
    assert tls_server.client().exists(f"{{{prefix}}}:clients:{created['id']}") == 1


def test_tls_refuses_a_server_it_cannot_verify_unless_told_not_to(tls_server, prefix):
    url = f"rediss://127.0.0.1:{tls_server.port}/0"
    with pytest.raises(StorageUnavailable, match="certificate verify failed"):
        RedisBackend(url, prefix).ping()  # default: required, against the system CAs
    assert RedisBackend(url, prefix, ssl_cert_reqs="none").ping() is True


# --- Redis Cluster ------------------------------------------------------------------------------


def test_cluster_is_found_by_itself_and_can_be_forced(redis_cluster, prefix):
    auto = RedisBackend(redis_cluster.url, prefix)
    assert auto.mode == "auto"
    assert auto.ping()
    assert auto.mode == "cluster"
    forced = RedisBackend(redis_cluster.url, prefix, mode="cluster")
    forced.ping()
    assert forced.mode == "cluster"


def test_cluster_forced_on_a_standalone_server_is_a_configuration_error(redis_server, prefix):
    with pytest.raises(ConfigurationError, match="not a cluster node"):
        RedisBackend(redis_server.url, prefix, mode="cluster").ping()
    standalone = RedisBackend(redis_server.url, prefix)
    standalone.ping()
    assert standalone.mode == "standalone"


def node_of(cluster, prefix):
    slot = key_slot(f"{{{prefix}}}".encode())
    for node in cluster.nodes:
        for start, end, (_, port, *_), *_ in node.client().execute_command("CLUSTER", "SLOTS"):
            if start <= slot <= end and int(port) == node.port:
                return node, slot
    raise AssertionError(f"slot {slot} is not served")


def test_a_prefix_lives_in_one_slot_and_prefixes_spread_over_the_masters(redis_cluster, prefix, use_store):
    tenants, owners = [], set()
    for n in range(200):  # pick one tenant prefix per master
        tenant = f"{prefix}-tenant{n}"
        node, _ = node_of(redis_cluster, tenant)
        if node.port not in owners:
            owners.add(node.port)
            tenants.append(tenant)
        if len(tenants) == len(redis_cluster.nodes):
            break
    for tenant in tenants:
        store = use_store(RedisBackend(redis_cluster.url, tenant))
        client = store.collection("clients").create(client_fields(email=f"{tenant}@example.org"))
        store.collection("sessions").create({**_session(client["id"])})
    for tenant in tenants:
        owner, slot = node_of(redis_cluster, tenant)
        keys = list(owner.client().scan_iter(match=f"{{{tenant}}}:*", count=1000))
        assert len(keys) >= 8  # record, index, version, changes, unique, by, op ids, sessions...
        in_slot = owner.client().cluster("getkeysinslot", slot, 10_000)
        assert set(keys) <= set(in_slot)  # the slot may also hold another test's prefix that hashes there
        for other in redis_cluster.nodes:
            if other is not owner:
                assert list(other.client().scan_iter(match=f"{{{tenant}}}:*")) == []
    assert len(owners) == len(redis_cluster.nodes)


def _session(client_id):
    from tests.test_storage_contract import session_fields

    return session_fields(client_id)


def test_cluster_write_without_enough_replicas_is_not_a_success(redis_cluster, prefix, use_store):
    store = use_store(RedisBackend(redis_cluster.url, prefix, wait_replicas=1, wait_timeout_ms=50))
    with pytest.raises(WriteNotDurable, match="0 of 1 replica"):
        store.collection("clients").create(client_fields(email="x@example.org"))
    # The script ran on the slot's own master (no MOVED): the write is there, but not reported saved.
    owner, _ = node_of(redis_cluster, prefix)
    assert owner.client().get(f"{{{prefix}}}:clients:version") == "1"


def test_diagnostics_see_exactly_one_collections_keys_on_a_cluster(redis_cluster, prefix, use_store):
    store = use_store(RedisBackend(redis_cluster.url, prefix))
    client = store.collection("clients").create(client_fields(email="scan@example.org"))
    state = store.backend.raw_state("clients")
    assert set(state.records) == {client["id"]} and state.version == 1
    assert state.keys and all(key.startswith(f"{{{prefix}}}:clients:") for key in state.keys)


# --- WAIT on a standalone server ----------------------------------------------------------------


def test_write_without_enough_replicas_is_failed_or_unknown_never_success(redis_server, prefix, use_store):
    store = use_store(RedisBackend(redis_server.url, prefix, wait_replicas=1, wait_timeout_ms=50))
    clients = store.collection("clients")
    with pytest.raises(WriteNotDurable) as raised:
        clients.create(client_fields())
    assert isinstance(raised.value, StorageUnavailable) and raised.value.acked == 0
    assert "failed or its outcome is unknown" in str(raised.value)
    assert clients.cache.records == {}  # nothing kept in memory as if it were saved


def test_a_refused_write_with_wait_reports_the_refusal(redis_server, prefix, use_store):
    plain = use_store(RedisBackend(redis_server.url, prefix))
    created = plain.collection("clients").create(client_fields())
    waiting = use_store(RedisBackend(redis_server.url, prefix, wait_replicas=1, wait_timeout_ms=50))
    with pytest.raises(VersionConflict):
        waiting.collection("clients").update(created["id"], client_fields(name="B"), expected_version=7)


def test_unreachable_redis_is_unavailable_not_a_crash(prefix):
    backend = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", prefix, connect_timeout=0.2)
    with pytest.raises(StorageError):
        backend.ping()
    assert backend.mode == "auto"  # still unknown: the next call tries again


def test_sentinel_client_reads_and_writes_through_the_master_with_both_passwords():
    from redis.sentinel import SentinelConnectionPool

    from storage.backends.redis_modes import sentinel_client

    url = "redis+sentinel://app:data-pass@127.0.0.1:1,127.0.0.1:2/mymaster/3"
    client = sentinel_client(url, ConnectOptions(sentinel_password="sentinel-pass"))
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool) and pool.is_master  # never a replica
    assert (pool.connection_kwargs["username"], pool.connection_kwargs["password"]) == ("app", "data-pass")
    assert pool.connection_kwargs["db"] == 3
    sentinels = pool.sentinel_manager.sentinels
    assert [s.connection_pool.connection_kwargs["port"] for s in sentinels] == [1, 2]
    assert all(s.connection_pool.connection_kwargs["password"] == "sentinel-pass" for s in sentinels)


def test_a_server_error_that_is_no_outage_is_not_retried(redis_server, prefix):
    backend = RedisBackend(redis_server.url, prefix)
    with pytest.raises(CommandError, match="unknown command"):
        backend.call("NOSUCHCOMMAND")
