"""Network faults between the storage layer and a real Redis, injected by tests/fault_proxy.py."""

import threading
import time

import pytest

from storage import errors
from storage.backends.redis import RedisBackend
from storage.collection import Collection, CollectionSpec
from tests.fault_proxy import FAULTS, SLACK, FaultProxy, failure_bound

COUNTERS = CollectionSpec("counters", "counter", "Counter")
TIMEOUT = 0.3
FAILURE_BOUND = failure_bound(TIMEOUT)


@pytest.fixture
def proxy(redis_server):
    proxy = FaultProxy(redis_server.port)
    yield proxy
    proxy.close()


def counters_via(proxy, prefix):
    url = f"redis://127.0.0.1:{proxy.port}/0"
    return Collection(COUNTERS, RedisBackend(url, prefix, socket_timeout=TIMEOUT, connect_timeout=TIMEOUT))


def attempt(operation):
    started = time.monotonic()
    try:
        operation()
        outcome = "ok"
    except errors.StorageUnavailable:
        outcome = "unavailable"
    return outcome, time.monotonic() - started


@pytest.mark.parametrize(("name", "fault"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_fails_fast_or_succeeds_and_recovers_by_itself(proxy, prefix, name, fault):
    counters = counters_via(proxy, prefix)
    record = counters.create({"value": 0})
    counters.all()
    proxy.set_mode(**fault)
    outcomes = []
    for operation in (
        lambda: counters.get(record["id"]),
        lambda: counters.update(record["id"], {"value": 1}),
        lambda: counters.create({"value": 2}),
        lambda: counters.all(),
    ):
        outcome, elapsed = attempt(operation)  # anything but ok / StorageUnavailable fails here
        assert elapsed < FAILURE_BOUND + SLACK, f"{name}: took {elapsed:.2f}s"
        outcomes.append(outcome)
    if name == "latency_below_timeout":
        assert outcomes == ["ok"] * 4
    elif name != "close_after_bytes":
        assert outcomes == ["unavailable"] * 4

    proxy.set_mode("pass")
    ended = time.monotonic()
    recovered = None
    while time.monotonic() - ended < 5:
        if attempt(lambda: counters.get(record["id"]))[0] == "ok":
            recovered = time.monotonic() - ended
            break
    assert recovered is not None and recovered < 1.0 + SLACK, f"{name}: no recovery"
    # whatever happened during the fault, the record is coherent: one version per applied update
    final = counters.get(record["id"])
    assert final["version"] in (1, 2) and final["value"] == final["version"] - 1


def test_no_reply_reaches_the_wrong_caller_when_connections_break_mid_reply(proxy, prefix):
    counters = counters_via(proxy, prefix)
    records = [counters.create({"value": i}) for i in range(6)]
    wrong = []
    answered = []

    def reader(record):
        for i in range(40):
            try:
                got = counters.get(record["id"])
                if got is None or got["id"] != record["id"]:
                    wrong.append((record["id"], got))
                updated = counters.update(record["id"], {"value": 1000 + i})
                if updated["id"] != record["id"]:
                    wrong.append((record["id"], updated))
                answered.append(1)
            except errors.StorageUnavailable:
                pass

    threads = [threading.Thread(target=reader, args=(r,)) for r in records]
    for thread in threads:
        thread.start()
    for limit in (3, 17, 40, 5, 64, 9):
        proxy.set_mode("close_after", limit=limit)
        time.sleep(0.1)
        proxy.set_mode("pass")
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    assert wrong == []
    assert answered  # the readers did get through between the faults
