"""The read side's promises, each on its own: a process's memory never hides another process's
write (the cache's version only advances over writes it saw), and a single-record read served
from memory is flagged stale by itself."""

import pytest

from storage import errors
from storage.backends.redis import RedisBackend
from storage.collection import Collection, CollectionSpec
from storage.served import reset_stale, stale_served
from tests.test_processes import run_worker

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


def test_a_single_record_read_from_memory_is_flagged_stale_on_its_own(own_redis_server, prefix):
    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    counters = Collection(COUNTERS, backend, stale_reads=True)
    record = counters.create({"value": 7})
    assert counters.get(record["id"])["value"] == 7  # memory knows the record (no list read)
    own_redis_server.kill()
    reset_stale()
    assert stale_served() is False
    assert counters.get(record["id"])["value"] == 7  # the last known copy...
    assert stale_served() is True  # ...flagged, by this get() alone
    reset_stale()
    with pytest.raises(errors.StorageUnavailable):
        counters.get("counter_unknown")  # nothing in memory: unavailable, not "not found"
    assert stale_served() is False


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
