"""Storage behaviours that only a real redis-server can show: restarts, kills, lost replies."""

import threading
import time

import pytest

from storage import errors, scripts
from storage.backends.redis import RedisBackend
from storage.backends.redis_modes import ConnectOptions
from storage.collection import Collection, CollectionSpec
from storage.config import select_backend
from tests.redis_server import RedisServer
from tests.redis_topologies import wait_until

COUNTERS = CollectionSpec("counters", "counter", "Counter")


def collection_on(server, prefix, **options):
    options.setdefault("socket_timeout", 0.5)
    options.setdefault("connect_timeout", 0.5)
    return Collection(COUNTERS, RedisBackend(server.url, prefix, **options))


def test_the_same_process_succeeds_after_redis_restarts(own_redis_server, prefix):
    counters = collection_on(own_redis_server, prefix)
    counters.create({"value": 1})
    own_redis_server.restart()  # no persistence: the server comes back empty
    record = counters.create({"value": 2})  # the pooled connection is dead: reconnect by itself
    assert counters.get(record["id"])["value"] == 2
    assert [r["value"] for r in counters.all()] == [2]


def test_a_killed_redis_fails_the_write_cleanly_and_leaves_nothing(own_redis_server, prefix):
    counters = collection_on(own_redis_server, prefix)
    kept = counters.create({"value": 1})
    counters.all()
    before = dict(counters.cache.records)
    own_redis_server.kill()
    started = time.monotonic()
    with pytest.raises(errors.StorageUnavailable):
        counters.create({"value": 2})
    with pytest.raises(errors.StorageUnavailable):
        counters.update(kept["id"], {"value": 3})
    assert time.monotonic() - started < 10  # bounded by 3 attempts x timeouts + backoff
    assert counters.cache.records == before
    own_redis_server.start()
    assert counters.all() == ()  # the restarted server has nothing (not even a half write)
    assert own_redis_server.client().keys("*") == []


def test_a_write_whose_reply_is_lost_is_applied_once(own_redis_server, prefix):
    # The first attempt is sent once the server sleeps (polled) and times out after 1 s; the sleep
    # (2 s) ends before the third attempt's timeout (2 x 1 s + the backoff): whatever the machine's
    # load, the first attempt's reply is lost and a retry gets an answer.
    counters = collection_on(own_redis_server, prefix, socket_timeout=1.0)
    record = counters.create({"value": 0})
    # The update script is loaded first: otherwise the first attempt would only meet NOSCRIPT and
    # nothing would be applied twice whatever the operation ids (checked by giving the
    # retry a fresh operation id, which must then fail this test with a false conflict).
    own_redis_server.client().script_load(scripts.source("update"))

    def sleep_server():
        own_redis_server.client().execute_command("DEBUG", "SLEEP", "2")

    backend = counters.backend
    command = backend._command  # every single command the backend sends goes through it
    calls = []
    sleeper = threading.Thread(target=sleep_server)

    def script_behind_a_sleeping_server(*args):
        if args[0] == "EVALSHA":
            calls.append(1)
            if len(calls) == 1:
                sleeper.start()
                own_redis_server.wait_until_asleep()  # this write is now queued behind the sleep
        return command(*args)

    backend._command = script_behind_a_sleeping_server
    updated = counters.update(record["id"], {"value": 1}, expected_version=1)
    sleeper.join()
    assert len(calls) >= 2  # the reply really was lost and the write was sent again
    # The first attempt timed out and was retried; Redis ran every attempt, but the operation
    # id made all but the first a no-op: one version bump, no false conflict.
    assert updated["version"] == 2
    raw = own_redis_server.client()
    assert int(raw.get(f"{{{prefix}}}:counters:version")) == 2
    assert counters.get(record["id"])["version"] == 2


def test_loading_and_refused_connections_are_retried_then_reported(own_redis_server, prefix):
    counters = collection_on(own_redis_server, prefix)
    backend = counters.backend
    backend.client  # noqa: B018 - connected (mode detected) while the server is up
    own_redis_server.stop()
    attempts = []
    original = backend._command  # every single command the backend sends goes through it

    def counting(*args):
        attempts.append(args[0])
        return original(*args)

    backend._command = counting
    with pytest.raises(errors.StorageUnavailable):
        counters.get("counter_x")
    assert attempts == ["GET", "GET", "GET"]


def test_stale_memory_is_served_flagged_when_redis_is_down(own_redis_server, prefix):
    from storage.served import reset_stale, stale_served

    counters = Collection(
        COUNTERS, RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5), stale_reads=True
    )
    record = counters.create({"value": 7})
    counters.all()
    own_redis_server.kill()
    reset_stale()
    assert [r["value"] for r in counters.all()] == [7]
    assert counters.get(record["id"])["value"] == 7
    assert stale_served() is True
    strict = Collection(COUNTERS, counters.backend, stale_reads=False)
    with pytest.raises(errors.StorageUnavailable):
        strict.all()


def test_every_key_lives_under_the_prefix(redis_server, prefix):
    counters = collection_on(redis_server, prefix)
    created = counters.create({"value": 1})
    counters.update(created["id"], {"value": 2})
    counters.delete(created["id"])
    keys = redis_server.client().keys(f"*{prefix}*")
    assert keys and all(k.startswith(f"{{{prefix}}}:") for k in keys)


def test_every_redis_setting_reaches_the_backend(tmp_path):
    (ca := tmp_path / "ca.pem").write_text("")
    url = "redis+sentinel://:pw@h1:26379,h2:26379/main/0"
    settings = {"REDIS_URL": url, "KEY_PREFIX": "tenant", "SOCKET_TIMEOUT": 1.5, "CONNECT_TIMEOUT": 0.5}
    settings.update(REDIS_MODE="sentinel", REDIS_SSL_CERT_REQS="optional", REDIS_SSL_CA_CERTS=str(ca))
    settings.update(REDIS_SENTINEL_PASSWORD="s3cret", WAIT_REPLICAS=1, WAIT_TIMEOUT_MS=400)
    backend = RedisBackend.from_settings(settings)
    assert backend.options == ConnectOptions("sentinel", 1.5, 0.5, "optional", str(ca), "s3cret")
    assert (backend.url, backend.keys.root, backend.mode) == (url, "{tenant}", "sentinel")
    assert (backend.wait_replicas, backend.wait_timeout_ms) == (1, 400)


def test_the_redis_url_is_checked_at_startup():
    assert select_backend(redis_url="redis+sentinel://h:26379/main/0") == "redis"
    with pytest.raises(errors.ConfigurationError, match="^REDIS_URL must start with redis://"):
        select_backend(redis_url="http://h:6379")


def test_describe_shows_the_backend_its_url_and_the_mode_found(redis_server, prefix):
    backend = RedisBackend(redis_server.url, prefix)
    backend.ping()
    assert backend.describe() == {"backend": "redis", "target": redis_server.url, "mode": "standalone"}


def test_the_rate_counter_counts_reads_and_starts_at_zero(redis_server, prefix):
    backend = RedisBackend(redis_server.url, prefix)
    assert backend.counted("login") == 0 and backend.hits("login") == (0, 0)
    assert [backend.hit("login", 60)[0] for _ in range(2)] == [1, 2]
    count, left = backend.hits("login")
    assert backend.counted("login") == count == 2 and 0 < left <= 60


def test_a_write_is_durable_once_the_replica_acknowledges_it_and_never_a_success_without(
    own_redis_server, prefix, caplog
):
    replica = RedisServer("--replicaof", "127.0.0.1", str(own_redis_server.port)).start()
    try:
        wait_until(lambda: replica.client().info("replication")["master_link_status"] == "up", 20, "replica in sync")
        kept = collection_on(own_redis_server, prefix, wait_replicas=1, wait_timeout_ms=400).create({"value": 1})
    finally:
        replica.close()
    alone = collection_on(own_redis_server, prefix, wait_replicas=1, wait_timeout_ms=100)
    with pytest.raises(errors.WriteNotDurable) as raised:
        alone.create({"value": 2})
    assert str(raised.value).startswith("the write reached 0 of 1 replica(s) within 100 ms: it failed")
    logged = [(r.getMessage(), r.fields) for r in caplog.records if r.getMessage().startswith("Write ")]
    assert logged == [("Write create reached 0 of 1 replica(s) in 100 ms: reported as failed or unknown", {"acked": 0})]
    with pytest.raises(errors.VersionConflict):  # a refusal stays a refusal
        alone.update(kept["id"], {"value": 3}, expected_version=7)


WAIT_LIMITS = (
    "STORAGE_WAIT_REPLICAS must be >= 0 and STORAGE_WAIT_TIMEOUT_MS between 1 and the socket timeout (2000 ms), "
    "so that WAIT answers before the socket gives up"
)


def test_wait_settings_must_let_wait_answer_before_the_socket_gives_up():
    for replicas, timeout_ms in ((0, 0), (1, 1), (1, 1999)):
        RedisBackend("redis://h/0", "p", socket_timeout=2.0, wait_replicas=replicas, wait_timeout_ms=timeout_ms)
    for replicas, timeout_ms in ((-1, 1000), (1, 0), (1, 2000)):
        with pytest.raises(errors.ConfigurationError) as caught:
            RedisBackend("redis://h/0", "p", socket_timeout=2.0, wait_replicas=replicas, wait_timeout_ms=timeout_ms)
        assert str(caught.value) == WAIT_LIMITS
