"""The one retry policy, observed on real servers: 3 attempts in all, progressive waits within
the jitter bounds (about 0.1 s then 0.3 s), and a real LOADING answer retried, reported as
unavailable, then served once Redis has loaded its data (redis and REST)."""

import time
import types

import backoff._sync
import pytest

from storage import errors, retry
from storage.backends.redis import RedisBackend
from storage.backends.rest import RestBackend
from storage.collection import Collection, CollectionSpec
from tests import loading
from tests.conftest import need_redis_server
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
    backend.client  # noqa: B018 - connected (mode known) while the server is up
    own_redis_server.stop()
    attempt_times, original = [], backend._command  # every single command goes through it

    def timed(*args):
        attempt_times.append(time.monotonic())
        return original(*args)

    backend._command = timed
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


class Flaky:
    """A primitive failing transiently `failures` times, then answering; wrapped by the policy at
    test time (the backends wrap theirs at import)."""

    def __init__(self, failures):
        self.failures, self.attempt_times = failures, []

    def call(self, name, key):
        """Answer GET key."""
        self.attempt_times.append(time.monotonic())
        if len(self.attempt_times) <= self.failures:
            raise errors.TransientError(f"down {len(self.attempt_times)}")
        return f"{name} {key}"


def test_the_policy_wraps_any_primitive_the_same_way(waits, caplog):
    flaky = Flaky(failures=3)
    call = retry.with_retry(Flaky.call)  # as the backends wrap their methods: self first
    assert (call.__name__, call.__doc__) == ("call", "Answer GET key.")
    with caplog.at_level("WARNING", logger="storage"):
        with pytest.raises(errors.StorageUnavailable, match="^down 3$") as raised:
            call(flaky, "GET", "k")
    assert isinstance(raised.value.__cause__, errors.TransientError)
    check_policy(flaky.attempt_times, waits)
    assert [r.getMessage() for r in caplog.records] == [
        "Retrying call GET (attempt 2/3) after: down 1",
        "Retrying call GET (attempt 3/3) after: down 2",
        "Giving up call GET after 3 attempts: down 3",
    ]
    assert [getattr(r, "fields", {}).get("attempt") for r in caplog.records[:2]] == [2, 3]


@pytest.mark.parametrize("end", [0, 1])
def test_the_jitter_spans_plus_or_minus_a_fifth_of_each_delay(waits, monkeypatch, end):
    # random.uniform pinned to one end of its range: the waits are exactly that end of each band
    asked = []
    monkeypatch.setattr(retry.random, "uniform", lambda a, b: asked.append((a, b)) or (a, b)[end])
    with pytest.raises(errors.StorageUnavailable):
        retry.with_retry(Flaky.call)(Flaky(failures=3), "GET", "k")
    assert asked == [JITTER, JITTER]
    assert waits == pytest.approx([delay * JITTER[end] for delay in retry.DELAYS])


def test_a_primitive_that_recovers_is_answered_and_a_key_alone_is_not_named(waits, caplog):
    flaky = Flaky(failures=1)

    def one(key):
        return flaky.call("GET", key)

    with caplog.at_level("WARNING", logger="storage"):
        assert retry.with_retry(Flaky.call)(flaky, "GET", key="k") == "GET k"
        flaky.attempt_times.clear()
        assert retry.with_retry(one)("k") == "GET k"
    assert len(waits) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "Retrying call GET (attempt 2/3) after: down 1",
        "Retrying one (attempt 2/3) after: down 1",
    ]


def test_a_permanent_error_is_not_retried(redis_server, prefix, waits):
    backend = RedisBackend(redis_server.url, prefix)
    with pytest.raises(errors.CommandError):
        backend.call("NOSUCHCOMMAND")
    assert waits == []


# --- a real LOADING answer -------------------------------------------------------------------------
# tests/loading.py holds a restarted redis-server in LOADING until the test ends the window, each
# LOADING answer coming within milliseconds: a call made inside the window meets LOADING on all
# three attempts (no timeout, no refused connection), and the data is served once the window ends.


@pytest.fixture
def loading_redis():
    need_redis_server()
    server = loading.loading_server()
    yield server
    server.close()


@pytest.mark.parametrize("kind", ["redis", "rest"])
def test_a_real_loading_answer_is_retried_then_unavailable_then_served_once_loaded(loading_redis, prefix, kind, waits):
    rest = UpstashServer(loading_redis.port).start() if kind == "rest" else None
    if kind == "rest":
        backend = RestBackend(rest.url, rest.token, prefix, timeout=5, connect_timeout=5)
    else:
        backend = RedisBackend(loading_redis.url, prefix, socket_timeout=5, connect_timeout=5)
    counters = Collection(COUNTERS, backend)
    try:
        record = counters.create({"value": 5})
        outcomes = loading.record_outcomes(backend)
        loading.restart_loading(loading_redis)
        with pytest.raises(errors.StorageUnavailable):  # drops the connections the restart broke
            counters.get(record["id"])
        outcomes.clear()
        waits.clear()
        with pytest.raises(errors.StorageUnavailable, match="LOADING|loading"):
            counters.get(record["id"])
        assert len(outcomes) == 3 and all(loading.is_loading(o) for o in outcomes), outcomes
        assert len(waits) == 2  # retried twice, with the policy's waits, then reported unavailable
        loading.finish_loading(loading_redis)
        served = counters.get(record["id"])
        assert outcomes[-1] == "answered"
        assert (served["value"], served["version"]) == (5, 1)  # the data back, served once loaded
        assert loading_redis.client().dbsize() > loading.KEYS  # the filler keys and ours, all loaded
    finally:
        backend.close()
        if rest is not None:
            rest.close()
