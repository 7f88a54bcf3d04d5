"""The read side's promises, each on its own: a process's memory never hides another process's
write (the cache's version only advances over writes it saw), a single-record read served from
memory is flagged stale by itself, a stale read says so in a critical log line, and a cold
collection's background load is waited for, bounded, retried and never holds the process."""

import logging
import threading
import time

import pytest

from storage import collection as collection_module
from storage import errors
from storage.backends.redis import RedisBackend
from storage.collection import Collection, CollectionSpec
from storage.served import reset_stale, stale_served
from tests.test_processes import run_worker
from tests.test_storage_contract import CountingBackend

COUNTERS = CollectionSpec("counters", "counter", "Counter")


def ids(collection):
    return {r["id"] for r in collection.all()}


def test_another_process_write_between_our_list_and_our_write_is_never_hidden(redis_server, prefix):
    """A has listed (memory warm), B (another OS process) writes, A writes, A lists: B's record is
    there, now and after further writes by A, exactly as a cold reader sees the collection."""
    a = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    first = a.create({"value": 0})
    assert ids(a) == {first["id"]}  # A's memory is warm, at collection version 1
    (theirs,) = run_worker(redis_server.url, prefix, "create", "1").split()  # B: version 2
    ours = a.create({"value": 1})  # version 3: A must not take its memory to 3 without B's record
    assert ids(a) == {first["id"], theirs, ours["id"]}
    later = [a.create({"value": n})["id"] for n in (2, 3)]
    a.update(ours["id"], {"value": 11})
    expected = {first["id"], theirs, ours["id"], *later}
    assert ids(a) == expected
    assert ids(Collection(COUNTERS, RedisBackend(redis_server.url, prefix))) == expected  # a cold reader agrees


def test_a_single_record_read_from_memory_is_flagged_stale_on_its_own(own_redis_server, prefix, caplog):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    counters = Collection(COUNTERS, backend, stale_reads=True)
    record = counters.create({"value": 7})
    assert counters.get(record["id"])["value"] == 7  # memory knows the record (no list read)
    own_redis_server.kill()
    reset_stale()
    assert stale_served() is False
    caplog.set_level(logging.WARNING, logger="storage")
    assert counters.get(record["id"])["value"] == 7  # the last known copy...
    assert stale_served() is True  # ...flagged, by this get() alone
    assert caplog.records[-1].levelname == "CRITICAL" and "Connection refused" in caplog.records[-1].getMessage()
    reset_stale()
    with pytest.raises(errors.StorageUnavailable):
        counters.get("counter_unknown")  # nothing in memory: unavailable, not "not found"
    assert stale_served() is False
    line = caplog.records[-1]
    assert line.levelname == "ERROR" and "Connection refused" in line.getMessage()
    assert line.getMessage().startswith("Error reading counters counter_unknown from Redis: ")


def test_a_cold_collection_redis_cannot_answer_is_unavailable_even_with_stale_reads(own_redis_server, prefix):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    Collection(COUNTERS, backend).create({"value": 1})
    cold = Collection(COUNTERS, backend, stale_reads=True)
    own_redis_server.kill()
    reset_stale()
    with pytest.raises(errors.StorageUnavailable):
        cold.all()  # no memory to fall back on
    assert stale_served() is False and cold.serving_stale is False


def test_a_record_found_unparsable_is_never_served_stale_afterwards(own_redis_server, prefix):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    counters = Collection(COUNTERS, backend, stale_reads=True)
    record = counters.create({"value": 7})
    assert counters.get(record["id"])["value"] == 7  # in memory
    backend.call("SET", backend.keys.record("counters", record["id"]), "not json")  # damaged by hand
    with pytest.raises(errors.UnparsableRecord):
        counters.get(record["id"])
    own_redis_server.kill()
    with pytest.raises(errors.StorageUnavailable):
        counters.get(record["id"])  # not the copy memory held before


def test_a_record_found_gone_is_never_served_stale_afterwards(own_redis_server, prefix):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    counters = Collection(COUNTERS, backend, stale_reads=True)
    record = counters.create({"value": 7})
    kept = counters.create({"value": 8})
    assert len(counters.all()) == 2  # memory holds both, in list order
    Collection(COUNTERS, RedisBackend(own_redis_server.url, prefix)).delete(record["id"])  # another process
    assert counters.get(record["id"]) is None  # found gone...
    assert record["id"] not in counters.memory()[1]
    other = counters.create({"value": 9})
    Collection(COUNTERS, RedisBackend(own_redis_server.url, prefix)).delete(other["id"])
    with pytest.raises(errors.NotFound):
        counters.update(other["id"], {"value": 10})  # found gone by a write this time
    assert other["id"] not in counters.memory()[1]
    own_redis_server.kill()
    with pytest.raises(errors.StorageUnavailable):
        counters.get(record["id"])  # ...so not served from memory once Redis is down
    assert counters.get(kept["id"])["value"] == 8


def test_a_record_deleted_and_created_again_under_its_id_elsewhere_is_served_anew(redis_server, prefix):
    a = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    b = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    record = a.create({"value": 1})
    assert ids(a) == {record["id"]}  # warm, at version 1 of the record
    b.delete(record["id"])
    again = b.create({"value": 2}, record_id=record["id"], created_at=record["created_at"])  # an import
    assert again["version"] == 1
    assert [r["value"] for r in a.all()] == [2]  # same id, same version number: still the new record
    assert a.get(record["id"])["value"] == 2


def test_require_answers_the_record_or_says_which_one_is_not_found(redis_server, prefix):
    counters = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    record = counters.create({"value": 3})
    assert counters.require(record["id"])["value"] == 3
    with pytest.raises(errors.NotFound, match="^counters 'counter_gone' not found$") as raised:
        counters.require("counter_gone")
    assert (raised.value.collection, raised.value.record_id) == ("counters", "counter_gone")


def test_a_list_served_from_stale_memory_is_one_critical_line_and_shows_in_health(own_redis_server, prefix, caplog):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    counters = Collection(COUNTERS, backend, stale_reads=True)
    assert counters.serving_stale is False  # nothing read yet
    record = counters.create({"value": 7})
    assert ids(counters) == {record["id"]} and counters.serving_stale is False
    own_redis_server.kill()
    caplog.set_level(logging.WARNING, logger="storage")
    caplog.clear()
    assert ids(counters) == {record["id"]}
    assert counters.serving_stale is True  # what health reports
    line = caplog.records[-1]  # after the retries' lines
    message = line.getMessage()
    assert line.levelname == "CRITICAL" and line.fields == {"collection": "counters"}
    assert message.startswith("CRITICAL: cannot read counters from Redis (") and "Connection refused" in message
    assert message.endswith("); serving the last known memory state, which may be stale")


def test_without_stale_reads_a_list_redis_cannot_answer_is_an_error_line_and_unavailable(
    own_redis_server, prefix, caplog
):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    counters = Collection(COUNTERS, backend)
    counters.create({"value": 7})
    assert len(counters.all()) == 1
    own_redis_server.kill()
    caplog.set_level(logging.WARNING, logger="storage")
    with pytest.raises(errors.StorageUnavailable):
        counters.all()
    line = caplog.records[-1]  # after the retries' lines
    assert line.levelname == "ERROR" and line.getMessage().startswith("Error reading counters from Redis: ")
    assert "Connection refused" in line.getMessage() and counters.serving_stale is False


def last_line(caplog):
    line = caplog.records[-1]  # after a new connection's own line
    return line.levelname, line.getMessage(), line.fields


def test_a_collection_of_exactly_the_cache_bound_is_held_in_memory_and_says_how_it_loads(redis_server, prefix, caplog):
    writer = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    created = [writer.create({"value": n})["id"] for n in range(2)]
    reader = Collection(COUNTERS, RedisBackend(redis_server.url, prefix), max_records=3)
    caplog.set_level(logging.INFO, logger="storage")
    assert ids(reader) == set(created)
    assert last_line(caplog) == (
        "INFO",
        "Counter records reloaded from Redis: 2 record(s)",
        {"collection": "counters", "count": 2, "version": 2},
    )
    created.append(writer.create({"value": 2})["id"])
    assert ids(reader) == set(created)  # caught up to the bound: still in memory
    assert last_line(caplog) == (
        "INFO",
        "Counter cache refreshed from Redis: 1 change(s)",
        {"collection": "counters", "changed": 1, "version": 3},
    )
    cold = Collection(COUNTERS, RedisBackend(redis_server.url, prefix), max_records=3)
    assert ids(cold) == set(created)  # loaded at the bound: in memory too
    assert last_line(caplog)[1] == "Counter records reloaded from Redis: 3 record(s)"
    writer.create({"value": 3})
    assert reader.all() is None and cold.all() is None  # one more: served from the indexes


class HeldLoads(CountingBackend):
    """Whole-collection loads that wait for `release` (the first only, with first_only), or fail
    while `failing` is set; `loading` is set when one starts."""

    def __init__(self, backend, first_only=False, failing=False):
        super().__init__(backend)
        self.release, self.loading, self.first_only = threading.Event(), threading.Event(), first_only
        self.failing = failing

    def snapshot_ids(self, collection):
        self._starting("snapshot_ids", collection)
        return self.backend.snapshot_ids(collection)

    def index_after(self, collection, score, *cursor):
        if score == float("-inf"):  # the first chunk
            self._starting("index_after", collection)
        return self.backend.index_after(collection, score, *cursor)

    def _starting(self, name, collection):
        """A load reads the ids first: all at once (snapshot_ids) or by chunks from the start of
        the creation index (index_after, the background load)."""
        loads = loads_in(self.calls)
        self.calls.append((name, (collection,)))
        self.loading.set()
        if self.failing:
            self.failing = False
            raise errors.StorageUnavailable("the connection went away")
        if not (self.first_only and loads):
            self.release.wait(10)


def loads_in(calls):
    return sum(name in ("snapshot_ids", "index_after") for name, _ in calls)


def cold(redis_server, prefix, **held):
    """A cold reader of 3 records, as many as it loads in the background from, on a HeldLoads backend."""
    writer = Collection(COUNTERS, RedisBackend(redis_server.url, prefix))
    created = {writer.create({"value": n})["id"] for n in range(3)}
    backend = HeldLoads(RedisBackend(redis_server.url, prefix), **held)
    reader = Collection(COUNTERS, backend)
    reader.warm_from = 3
    return reader, backend, created


def wait_until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_list_that_needs_the_cold_collection_waits_for_the_one_background_load(redis_server, prefix):
    reader, backend, created = cold(redis_server, prefix)
    before = {t for t in threading.enumerate() if not t.daemon}
    try:
        assert reader.all(wait=False) is None  # loading in the background
        assert backend.loading.wait(10)
        assert not {t for t in threading.enumerate() if not t.daemon} - before  # never holds the process at exit
        threading.Timer(0.3, backend.release.set).start()
        assert ids(reader) == created  # all() waits by default...
    finally:
        backend.release.set()
    assert loads_in(backend.calls) == 1  # ...for that load, not another


def test_the_wait_for_a_background_load_is_bounded_then_the_request_loads(redis_server, prefix, monkeypatch):
    monkeypatch.setattr(collection_module, "LOAD_WAIT_SECONDS", 0.2)
    reader, backend, created = cold(redis_server, prefix, first_only=True)
    try:
        assert reader.all(wait=False) is None and backend.loading.wait(10)
        started = time.monotonic()
        assert ids(reader) == created
        assert time.monotonic() - started < 5
    finally:
        backend.release.set()


def test_a_failed_background_load_is_logged_and_the_next_request_loads_again(redis_server, prefix, caplog):
    caplog.set_level(logging.ERROR, logger="storage")
    reader, backend, created = cold(redis_server, prefix, first_only=True, failing=True)
    backend.release.set()
    assert reader.all(wait=False) is None

    def logged():
        return [(r.getMessage(), r.fields) for r in caplog.records if r.levelno >= logging.ERROR]

    wait_until(logged)
    assert logged() == [
        ("Error loading counters from Redis in the background: the connection went away", {"collection": "counters"})
    ]
    wait_until(lambda: reader.all(wait=False) is not None)  # a later request starts the load again
    assert ids(reader) == created
