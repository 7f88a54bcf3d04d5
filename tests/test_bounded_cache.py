"""A collection larger than STORAGE_CACHE_MAX_RECORDS is served from the backend's indexes: pages,
counts and reference filters never load the collection, memory stays bounded, and every answer is
as fresh as the collection version read in the same request — on every backend."""

import io
import json

import pytest

from clients.models import Client
from sessions_app.models import Session
from storage.cache import Snapshot
from storage.store import Store, get_store, set_store
from tests.test_storage_contract import CountingBackend, client_fields, session_fields

CAP = 5


@pytest.fixture
def small(store):
    """The contract store with a cache of CAP records per collection."""
    store.max_records = CAP
    return store


def make_clients(count, **extra):
    collection = get_store().collection("clients")
    return [collection.create(client_fields(f"Client {i:02d}", f"c{i}@example.org", **extra)) for i in range(count)]


def fresh_process(store, backend=None):
    """A second Store on the same data, as another worker would have (nothing cached)."""
    other = Store(backend or store.backend, stale_reads=store.stale_reads, max_records=store.max_records)
    set_store(other)
    return other


def ids(instances):
    return [i.pk for i in instances]


def test_a_page_of_a_large_collection_is_read_from_the_index_not_loaded(small):
    created = make_clients(12)
    fresh_process(small)
    newest = Client.objects.order_by("-created_at")
    assert newest.count() == 12
    assert ids(newest[:3]) == [c["id"] for c in reversed(created)][:3]
    assert ids(Client.objects.order_by("created_at")[4:7]) == [c["id"] for c in created[4:7]]
    clients = get_store().collection("clients")
    assert clients.cache.version is None  # never loaded whole
    assert len(clients.cache.records) <= CAP


def test_memory_stays_bounded_while_paging_through_everything(small):
    created = make_clients(23)
    fresh_process(small)
    seen = []
    for offset in range(0, 23, 4):
        seen += ids(Client.objects.order_by("created_at")[offset : offset + 4])
        assert len(get_store().collection("clients").cache.records) <= CAP
    assert seen == [c["id"] for c in created]


def test_a_reference_filter_reads_only_that_reference_set(small):
    clients = make_clients(8)
    sessions = get_store().collection("sessions")
    mine = [sessions.create(session_fields(clients[0]["id"], f"Mine {i}")) for i in range(3)]
    for i in range(7):
        sessions.create(session_fields(clients[1]["id"], f"Other {i}"))
    fresh_process(small)
    found = Session.objects.filter(client_id=clients[0]["id"]).order_by("title")
    assert found.count() == 3
    assert ids(found[0:10]) == [s["id"] for s in mine]
    assert get_store().collection("sessions").cache.version is None


def test_other_filters_and_orders_are_scanned_with_the_right_answer(small):
    created = make_clients(9)
    store = get_store().collection("clients")
    store.update(created[4]["id"], client_fields("Zoé", "c4@example.org", is_active=False))
    fresh_process(small)
    assert Client.objects.filter(is_active=False).count() == 1
    assert ids(Client.objects.filter(name__icontains="client 0")) == [c["id"] for c in created[:4]] + [
        c["id"] for c in created[5:]
    ]
    by_name = Client.objects.order_by("-name")
    assert ids(by_name[:2]) == [created[4]["id"], created[8]["id"]]
    assert Client.objects.filter(is_active=False).exists()


def test_a_page_is_never_older_than_the_version_read_in_the_same_request(small):
    make_clients(7)
    fresh_process(small)
    first = ids(Client.objects.order_by("-created_at")[:2])
    other = fresh_process(small)  # another worker writes
    added = other.collection("clients").create(client_fields("Newcomer", "new@example.org"))
    assert ids(Client.objects.order_by("-created_at")[:2]) == [added["id"], first[0]]
    assert Client.objects.count() == 8


def test_an_unchanged_page_costs_one_round_trip_and_a_changed_one_two(small):
    make_clients(8)
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    query = Client.objects.order_by("-created_at")
    query.count_and_slice(0, 3)  # warm
    counting.calls.clear()
    count, page = Client.objects.order_by("-created_at").count_and_slice(0, 3)
    assert (count, len(page)) == (8, 3)
    assert [name for name, *_ in counting.calls] == ["size"]
    get_store().collection("clients").create(client_fields("Late", "late@example.org"))
    counting.calls.clear()
    count, page = Client.objects.order_by("-created_at").count_and_slice(0, 3)
    assert count == 9 and page[0].name == "Late"
    assert [name for name, *_ in counting.calls] == ["size", "page"]


def test_a_collection_that_shrinks_back_under_the_cap_is_cached_again(small):
    created = make_clients(7)
    fresh_process(small)
    assert Client.objects.count() == 7
    clients = get_store().collection("clients")
    assert clients.cache.version is None
    for record in created[:3]:
        clients.delete(record["id"])
    assert Client.objects.count() == 4
    assert clients.cache.version is not None and len(clients.cache.ordered()) == 4


def test_a_collection_that_grows_past_the_cap_leaves_memory(small):
    make_clients(3)
    assert Client.objects.count() == 3
    clients = get_store().collection("clients")
    assert clients.cache.version is not None
    other = fresh_process(small)
    for i in range(5):
        other.collection("clients").create(client_fields(f"More {i}", f"m{i}@example.org"))
    set_store(small)
    assert Client.objects.count() == 8
    assert clients.cache.version is None and len(clients.cache.records) <= CAP


def test_counts_by_reference_on_a_large_collection_are_read_in_chunks(small):
    clients = make_clients(2)
    sessions = get_store().collection("sessions")
    for i in range(7):
        sessions.create(session_fields(clients[i % 2]["id"], f"S{i}"))
    fresh_process(small)
    assert Session.objects.counts_by("client") == {clients[0]["id"]: 4, clients[1]["id"]: 3}
    assert get_store().collection("sessions").cache.version is None


@pytest.mark.parametrize("reverse", [False, True])
def test_snapshot_windows_match_a_plain_tuple(reverse):
    rows = tuple(range(1300))
    snapshot = Snapshot([rows[:512], rows[512:1024], rows[1024:]])
    plain = tuple(reversed(rows)) if reverse else rows
    for start, stop in [(0, 50), (500, 530), (1020, 1030), (1290, 1400), (0, None), (1400, 1500)]:
        assert snapshot.window(start, stop, reverse=reverse) == plain[start:stop]
    assert snapshot == rows and list(snapshot) == list(rows) and snapshot[1023] == 1023


def test_when_redis_is_down_the_last_pages_served_are_served_again_flagged(own_redis_server, prefix, use_store):
    from storage.backends.redis import RedisBackend
    from storage.served import reset_stale, stale_served

    backend = RedisBackend(own_redis_server.url, prefix, socket_timeout=0.5, connect_timeout=0.5)
    store = use_store(backend, stale_reads=True)
    store.max_records = CAP
    make_clients(8)
    fresh_process(store)
    before = ids(Client.objects.order_by("-created_at")[:3])
    own_redis_server.kill()
    reset_stale()
    assert ids(Client.objects.order_by("-created_at")[:3]) == before
    assert stale_served() is True


def test_pages_and_reference_sets_are_read_in_one_script_on_a_cluster(redis_cluster, prefix, use_store):
    from storage.backends.redis import RedisBackend

    store = use_store(RedisBackend(redis_cluster.url, prefix))
    store.max_records = CAP
    clients = make_clients(7)
    sessions = get_store().collection("sessions")
    mine = sessions.create(session_fields(clients[2]["id"]))
    fresh_process(store)
    assert ids(Client.objects.order_by("-created_at")[:2]) == [clients[6]["id"], clients[5]["id"]]
    assert Client.objects.count() == 7
    assert ids(Session.objects.filter(client_id=clients[2]["id"])) == [mine["id"]]


def test_the_sort_index_serves_the_default_session_order(small):
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    starts = ["2026-12-03T09:00:00Z", "2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"] * 3
    made = [sessions.create(session_fields(client["id"], f"S{i}", starts_at=at)) for i, at in enumerate(starts)]
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    expected = [s["id"] for s in sorted(made, key=lambda s: (s["starts_at"], s["id"]))]
    assert ids(Session.objects.order_by("starts_at")[:4]) == expected[:4]
    assert ids(Session.objects.order_by("-starts_at")[:3]) == list(reversed(expected))[:3]
    assert "page" in [name for name, *_ in counting.calls]
    assert "get_many" not in [name for name, *_ in counting.calls]  # no scan


def test_build_indexes_upgrades_data_written_before_sort_indexes(small):
    from django.core.management import call_command

    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    made = [
        sessions.create(session_fields(client["id"], f"S{i}", starts_at=f"2026-12-0{9 - i}T09:00:00Z"))
        for i in range(7)
    ]
    forget_sort_index(small)  # as an older version left it: no sort index at all
    fresh_process(small)
    expected = [s["id"] for s in sorted(made, key=lambda s: s["starts_at"])]
    assert ids(Session.objects.order_by("starts_at")[:3]) == expected[:3]  # scanned, still right
    call_command("build_indexes", "--format", "json", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("build_indexes", stdout=io.StringIO(), stderr=io.StringIO())  # again: nothing to do
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    assert ids(Session.objects.order_by("starts_at")[:3]) == expected[:3]
    assert "page" in [name for name, *_ in counting.calls]


def test_an_interrupted_build_resumes_from_its_cursor(small):
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    for i in range(9):
        sessions.create(session_fields(client["id"], f"S{i}", starts_at=f"2026-12-0{i + 1}T09:00:00Z"))
    forget_sort_index(small)
    calls = []

    def stop_after_first(done, total):
        calls.append(done)
        if len(calls) == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sessions.build_sort_index("starts_at", chunk=4, progress=stop_after_first)
    assert small.backend.sort_progress("sessions", "starts_at") == (
        False,
        small.backend.sort_progress("sessions", "starts_at")[1],
    )
    assert small.backend.sort_progress("sessions", "starts_at")[1] is not None
    placed = sessions.build_sort_index("starts_at", chunk=4)
    assert placed == 5  # the 4 of the first chunk were not read again
    assert small.backend.sort_progress("sessions", "starts_at") == (True, None)


def forget_sort_index(store):
    """Remove the sessions sort index and its completion flag, as data written before it looks."""
    backend = store.backend
    if backend.name == "jsonfile":
        path = backend._path("sessions")
        state = json.loads(path.read_text())
        state.pop("sort", None), state.pop("sorted", None), state.pop("sortfill", None)
        path.write_text(json.dumps(state))
        return
    backend.call("DEL", backend.keys.sort("sessions", "starts_at"))
    backend.call("HDEL", backend.keys.meta(), "sorted:sessions:starts_at", "sortfill:sessions:starts_at")


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
    command_backend.pipeline([("SADD", by, *[d["id"] for d in docs])])
    page = command_backend.members("sessions", "client_id", "client_x")
    assert page.total == 2500 and None not in page.texts
    assert sorted(json.loads(t)["id"] for t in page.texts) == sorted(page.ids)


def test_the_sort_fill_places_only_records_still_at_their_planned_version(command_backend):
    raw_records(command_backend, "sessions", [{"id": "session_a", "version": 2}, {"id": "session_b", "version": 1}])
    sort = command_backend.keys.sort("sessions", "starts_at")
    command_backend.call("ZADD", sort, 5, "session_b")
    placed = command_backend.fill_sort(
        "sessions",
        "starts_at",
        [("session_a", 1, 10), ("session_b", 1, None), ("session_gone", 1, 20)],  # a is at 2 now
    )
    assert placed == 1
    assert command_backend.call("ZRANGE", sort, 0, -1) == []  # b has no starts_at: out; a: left to its writer


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
    Session.objects.filter(client_id=clients[0]["id"]).count_and_slice(0, 3)  # warm
    counting.calls.clear()
    count, page = Session.objects.filter(client_id=clients[0]["id"]).count_and_slice(0, 3)
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
