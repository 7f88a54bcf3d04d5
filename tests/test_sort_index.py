"""Sort indexes: a large collection's list in a declared order (sessions by starts_at) is one page
script on its ZSET, kept by every write; data written before the index existed is upgraded by
build_indexes (idempotent, resumable) and scanned, with the same answer, until then."""

import io
import json
import logging

import pytest

from sessions_app.models import Session
from storage.cache import epoch_ms
from storage.store import get_store
from tests.hand_edits import drop_paged_index, store_record
from tests.test_bounded_cache import fresh_process, ids, make_clients
from tests.test_storage_contract import CountingBackend, session_fields


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
    drop_paged_index(backend, backend.keys.order("sessions", "starts_at"))
    backend.call("HDEL", backend.keys.meta(), "ordered:sessions:starts_at", "orderfill:sessions:starts_at")


def test_a_page_in_a_declared_order_reads_that_order_s_index_not_a_scan(small):
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    made = [
        sessions.create(session_fields(client["id"], f"S{i}", starts_at=f"2026-12-0{9 - i}T09:00:00Z"))
        for i in range(7)
    ]
    counting = CountingBackend(small.backend)
    fresh_process(small, counting)
    assert ids(Session.objects.order_by("starts_at")[:2]) == [made[6]["id"], made[5]["id"]]
    assert [args for name, args in counting.calls if name == "page"] == [("sessions", 0, 2, False, "starts_at")]


def test_a_build_reports_its_progress_chunk_by_chunk_and_says_what_it_placed(small, caplog, monkeypatch):
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    for i in range(9):
        sessions.create(session_fields(client["id"], f"S{i}", starts_at=f"2026-12-0{i + 1}T09:00:00Z"))
    forget_sort_index(small)
    calls, batches, walk = [], [], sessions.backend.index_after

    def read_batch(*args):
        batches.append(len(found := walk(*args)))
        return found

    monkeypatch.setattr(sessions.backend, "index_after", read_batch)
    caplog.set_level(logging.INFO, logger="storage")
    assert sessions.build_sort_index("starts_at", chunk=4, progress=lambda *seen: calls.append(seen)) == 9
    assert len(calls) >= 3 and batches[-1] == 0  # one call per chunk read, up to the empty one
    assert calls == [(sum(batches[: n + 1]), 9) for n in range(len(calls))] and calls[-1] == (9, 9)
    assert [(r.getMessage(), r.fields) for r in caplog.records if r.levelname == "INFO"] == [
        (
            f"Session sort index on starts_at built in {sessions.where}: 9 record(s) placed",
            {"collection": "sessions", "count": 9},
        )
    ]
    reported = list(calls)
    assert sessions.build_sort_index("starts_at", chunk=4, progress=lambda *seen: calls.append(seen)) == 0
    assert calls == reported  # complete: nothing read again


def test_a_build_on_a_field_with_no_sort_index_is_refused_naming_it(small):
    with pytest.raises(ValueError, match=r"^sessions has no sort index on 'title'$"):
        get_store().collection("sessions").build_sort_index("title")


def test_a_build_places_records_stored_without_a_start_or_a_version_without_failing(small):
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    made = [sessions.create(session_fields(client["id"], f"S{i}")) for i in range(3)]
    store_record(small.backend, "sessions", {k: v for k, v in made[0].items() if k != "starts_at"})
    store_record(small.backend, "sessions", {k: v for k, v in made[1].items() if k != "version"})
    forget_sort_index(small)
    assert sessions.build_sort_index("starts_at", chunk=2) == 3  # a record without a version is at version 0
    assert small.backend.sort_progress("sessions", "starts_at") == (True, None)


def test_a_build_places_records_imported_with_a_creation_time_before_1970(small):
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    moon = session_fields(client["id"], "Moon", starts_at="2026-12-09T09:00:00Z")
    old = sessions.create(moon, created_at="1969-07-20T20:17:00Z")
    for i in range(6):
        sessions.create(session_fields(client["id"], f"S{i}", starts_at=f"2026-12-0{i + 1}T09:00:00Z"))
    forget_sort_index(small)
    assert sessions.build_sort_index("starts_at") == 7
    fresh_process(small)
    assert ids(Session.objects.order_by("-starts_at")[:1]) == [old["id"]]  # from the complete sort index


@pytest.fixture(params=["redis", "rest"])
def command_store(request):
    """The backends that speak Redis commands (the JSON files never had the previous layout)."""
    return request.getfixturevalue(f"{request.param}_store")


def test_a_sort_index_of_the_previous_layout_is_replaced_by_the_build(command_store):
    """Data written before the paged sort index: one sorted set (`…:sort:starts_at`) and its flag.
    The paged index is not trusted until `build_indexes` fills it; the build then removes the old
    set and flags."""
    backend = command_store.backend
    client = make_clients(1)[0]
    sessions = get_store().collection("sessions")
    made = [
        sessions.create(session_fields(client["id"], f"S{i}", starts_at=f"2026-12-0{9 - i}T09:00:00Z"))
        for i in range(5)
    ]
    forget_sort_index(command_store)
    old = backend.keys.sort("sessions", "starts_at")
    backend.call("ZADD", old, *[x for s in made for x in (epoch_ms(s["starts_at"]), s["id"])])
    backend.call("HSET", backend.keys.meta(), "sorted:sessions:starts_at", "1", "sortfill:sessions:starts_at", "0:x")
    assert backend.size("sessions", ("starts_at",))[2] == ()  # the old flag says nothing of the new index
    from django.core.management import call_command

    call_command("build_indexes", stdout=io.StringIO(), stderr=io.StringIO())
    assert backend.size("sessions", ("starts_at",))[2] == ("starts_at",)
    assert backend.page("sessions", 0, 10, sort="starts_at").ids == tuple(s["id"] for s in reversed(made))
    assert backend.call("EXISTS", old) == 0
    assert backend.call("HMGET", backend.keys.meta(), "sorted:sessions:starts_at", "sortfill:sessions:starts_at") == [
        None,
        None,
    ]
