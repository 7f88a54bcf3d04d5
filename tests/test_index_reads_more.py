"""More index reads of a large collection: the chunked scan (one chunk a round trip, restarted when the
collection changes, given up after three tries), the records a page remembers, a reference set of an
invalid id, and the creation-index walk of the sort fill past ties at its cursor."""

import logging

import pytest

from clients.models import Client
from storage.cache import order_key
from storage.errors import StorageUnavailable
from storage.store import Store, get_store
from tests.conftest import make_backend
from tests.paged_edits import add_entry
from tests.test_bounded_cache import CAP, fresh_process, make_clients
from tests.test_index_reads import command_backend  # noqa: F401 (a fixture)
from tests.test_storage_contract import client_fields, session_fields


def chunk_recorder(most):
    """A scan's begin(): each visitor records the chunks it is shown (never more than `most` records)."""
    visitors = []

    def begin():
        chunks = []

        def visit(records):
            chunks.append([r["id"] for r in records])
            assert sum(map(len, chunks)) <= most, "a record was shown twice"

        visit.chunks = chunks
        visitors.append(visit)
        return visit

    return begin, visitors


def oldest_first(records):
    return sorted(records, key=order_key)


def test_a_scan_reads_one_chunk_per_round_trip_and_answers_at_the_version_it_read(small):
    created = [c["id"] for c in oldest_first(make_clients(5))]
    fresh_process(small)
    clients = get_store().collection("clients")
    for chunk, sizes in ((2, [2, 2, 1]), (5, [5]), (6, [5])):
        begin, visitors = chunk_recorder(5)
        version, visit = clients.scan(begin, chunk=chunk)
        assert (version, visitors) == (small.backend.version("clients"), [visit])
        assert [len(c) for c in visit.chunks] == sizes  # no empty read after the last chunk
        assert [i for c in visit.chunks for i in c] == created


def test_a_scan_that_sees_the_collection_change_starts_again_with_a_new_visitor(small, monkeypatch):
    created = make_clients(5)
    fresh_process(small)
    clients = get_store().collection("clients")
    read_page, writer = clients.page, Store(small.backend, max_records=CAP).collection("clients")

    def another_process_writes_once(*args, **kwargs):
        found = read_page(*args, **kwargs)
        if len(created) == 5:
            created.append(writer.create(client_fields("Late", "late@example.org")))
        return found

    monkeypatch.setattr(clients, "page", another_process_writes_once)
    begin, visitors = chunk_recorder(6)
    version, visit = clients.scan(begin, chunk=2)
    assert len(visitors) == 2 and visit is visitors[1]
    assert version == small.backend.version("clients") == 6
    assert [i for c in visit.chunks for i in c] == [c["id"] for c in oldest_first(created)]


def test_a_scan_of_a_collection_that_never_stops_changing_gives_up_after_three_tries(small, monkeypatch):
    make_clients(5)
    fresh_process(small)
    clients = get_store().collection("clients")
    read_page, writer = clients.page, Store(small.backend, max_records=CAP).collection("clients")

    def another_process_writes_each_time(*args, **kwargs):
        found = read_page(*args, **kwargs)
        writer.create(client_fields("Busy", ""))
        return found

    monkeypatch.setattr(clients, "page", another_process_writes_each_time)
    begin, visitors = chunk_recorder(100)
    with pytest.raises(StorageUnavailable, match=r"^clients kept changing while being read; try again$"):
        clients.scan(begin, chunk=2)
    assert len(visitors) == 3


def test_a_page_read_again_keeps_the_unchanged_record_objects_and_takes_the_changed_content(small):
    created = oldest_first(make_clients(8))
    fresh_process(small)
    clients = get_store().collection("clients")
    _, _, first = clients.page(0, 3)
    _, _, again = clients.page(0, 3)
    assert [r["id"] for r in again] == [c["id"] for c in created[:3]]
    assert all(a is b for a, b in zip(first, again, strict=True))  # what was built from them is kept
    Store(small.backend, max_records=CAP).collection("clients").update(
        created[1]["id"], client_fields("Renamed", "c1@example.org")
    )
    _, _, third = clients.page(0, 3)
    assert [r["name"] for r in third] == [created[0]["name"], "Renamed", created[2]["name"]]
    assert third[0] is first[0] and third[2] is first[2]
    assert all(clients.cache.records.get(r["id"]) is r for r in third)  # remembered for a stale read


@pytest.fixture(params=["redis", "fakeredis", "rest"])
def small_commands(request, prefix, use_store):
    """A store with a cache of CAP records on each backend that keeps records as texts (a JSON
    file holds records, not texts that might not parse)."""
    server = request.getfixturevalue("redis_server") if request.param == "redis" else None
    rest = request.getfixturevalue("rest_server") if request.param == "rest" else None
    store = use_store(make_backend(request.param, prefix, redis_server=server, rest_server=rest))
    store.max_records = CAP
    return store


def test_a_page_names_the_stored_record_it_could_not_parse(small_commands, caplog):
    small = small_commands
    created = oldest_first(make_clients(8))
    broken = created[1]["id"]
    small.backend.call("SET", small.backend.keys.record("clients", broken), "{not json")
    fresh_process(small)
    clients = get_store().collection("clients")
    caplog.set_level(logging.ERROR, logger="storage")
    _, _, page = clients.page(0, 3)
    assert [r["id"] for r in page] == [created[0]["id"], created[2]["id"]]
    assert clients.unparsable == {broken}
    assert [broken in r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [True]


def test_a_reference_set_of_an_invalid_id_is_empty_at_the_collection_version(small):
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    for i in range(3):
        sessions.create(session_fields(client["id"], f"S{i}"))
    fresh_process(small)
    found = get_store().collection("sessions").members("client_id", "not an id!")
    assert found == (small.backend.version("sessions"), ()) and found[0] == 3


def index_reads(backend, monkeypatch):
    """The count each read of the creation index asks for (at most 6, then a failure)."""
    counts, read = [], backend.read_script

    def counted(operation, keys, args):
        if operation == "after":
            counts.append(args[-1])
            assert len(counts) <= 6, "the walk does not end"
        return read(operation, keys, args)

    monkeypatch.setattr(backend, "read_script", counted)
    return counts


def index_entries(backend, form, entries):
    """Creation index entries (score, id) in the paged form, or in the previous layout's sorted set."""
    if form == "legacy":
        backend.call("ZADD", backend.keys.index("sessions"), *[x for entry in entries for x in entry])
    else:
        for score, record_id in entries:
            add_entry(backend, backend.keys.creation("sessions"), record_id, score)


@pytest.mark.parametrize("form", ["paged", "legacy"])
def test_the_index_walk_steps_over_ties_at_its_cursor_one_page_more_at_a_time(command_backend, monkeypatch, form):  # noqa: F811
    index_entries(command_backend, form, [(5, "a"), (5, "b"), (5, "c"), (5, "d"), (6, "f")])
    counts = index_reads(command_backend, monkeypatch)
    assert command_backend.index_after("sessions", 5, "d", 2) == [("f", 6)]
    assert counts == [2, 4, 6]
    counts.clear()
    assert command_backend.index_after("sessions", 5, "b", 2) == [("c", 5), ("d", 5)]
    assert counts == [2, 4]
    counts.clear()
    assert command_backend.index_after("sessions", -1, "", 3) == [("a", 5), ("b", 5), ("c", 5)]
    assert counts == [3]
    counts.clear()
    assert command_backend.index_after("sessions", float("-inf"), "", 9) == [(i, 5) for i in "abcd"] + [("f", 6)]


@pytest.mark.parametrize("form", ["paged", "legacy"])
def test_the_index_walk_ends_when_only_ties_already_seen_are_left(command_backend, monkeypatch, form):  # noqa: F811
    index_entries(command_backend, form, [(5, "a"), (5, "b"), (5, "c")])
    counts = index_reads(command_backend, monkeypatch)
    assert command_backend.index_after("sessions", 5, "c", 2) == []
    assert counts == [2, 4]
    counts.clear()
    assert command_backend.index_after("sessions", 5, "c", 3) == []
    assert counts == [3, 6]


def test_an_untouched_collection_is_at_version_zero_with_no_records(command_backend):  # noqa: F811
    assert command_backend.size("sessions") == (0, 0, ())
    assert command_backend.size("sessions", ("starts_at",)) == (0, 0, ())


def test_the_version_size_and_complete_sort_indexes_are_read_in_one_transaction(redis_server, prefix):
    from storage.backends.redis import RedisBackend

    backend = RedisBackend(redis_server.url, prefix)
    try:
        with backend.client.monitor() as monitor:
            assert backend.size("sessions", ("starts_at",)) == (0, 0, ())
            backend.ping()  # the end of what is watched
            seen = []
            while "HMGET" not in seen or seen[-1] != "PING":
                seen.append(monitor.next_command()["command"].split(" ")[0])
                assert len(seen) <= 20, seen
        assert seen[seen.index("HMGET") - 5 :] == ["MULTI", "GET", "EXISTS", "ZCARD", "GET", "HMGET", "EXEC", "PING"]
    finally:
        backend.close()


def test_a_page_read_again_after_one_change_parses_only_that_record_and_serves_it_new(small, monkeypatch):
    import storage.collection

    made = make_clients(8)
    fresh_process(small)
    first = [c.name for c in Client.objects.order_by("-created_at")[:4]]
    Store(small.backend, max_records=CAP).collection("clients").update(
        made[6]["id"], client_fields("Renamed", "c6@example.org")
    )
    parsed, parse = [], storage.collection.parse
    monkeypatch.setattr(storage.collection, "parse", lambda text: parsed.append(text) or parse(text))
    assert [c.name for c in Client.objects.order_by("-created_at")[:4]] == [first[0], "Renamed", *first[2:]]
    assert len(parsed) == 1 and '"Renamed"' in parsed[0]


def test_the_texts_a_page_keeps_to_skip_parsing_stay_within_their_bound(small, monkeypatch):
    monkeypatch.setattr("storage.index_reads.PAGE_TEXTS_KEPT", 3)
    make_clients(8)
    fresh_process(small)
    names = [c.name for c in Client.objects.order_by("created_at")[:8]]
    assert names == [f"Client {i:02d}" for i in range(8)]
    assert 0 < len(get_store().collection("clients").page_texts) <= 3


def test_a_record_whose_text_is_restored_after_failing_to_parse_is_served_and_no_longer_flagged(small_commands):
    small = small_commands
    created = oldest_first(make_clients(8))
    fresh_process(small)
    clients = get_store().collection("clients")
    target, key = created[1]["id"], small.backend.keys.record("clients", created[1]["id"])
    good = small.backend.call("GET", key)
    clients.page(0, 3)
    small.backend.call("SET", key, "{not json")
    _, _, broken = clients.page(0, 3)
    assert target not in [r["id"] for r in broken] and clients.unparsable == {target}
    small.backend.call("SET", key, good)  # the very text read before: not parsed again
    _, _, restored = clients.page(0, 3)
    assert [r["id"] for r in restored] == [c["id"] for c in created[:3]] and clients.unparsable == set()


def test_a_page_serves_the_copy_of_a_record_this_process_already_holds(small_commands):
    created = oldest_first(make_clients(8))
    fresh_process(small_commands)
    clients = get_store().collection("clients")
    held = clients.get(created[1]["id"])
    _, _, page = clients.page(0, 3)
    assert page[1] is held and clients.cache.records[held["id"]] is held
