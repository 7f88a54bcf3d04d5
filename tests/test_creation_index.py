"""The creation index (a collection's list order, count and load cursor) is a paged index
(storage/scripts/pages.lua): pages of at most 120 entries that Redis keeps compact. Data of the
previous layout (one sorted set per collection) is read as it is, kept by the writes, and moved into
the paged index by `manage.py build_indexes` (idempotent, resumable), which then removes it."""

import io
import random

import pytest
from django.core.management import call_command

from clients.models import Client
from diagnostics import checks, integrity
from storage.cache import epoch_ms
from storage.keys import CREATION_ORDER
from storage.store import get_store
from tests.hand_edits import drop_paged_index, rewrite_record
from tests.paged_edits import add_entry, entry_ids, harness
from tests.test_bounded_cache import fresh_process, ids, make_clients
from tests.test_index_reads import command_backend  # noqa: F401 (a fixture)
from tests.test_index_reads_more import index_reads
from tests.test_storage_contract import session_fields


@pytest.fixture(params=["redis", "rest"])
def command_store(request):
    store = request.getfixturevalue(f"{request.param}_store")
    store.max_records = 4  # lists outgrow the cache: they are read from the index
    return store


def in_creation_order(records):
    return [r["id"] for r in sorted(records, key=lambda r: (epoch_ms(r["created_at"]), r["id"]))]


def to_previous_layout(backend, collection):
    """The creation index as an older version left it: one sorted set id -> created ms, no pages."""
    entries = backend.index_after(collection, float("-inf"), "", 100_000)
    drop_paged_index(backend, backend.keys.creation(collection))
    backend.call("ZADD", backend.keys.index(collection), *[x for i, score in entries for x in (score, i)])
    return entries


def creation_walk(backend, collection, chunk):
    found, cursor = [], (float("-inf"), "")
    while batch := backend.index_after(collection, cursor[0], cursor[1], chunk):
        found += batch
        cursor = (batch[-1][1], batch[-1][0])
    return found


def test_the_creation_index_is_kept_in_compact_pages(redis_store, redis_server):
    backend = redis_store.backend
    made = make_clients(300)
    base = backend.keys.creation("clients")
    pages = harness(redis_server.client(), base)("pages")
    assert len(pages) >= 3 and all(size <= 120 and encoding == "listpack" for size, encoding in pages)
    assert entry_ids(redis_server.client(), base) == in_creation_order(made)
    assert backend.call("EXISTS", backend.keys.index("clients")) == 0
    assert backend.count("clients") == 300 and backend.snapshot_ids("clients")[1] == in_creation_order(made)
    get_store().collection("clients").delete(made[150]["id"])
    assert backend.count("clients") == 299
    assert made[150]["id"] not in entry_ids(redis_server.client(), base)


def test_a_walk_of_the_index_in_chunks_sees_every_entry_once_in_order_across_pages_and_ties(command_backend):  # noqa: F811
    rng = random.Random(7)
    entries = {f"id{i:03d}{rng.choice('abc')}": rng.randrange(0, 40) for i in range(400)}  # many ties
    client = command_backend
    base = command_backend.keys.creation("sessions")
    for record_id, score in rng.sample(sorted(entries.items()), len(entries)):
        add_entry(client, base, record_id, score)
    expected = sorted(((i, s) for i, s in entries.items()), key=lambda e: (e[1], e[0]))
    for chunk in (1, 7, 120, 500):
        assert creation_walk(command_backend, "sessions", chunk) == expected
    for start in rng.sample(range(len(expected)), 10):
        record_id, score = expected[start]
        after = command_backend.index_after("sessions", score, record_id, 5)  # up to 5: the next ones
        assert after == expected[start + 1 : start + 1 + len(after)] and (after or start == len(expected) - 1)


def test_data_of_the_previous_layout_is_read_and_written_until_the_build_moves_it(command_store):
    backend = command_store.backend
    made = make_clients(9)
    client = made[0]
    sessions = get_store().collection("sessions")
    made_sessions = [sessions.create(session_fields(client["id"], f"S{i}")) for i in range(6)]
    to_previous_layout(backend, "clients"), to_previous_layout(backend, "sessions")
    legacy = backend.keys.index("clients")

    fresh_process(command_store)
    expected = in_creation_order(made)
    assert Client.objects.count() == 9 and ids(Client.objects.all()[:5]) == expected[:5]
    assert ids(Client.objects.order_by("-created_at")[:3]) == expected[::-1][:3]
    assert backend.snapshot_ids("clients")[1] == expected
    assert [i for i, _ in creation_walk(backend, "clients", 4)] == expected
    seen = []
    get_store().collection("clients").scan(lambda: seen.clear() or seen.extend, chunk=4)  # pages and their size
    assert [r["id"] for r in seen] == expected

    # writes keep both forms meanwhile
    clients = get_store().collection("clients")
    added = clients.create({"name": "Late", "email": "late@example.org"})
    clients.delete(made[3]["id"])
    expected = [i for i in expected if i != made[3]["id"]] + [added["id"]]
    assert backend.call("ZRANGE", legacy, 0, -1) == expected
    assert ids(Client.objects.all()[:20]) == expected and Client.objects.count() == 9
    sessions.delete(made_sessions[0]["id"])  # a dependent's entry too, when its client goes with them
    clients.delete(client["id"], cascade=True)
    expected.remove(client["id"])
    assert backend.count("sessions") == 0 and backend.call("ZCARD", backend.keys.index("sessions")) == 0
    assert ids(Client.objects.all()[:20]) == expected  # the page read again with the size, in one trip

    health = checks.run_checks([checks.DataInRedis()])[0]
    assert health.status == checks.WARNING and "clients.created_at" in health.message
    assert "build_indexes" in health.message

    err = io.StringIO()
    call_command("build_indexes", stdout=io.StringIO(), stderr=err)
    assert "clients.created_at: 8/8 record(s) read" in err.getvalue()
    assert backend.call("EXISTS", legacy) == 0
    assert backend.sort_progress("clients", CREATION_ORDER) == (True, None)
    fresh_process(command_store)
    assert ids(Client.objects.all()[:20]) == expected and Client.objects.count() == 8
    assert backend.snapshot_ids("clients")[1] == expected
    assert checks.run_checks([checks.DataInRedis()])[0].status == checks.PASSED
    call_command("build_indexes", stdout=io.StringIO(), stderr=io.StringIO())  # again: nothing to do
    assert ids(Client.objects.all()[:20]) == expected


def test_an_interrupted_move_resumes_and_places_records_updated_meanwhile(command_store, monkeypatch):
    backend = command_store.backend
    made = make_clients(10)
    to_previous_layout(backend, "clients")
    clients = get_store().collection("clients")
    seen = []

    def stop_after_first(done, total):
        seen.append(done)
        if len(seen) == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        clients.build_sort_index(CREATION_ORDER, chunk=4, progress=stop_after_first)
    complete, cursor = backend.sort_progress("clients", CREATION_ORDER)
    assert not complete and cursor is not None
    fill = backend.fill_sort

    def updated_meanwhile(collection, field, entries):
        for record_id, _, _ in entries:  # a newer version than the one the build read
            clients.update(record_id, {"name": "Renamed", "email": f"{record_id.lower()}@example.org"})
        return fill(collection, field, entries)

    monkeypatch.setattr(backend, "fill_sort", updated_meanwhile)
    assert clients.build_sort_index(CREATION_ORDER, chunk=4) == 6  # the first 4 were not read again
    assert backend.call("EXISTS", backend.keys.index("clients")) == 0
    assert backend.snapshot_ids("clients")[1] == in_creation_order(made)


def test_a_record_whose_creation_time_the_script_cannot_read_still_leaves_the_index(command_store):
    backend = command_store.backend
    made = make_clients(3)
    rewrite_record(backend, "clients", made[1]["id"], lambda doc: doc.update(created_at="the day before"))
    get_store().collection("clients").delete(made[1]["id"])
    assert backend.snapshot_ids("clients")[1] == in_creation_order([made[0], made[2]])
    assert backend.count("clients") == 2


def test_a_cursor_deep_in_the_paged_index_is_answered_in_one_read_from_its_page(command_backend, monkeypatch):  # noqa: F811
    base = command_backend.keys.creation("sessions")
    for i in range(500):
        add_entry(command_backend, base, f"id{i:03d}", 1000 + i)
    counts = index_reads(command_backend, monkeypatch)
    for at in (300, 118, 119, 357, 359):  # within a page, and at its end (the next page read on)
        counts.clear()
        after = command_backend.index_after("sessions", 1000 + at, f"id{at:03d}", 5)  # 5 read from its score on
        assert after == [(f"id{i:03d}", 1000 + i) for i in range(at + 1, at + 5)]
        assert counts == [5]  # the pages before the cursor's are not read


def test_a_record_that_does_not_parse_keeps_its_place_when_the_build_moves_the_index(command_store):
    backend = command_store.backend
    made = make_clients(3)
    backend.call("SET", backend.keys.record("clients", "client_junk"), "not json")
    add_entry(backend, backend.keys.creation("clients"), "client_junk", epoch_ms(made[1]["created_at"]))
    to_previous_layout(backend, "clients")
    call_command("build_indexes", stdout=io.StringIO(), stderr=io.StringIO())
    assert backend.call("EXISTS", backend.keys.index("clients")) == 0
    junk = {"id": "client_junk", "created_at": made[1]["created_at"]}
    assert backend.snapshot_ids("clients")[1] == in_creation_order([*made, junk])


def test_a_repair_reindexes_a_record_in_the_previous_layout_s_creation_index_too(command_store):
    backend = command_store.backend
    made = make_clients(3)
    to_previous_layout(backend, "clients")
    backend.call("ZREM", backend.keys.index("clients"), made[1]["id"])
    inspection = integrity.inspect(get_store())
    assert [p.kind for p in inspection.problems] == ["record_not_indexed"]
    assert [a["result"] for a in integrity.repair(get_store(), inspection)] == ["applied"]
    assert backend.call("ZRANGE", backend.keys.index("clients"), 0, -1) == in_creation_order(made)
    assert backend.snapshot_ids("clients")[1] == in_creation_order(made)
