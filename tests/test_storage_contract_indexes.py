"""The index reads of the backend contract, on every backend: the creation order of a snapshot,
indexes nothing was written to yet, a record missing under its index entry, and filling a sort
index for data written before it existed."""

import json

from storage.backends.base import Page
from tests.hand_edits import drop_record_text
from tests.test_sort_index import forget_sort_index
from tests.test_storage_contract import client_fields, session_fields


def test_a_snapshot_lists_ids_in_creation_order_not_in_id_order(clients):
    clients.create(client_fields(name="Later"), record_id="client_A", created_at="2021-01-01T00:00:00.000000Z")
    clients.create(client_fields(name="Earlier"), record_id="client_B", created_at="2020-01-01T00:00:00.000000Z")
    assert clients.backend.snapshot_ids("clients") == (2, ["client_B", "client_A"])


def test_indexes_nothing_was_written_to_yet_read_empty(store):
    backend = store.backend
    assert backend.ids_by("sessions", "client_id", "client_A") == []
    assert backend.members("sessions", "client_id", "client_A") == Page(0, 0, (), ())
    assert backend.owner("clients", "email", "jeanne@example.com") == Page(0, 0, (), ())
    assert backend.page("sessions", 0, 10, sort="starts_at") == Page(0, 0, (), ())


def test_a_sort_index_that_data_written_before_it_lacks_reads_empty(store, clients, sessions):
    client = clients.create(client_fields())
    sessions.create(session_fields(client["id"]))
    forget_sort_index(store)
    assert sessions.backend.page("sessions", 0, 10, sort="starts_at") == Page(1, 0, (), ())


def test_the_change_log_of_a_new_collection_is_complete_from_its_first_write(clients):
    created = clients.create(client_fields())
    changes = clients.backend.changes_since("clients", 0)
    assert (changes.version, changes.floor, changes.ids) == (1, 0, (created["id"],))


def test_a_value_no_record_has_reads_empty_beside_values_that_have_records(clients, sessions):
    client = clients.create(client_fields(email="jeanne@example.com"))
    sessions.create(session_fields(client["id"]))
    backend = clients.backend  # each collection at its first write: version 1
    assert backend.ids_by("sessions", "client_id", "client_NONE") == []
    assert backend.members("sessions", "client_id", "client_NONE") == Page(1, 0, (), ())
    assert backend.owner("clients", "email", "nobody@example.com") == Page(1, 0, (), ())


def test_a_record_missing_under_its_index_entry_reads_as_none_beside_the_others(clients):
    kept, lost = (clients.create(client_fields(name=name)) for name in ("Kept", "Lost"))
    drop_record_text(clients.backend, "clients", lost["id"])
    found = clients.backend.page("clients", 0, 10)
    assert (found.total, found.ids) == (2, (kept["id"], lost["id"]))
    assert json.loads(found.texts[0])["name"] == "Kept" and found.texts[1] is None


def sort_page_ids(backend):
    return backend.page("sessions", 0, 10, sort="starts_at").ids


def test_filling_a_sort_index_skips_entries_of_an_older_version_or_a_missing_record(clients, sessions):
    client = clients.create(client_fields())
    first = sessions.create(session_fields(client["id"], "First", starts_at="2026-12-01T09:00:00Z"))
    second = sessions.create(session_fields(client["id"], "Second", starts_at="2026-12-02T09:00:00Z"))
    sessions.update(first["id"], session_fields(client["id"], "First again", starts_at="2026-12-01T09:00:00Z"))
    backend = sessions.backend
    far = 4_000_000_000_000  # a score after every other: where a stale entry would move `first`
    assert backend.fill_sort("sessions", "starts_at", [(first["id"], 1, far), ("session_GONE", 1, far)]) == 0
    assert sort_page_ids(backend) == (first["id"], second["id"])
    assert backend.fill_sort("sessions", "starts_at", [(first["id"], 2, far)]) == 1
    assert sort_page_ids(backend) == (second["id"], first["id"])


def test_filling_a_sort_index_with_no_score_takes_the_record_out_of_it(clients, sessions):
    client = clients.create(client_fields())
    kept = sessions.create(session_fields(client["id"], "Kept"))
    blank = sessions.create(session_fields(client["id"], "Blank"))
    assert sessions.backend.fill_sort("sessions", "starts_at", [(blank["id"], 1, None)]) == 1
    assert sort_page_ids(sessions.backend) == (kept["id"],)


def test_a_sort_index_built_on_an_empty_collection_is_complete(sessions):
    assert sessions.backend.sort_progress("sessions", "starts_at") == (False, None)
    assert sessions.build_sort_index("starts_at") == 0
    assert sessions.backend.sort_progress("sessions", "starts_at") == (True, None)


def test_completing_the_build_of_a_sort_index_added_later_keeps_the_others_complete(clients, sessions):
    client = clients.create(client_fields())
    sessions.create(session_fields(client["id"]))  # born with its starts_at index: complete
    backend = sessions.backend
    backend.save_sort_progress("sessions", "ends_at", ("0", "session_X"))
    assert backend.size("sessions", ("starts_at", "ends_at")) == (1, 1, ("starts_at",))
    backend.save_sort_progress("sessions", "ends_at", None, complete=True)
    assert backend.size("sessions", ("starts_at", "ends_at")) == (1, 1, ("starts_at", "ends_at"))
    assert backend.sort_progress("sessions", "ends_at") == (True, None)


def test_the_size_check_brings_the_page_only_when_the_version_is_not_the_one_known(clients, sessions):
    client = clients.create(client_fields())
    for title in ("A", "B", "C", "D", "E"):
        sessions.create(session_fields(client["id"], title))
    backend = sessions.backend
    version, size, ready = backend.size("sessions", ("starts_at",))
    assert backend.size_and_page("sessions", ("starts_at",), version, 0, 2) == (version, size, ready, None)
    for reverse, sort in ((False, None), (True, None), (False, "starts_at"), (True, "starts_at")):
        found = backend.size_and_page("sessions", ("starts_at",), version - 1, 1, 2, reverse, sort)
        assert found == (version, size, ready, backend.page("sessions", 1, 2, reverse, sort))
        assert len(found[3].ids) == 2
    assert backend.size_and_page("sessions", ("starts_at",), None, 0, 0) == (version, size, ready, None)


def test_a_page_read_with_texts_held_from_an_earlier_read_is_the_page_and_changed_texts_come_afresh(clients, sessions):
    client = clients.create(client_fields())
    made = [sessions.create(session_fields(client["id"], title)) for title in ("A", "B", "C", "D")]
    backend = sessions.backend
    before = backend.page("sessions", 0, 4)
    held = (before.version, dict(zip(before.ids, before.texts, strict=True)))
    sessions.update(made[1]["id"], session_fields(client["id"], "B changed"))
    found = backend.size_and_page("sessions", ("starts_at",), before.version, 0, 4, False, None, held)[3]
    assert found == backend.page("sessions", 0, 4)
    assert [json.loads(text)["title"] for text in found.texts] == ["A", "B changed", "C", "D"]
