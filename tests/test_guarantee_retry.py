"""The one retry policy, observed on real servers: 3 attempts in all, progressive waits within
the jitter bounds (about 0.1 s then 0.3 s), and a real LOADING answer retried, reported as
unavailable, then served once Redis has loaded its data (redis and REST)."""

import subprocess
import time
import types

import backoff._sync
import pytest

from storage import errors, retry
from storage.backends.redis import RedisBackend
from storage.backends.rest import RestBackend
from storage.collection import Collection, CollectionSpec
from tests.conftest import need_redis_server
from tests.redis_server import RedisServer
from tests.upstash_server import UpstashServer

COUNTERS = CollectionSpec("counters", "counter", "Counter")
JITTER = (0.8, 1.2)
LOAD_DEADLINE = 120  # seconds for a loading Redis to come back (it takes about 3 s alone)


@pytest.fixture
def waits(monkeypatch):
    """The waits backoff asks for, recorded; each still really sleeps (time.sleep is called)."""
    asked = []

    def sleep(seconds):
        asked.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(backoff._sync, "time", types.SimpleNamespace(sleep=sleep))
    return asked


def check_policy(attempt_times, asked):
    assert len(attempt_times) == retry.MAX_ATTEMPTS == 3
    assert len(asked) == 2
    for wait, delay in zip(asked, (0.1, 0.3), strict=True):
        assert delay * JITTER[0] - 1e-9 <= wait <= delay * JITTER[1] + 1e-9, asked
    assert asked[1] > asked[0]  # progressive: the jitter bands do not overlap
    gaps = [b - a for a, b in zip(attempt_times, attempt_times[1:], strict=False)]
    for gap, wait in zip(gaps, asked, strict=True):
        assert gap >= wait  # the waits really happened between the attempts (load only adds)


def test_redis_three_attempts_with_progressive_jittered_waits(own_redis_server, prefix, waits):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    client = backend.client  # connected (mode known) while the server is up
    own_redis_server.stop()
    attempt_times, original = [], client.execute_command

    def timed(*args, **kwargs):
        attempt_times.append(time.monotonic())
        return original(*args, **kwargs)

    client.execute_command = timed
    with pytest.raises(errors.StorageUnavailable):
        backend.get("counters", "counter_x")
    check_policy(attempt_times, waits)


def test_rest_three_attempts_with_progressive_jittered_waits(rest_server, prefix, waits):
    backend = RestBackend(rest_server.url, rest_server.token, prefix)
    attempt_times, send = [], backend._send

    def timed(endpoint, body):
        attempt_times.append(time.monotonic())
        return send(endpoint, body)

    backend._send = timed
    rest_server.fail_next(503, {"error": "busy"}, times=3)
    try:
        with pytest.raises(errors.StorageUnavailable):
            backend.get("counters", "counter_x")
        check_policy(attempt_times, waits)
        assert rest_server.take_fault() is None  # exactly 3 requests took the 3 faults
    finally:
        backend.close()


def test_a_permanent_error_is_not_retried(redis_server, prefix, waits):
    backend = RedisBackend(redis_server.url, prefix)
    with pytest.raises(errors.CommandError):
        backend.call("NOSUCHCOMMAND")
    assert waits == []


# --- a real LOADING answer -------------------------------------------------------------------------
# redis-server 7.0 loading its RDB at startup answers clients only now and then (a reply can take
# seconds), so the storage calls use a long socket timeout and every attempt's outcome is recorded:
# each LOADING answer must be followed by another attempt (retried, never a CommandError), and the
# data must be served once loading ends.


@pytest.fixture
def loading_redis():
    """A redis-server that, once restarted, loads 20,000 keys of 1 kB at 150 us each (seconds)."""
    need_redis_server()
    server = RedisServer("--key-load-delay", "150", "--loading-process-events-interval-bytes", "1024").start()
    yield server
    server.close()


def restart_loading(server):
    server.client().execute_command("DEBUG", "POPULATE", "20000", "filler", "1000")
    server.client().save()
    server.kill()
    server.process = subprocess.Popen(server.args(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def recording(outcomes, call):
    def recorded(*args, **kwargs):
        try:
            result = call(*args, **kwargs)
        except Exception as exc:
            outcomes.append(str(exc))
            raise
        outcomes.append("answered")
        return result

    return recorded


@pytest.mark.parametrize("kind", ["redis", "rest"])
def test_a_real_loading_answer_is_retried_then_served_once_loaded(loading_redis, prefix, kind):
    rest = UpstashServer(loading_redis.port).start() if kind == "rest" else None
    if kind == "rest":
        backend = RestBackend(rest.url, rest.token, prefix, timeout=15, connect_timeout=15)
    else:
        backend = RedisBackend(loading_redis.url, prefix, socket_timeout=15, connect_timeout=15)
    counters = Collection(COUNTERS, backend)
    outcomes = []
    try:
        record = counters.create({"value": 5})
        if kind == "rest":
            backend._send = recording(outcomes, backend._send)
        else:
            backend.client.execute_command = recording(outcomes, backend.client.execute_command)
        restart_loading(loading_redis)
        deadline = time.monotonic() + LOAD_DEADLINE
        unavailable = 0
        while True:
            try:
                served = counters.get(record["id"])
                break
            except errors.StorageUnavailable:
                unavailable += 1  # 3 attempts failed: what the API answers with 503 + Retry-After
                assert time.monotonic() < deadline, "Redis never finished loading"
        loading = [i for i, o in enumerate(outcomes) if "LOADING" in o or "loading the dataset" in o]
        assert loading, f"no LOADING answer was seen: the test proves nothing ({outcomes})"
        assert all(i + 1 < len(outcomes) for i in loading)  # every LOADING answer was followed by an attempt
        assert outcomes[-1] == "answered"
        assert (served["value"], served["version"]) == (5, 1)  # the data back, served once loaded
        assert loading_redis.client().dbsize() > 20_000
    finally:
        backend.close()
        if rest is not None:
            rest.close()
