"""The index reads of a large collection, at backend and model level: empty windows, reference sets
read whole and fresh, the sort fill's version check, Snapshot's sequence behaviour, and the round
trips of an unchanged reference-set query, the bounds of the results kept for them, and what a
collection that outgrows the cache says and serves (mutation testing found these unpinned)."""

import json
import logging
import threading

import pytest

from clients.models import Client
from sessions_app.models import Session
from storage.errors import StorageUnavailable
from storage.results import VersionedResults
from storage.snapshot import Snapshot
from storage.store import Store, get_store
from tests.test_bounded_cache import (
    CAP,
    HeldLoad,
    fresh_process,
    ids,
    list_page,
    make_clients,
    outgrown_on_own_redis,
    wait_until,
)
from tests.test_storage_contract import CountingBackend, client_fields, session_fields


def test_an_empty_window_reads_no_records(small):
    make_clients(3)
    backend = get_store().backend
    for reverse in (False, True):
        page = backend.page("clients", 0, 0, reverse)
        assert (page.total, page.ids) == (3, ())
    assert list(Client.objects.all()[0:0]) == []


def test_a_reference_set_read_again_after_another_process_wrote_has_the_new_record(small):
    clients = make_clients(8)
    sessions = get_store().collection("sessions")
    for i in range(7):
        sessions.create(session_fields(clients[0]["id"], f"Mine {i}"))
    fresh_process(small)
    assert Session.objects.filter(client_id=clients[0]["id"]).count() == 7
    writer = Store(small.backend, max_records=small.max_records).collection("sessions")
    added = writer.create(session_fields(clients[0]["id"], "Added elsewhere"))
    assert added["id"] in ids(Session.objects.filter(client_id=clients[0]["id"]))  # not a memo of the old set


@pytest.fixture(params=["redis", "rest"])
def command_backend(request, prefix):
    from tests.conftest import make_backend

    server = request.getfixturevalue("redis_server")
    rest = request.getfixturevalue("rest_server") if request.param == "rest" else None
    backend = make_backend(request.param, prefix, redis_server=server, rest_server=rest)
    yield backend
    backend.close()


def raw_records(backend, collection, docs):
    """Records written straight to Redis (a bulk load), each a {"id", "version", ...} document."""
    backend.pipeline([("SET", backend.keys.record(collection, d["id"]), json.dumps(d)) for d in docs])


def test_a_reference_set_larger_than_one_read_chunk_is_read_whole(command_backend):
    docs = [{"id": f"session_{i:05d}", "version": 1, "client_id": "client_x"} for i in range(2500)]
    raw_records(command_backend, "sessions", docs)
    by = command_backend.keys.by("sessions", "client_id", "client_x")
    command_backend.pipeline([("HSET", by, *[x for d in docs for x in (d["id"], "1")])])
    page = command_backend.members("sessions", "client_id", "client_x")
    assert page.total == 2500 and None not in page.texts
    assert sorted(json.loads(t)["id"] for t in page.texts) == sorted(page.ids)


def test_the_sort_fill_places_only_records_still_at_their_planned_version(command_backend):
    at_5ms = "1970-01-01T00:00:00.005000Z"
    raw_records(
        command_backend,
        "sessions",
        [{"id": "session_a", "version": 2}, {"id": "session_b", "version": 1, "starts_at": at_5ms}],
    )
    command_backend.fill_sort("sessions", "starts_at", [("session_b", 1, 5)])
    assert command_backend.page("sessions", 0, 5, sort="starts_at").ids == ("session_b",)
    placed = command_backend.fill_sort(
        "sessions",
        "starts_at",
        [("session_a", 1, 10), ("session_b", 1, None), ("session_gone", 1, 20)],  # a is at 2 now
    )
    assert placed == 1
    found = command_backend.page("sessions", 0, 5, sort="starts_at")
    assert found.ids == () and found.total == 0  # b planned without starts_at: out; a: left to its writer


def test_snapshot_slices_and_reversal_match_a_plain_tuple():
    rows = tuple(range(23))
    for cut in ((), (5,), (4, 9, 16), (1, 2, 3, 22)):
        bounds = (0, *cut, len(rows))
        snapshot = Snapshot([rows[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])
        assert tuple(reversed(snapshot)) == tuple(reversed(rows))
        for start in (None, 0, 3, 5, 9, 22, -4):
            for stop in (None, 0, 4, 5, 9, 16, 23, 30, -1):
                for step in (None, 1, 2, 3, -1, -2):
                    assert snapshot[start:stop:step] == rows[start:stop:step], (cut, start, stop, step)


def test_an_unchanged_reference_set_query_costs_one_round_trip(small):
    clients = make_clients(8)
    sessions = get_store().collection("sessions")
    for i in range(7):
        sessions.create(session_fields(clients[0]["id"], f"Mine {i}"))
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    get_store().collection("sessions").results.max_records = 100  # room for this query's count and page
    list_page(Session.objects.filter(client_id=clients[0]["id"]), 0, 3)  # warm
    counting.calls.clear()
    count, page = list_page(Session.objects.filter(client_id=clients[0]["id"]), 0, 3)
    assert (count, len(page)) == (7, 3)
    assert [name for name, *_ in counting.calls] == ["size"]  # memoised at the set's version


def test_snapshot_indexes_and_equality_are_those_of_a_sequence():
    rows = tuple(range(7))
    snapshot = Snapshot([rows[:3], rows[3:]])
    assert [snapshot[i] for i in range(-7, 7)] == [rows[i] for i in range(-7, 7)]
    for outside in (7, -8):
        with pytest.raises(IndexError):
            snapshot[outside]
    assert snapshot == rows and snapshot != rows[:6] and snapshot != (*rows[:6], 99)
    assert Snapshot([(1, 2)]) != (1, 3) and Snapshot([(1, 2)]) != (1, 2, 3)


def test_a_page_whose_read_fails_after_a_change_is_served_from_the_last_answer_flagged(
    own_redis_server, prefix, use_store, monkeypatch
):
    """Redis dies between the version check (which saw another process's write) and the page
    read: the last answer to the same query is served, flagged stale, rather than an error."""
    from storage.served import reset_stale, stale_served

    backend = outgrown_on_own_redis(own_redis_server, prefix, use_store)
    before = ids(Client.objects.order_by("-created_at")[:3])
    Store(backend, max_records=CAP).collection("clients").create(client_fields("Late", "late@example.org"))
    clients = get_store().collection("clients")
    clients.last_page = None  # no page comes with the version check: the page is a read of its own
    read_page = clients.page

    def redis_dies_then_page(*args, **kwargs):
        own_redis_server.kill()
        return read_page(*args, **kwargs)

    monkeypatch.setattr(clients, "page", redis_dies_then_page)
    reset_stale()
    assert ids(Client.objects.order_by("-created_at")[:3]) == before
    assert stale_served() is True


def test_results_are_kept_per_version_and_the_oldest_used_leaves_first():
    results = VersionedResults(size=2)
    results.put("a", 1, "a@1")
    results.put("b", 1, "b@1")
    assert (results.get("b", 1), results.get("a", 1), results.get("a", 2)) == ("b@1", "a@1", None)
    results.put("c", 1, "c@1")  # one too many: "b" was read less recently than "a"
    assert (results.get("a", 1), results.get("b", 1), results.get("c", 1)) == ("a@1", None, "c@1")
    # the latest result of each query is kept by when it was put: "a" first, so "a" leaves
    assert [results.last(k) for k in ("a", "b", "c", "never")] == [None, "b@1", "c@1", None]


def test_results_hold_at_most_half_their_records_bound_in_each_store_but_always_the_last():
    results = VersionedResults(max_records=12)  # 6 records for exact versions, 6 for the latest
    results.put("a", 1, "a", weight=3)
    results.put("b", 1, "b", weight=3)
    assert (results.get("a", 1), results.last("a"), results.get("b", 1)) == ("a", "a", "b")  # 6: within
    results.put("c", 1, "c", weight=4)  # 10: the oldest leave until it fits
    assert [results.get(k, 1) for k in "abc"] == [None, None, "c"]
    assert [results.last(k) for k in "abc"] == [None, None, "c"]
    results.put("d", 1, "d", weight=20)  # heavier than the bound alone: kept, the others leave
    assert (results.get("c", 1), results.get("d", 1), results.last("d")) == (None, "d", "d")


def test_an_empty_snapshot_slices_to_nothing():
    empty = Snapshot()
    assert empty[0:50] == () and empty.window(0, 50) == () and empty.window(0, 50, reverse=True) == ()
    assert len(empty) == 0 and list(empty) == []


def test_a_page_never_served_before_is_unavailable_not_stale_when_redis_is_down(own_redis_server, prefix, use_store):
    outgrown_on_own_redis(own_redis_server, prefix, use_store)
    ids(Client.objects.order_by("-created_at")[:3])
    own_redis_server.kill()
    with pytest.raises(StorageUnavailable):
        ids(Client.objects.order_by("-created_at")[3:6])


def test_a_collection_that_outgrows_the_cache_says_so_and_its_pages_survive_redis_going_down(
    own_redis_server, prefix, use_store, caplog
):
    from storage.backends.redis import RedisBackend
    from storage.served import reset_stale, stale_served

    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    store = use_store(backend, stale_reads=True)
    store.max_records = CAP
    make_clients(3)
    assert Client.objects.count() == 3  # cached whole
    more = Store(backend, max_records=CAP).collection("clients")  # another process
    added = [more.create(client_fields(f"More {i}", f"m{i}@example.org")) for i in range(5)]
    caplog.set_level(logging.WARNING, logger="storage")
    page = Client.objects.order_by("-created_at")
    assert page.count() == 8
    newest = ids(page[:3])
    assert newest == [c["id"] for c in reversed(added)][:3]
    assert page.version_seen() == 8  # what the list's ETag and response cache are keyed by
    assert [(r.levelname, r.getMessage(), r.fields) for r in caplog.records] == [
        (
            "WARNING",
            "Client collection holds 8 record(s), more than STORAGE_CACHE_MAX_RECORDS=5: its lists are read from "
            "Redis's indexes",
            {"collection": "clients", "count": 8},
        )
    ]
    own_redis_server.kill()
    reset_stale()
    assert ids(Client.objects.order_by("-created_at")[:3]) == newest
    assert stale_served() is True


def test_a_cache_behind_a_trimmed_change_log_reloads_and_past_the_cap_counts_and_versions_from_redis(
    redis_server, prefix, use_store, caplog
):
    from storage.backends.redis import RedisBackend

    backend = RedisBackend(redis_server.url, prefix)
    store = use_store(backend)
    store.max_records = CAP
    created = make_clients(3)
    assert Client.objects.count() == 3  # cached whole, at version 3
    more = Store(backend, max_records=CAP).collection("clients")  # another process
    added = [more.create(client_fields(f"More {i}", f"m{i}@example.org")) for i in range(5)]
    more.update(created[0]["id"], client_fields("Renamed", "c0@example.org"))  # version 9, 8 records
    backend.call("HSET", backend.keys.meta(), "floor:clients", 9)  # the changes since 3 were trimmed
    caplog.set_level(logging.WARNING, logger="storage")
    newest = Client.objects.order_by("-created_at")
    assert newest.count() == 8
    assert ids(newest[:2]) == [added[4]["id"], added[3]["id"]]
    assert newest.version_seen() == 9  # what the list's ETag and response cache are keyed by
    assert [(r.getMessage(), r.fields) for r in caplog.records] == [
        (
            "Client collection holds 8 record(s), more than STORAGE_CACHE_MAX_RECORDS=5: its lists are read from "
            "Redis's indexes",
            {"collection": "clients", "count": 8},
        )
    ]


def test_a_cold_collection_loading_in_the_background_counts_and_versions_its_lists_as_read(store):
    created = make_clients(7)
    get_store().collection("clients").update(created[0]["id"], client_fields("Renamed", "c0@example.org"))
    held = HeldLoad(store.backend, threading.Event())
    fresh_process(store, held)
    clients = get_store().collection("clients")
    clients.warm_from = 5
    try:
        newest = Client.objects.order_by("-created_at")
        assert newest.count() == 7
        assert ids(newest[:2]) == [created[6]["id"], created[5]["id"]]
        assert newest.version_seen() == 8  # not its size
    finally:
        held.release.set()
    wait_until(lambda: clients.cache.version is not None)  # the load ends before the backend closes


def test_a_cache_exactly_at_the_change_log_floor_catches_up_from_the_log(redis_server, prefix, use_store):
    from storage.backends.redis import RedisBackend

    backend = RedisBackend(redis_server.url, prefix)
    counting = CountingBackend(backend)
    use_store(counting)
    make_clients(2)
    assert Client.objects.count() == 2  # cached whole, at version 2
    backend.call("HSET", backend.keys.meta(), "floor:clients", 2)  # the changes up to 2 were trimmed
    added = Store(backend).collection("clients").create(client_fields("Late", "late@example.org"))
    counting.calls.clear()
    assert ids(Client.objects.order_by("-created_at")[:1]) == [added["id"]]
    assert "snapshot_ids" not in [name for name, _ in counting.calls]  # no reload
