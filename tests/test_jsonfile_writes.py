"""The write path of the JSON backend (storage/backends/jsonfile_writes.py) where it must answer
and store what the Lua scripts do: contract tests, run on every backend, so they pin the scripts
too; then what only the JSON backend's own file format holds (a file from before sort indexes)."""

import json
import logging

import pytest

from storage import errors
from storage.backends import commands, jsonfile_writes
from storage.backends.base import WriteResult
from storage.collection import Collection, CollectionSpec
from storage.store import dependents_of
from tests.conftest import make_backend
from tests.hand_edits import drop_from_list_index, edit_file, rewrite_record
from tests.test_storage_contract import CLIENTS, client_fields, session_fields

PEOPLE = CollectionSpec("people", "person", "Person")
# The same meetings before and after the app declared guest_id a reference and starts_at a sort.
MEETINGS_BEFORE = CollectionSpec("meetings", "meeting", "Meeting", references={"host_id": "people"})
MEETINGS = CollectionSpec(
    "meetings", "meeting", "Meeting", references={"host_id": "people", "guest_id": "people"}, sorts=("starts_at",)
)
MORNING = "2026-12-01T09:00:00.000000Z"


def test_each_write_logs_its_own_version_and_only_the_dependents_it_took(store, clients, caplog):
    client = clients.create(client_fields(name="Ada"))  # connected: a connection line is out of the way
    caplog.set_level(logging.INFO, logger="storage")

    def logged(write):
        caplog.clear()
        answer = write()
        return answer, [(r.getMessage(), r.fields["version"]) for r in caplog.records]

    where, record_id = clients.where, client["id"]
    other, lines = logged(lambda: clients.create(client_fields(name="Bea")))
    assert lines == [(f"Client created and saved to {where}: {other['id']} - Bea", 1)]
    _, lines = logged(lambda: clients.update(record_id, client_fields(name="Ada L")))
    assert lines == [(f"Client updated and saved to {where}: {record_id} - Ada L", 2)]  # no " with 1 dependent"
    result, lines = logged(lambda: clients.delete(record_id, cascade=True))
    assert lines == [(f"Client deleted and saved to {where}: {record_id}", 0)]
    assert result == WriteResult(0, store.backend.version("clients"), 0, "")  # a delete has no creation time


def test_a_record_stored_without_version_or_created_at_updates_as_version_0(clients):
    """Written by hand or by an older tool: the scripts count a missing version as 0."""
    record = clients.create(client_fields(name="Hand-written"))

    def strip(doc):
        del doc["version"], doc["created_at"]

    rewrite_record(clients.backend, "clients", record["id"], strip)
    with pytest.raises(errors.VersionConflict) as conflict:
        clients.update(record["id"], client_fields(name="Stale"), expected_version=1)
    assert conflict.value.current == 0
    updated = clients.update(record["id"], client_fields(name="Counted"), expected_version=0)
    assert updated["version"] == 1 and updated["created_at"] == ""  # none invented
    assert clients.get(record["id"])["version"] == 1


def test_a_record_whose_stored_reference_is_not_text_updates_and_is_indexed_again(clients, sessions):
    client = clients.create(client_fields())
    session = sessions.create(session_fields(client["id"]))

    def garble(doc):
        doc["client_id"] = [client["id"]]  # a hand edit: no reference index can hold this value

    rewrite_record(sessions.backend, "sessions", session["id"], garble)
    sessions.update(session["id"], session_fields(client["id"], "Repaired"))
    assert sessions.get(session["id"])["client_id"] == client["id"]
    assert sessions.ids_by("client_id", client["id"]) == [session["id"]]


def test_a_record_missing_from_its_list_index_is_still_deleted(clients):
    kept, drifted = clients.create(client_fields(name="Kept")), clients.create(client_fields(name="Drifted"))
    drop_from_list_index(clients.backend, "clients", drifted["id"])
    clients.delete(drifted["id"])
    assert clients.get(drifted["id"]) is None
    assert clients.backend.snapshot_ids("clients")[1] == [kept["id"]]


def test_a_cascade_with_nothing_to_take_deletes_the_record_alone(clients, sessions):
    client = clients.create(client_fields())  # no session was ever stored: no sessions index at all
    assert clients.delete(client["id"], cascade=True).cascaded == 0
    assert clients.get(client["id"]) is None


def test_moving_one_of_two_sessions_keeps_the_other_in_its_client_s_index(clients, sessions):
    a, b = clients.create(client_fields(name="A")), clients.create(client_fields(name="B"))
    moved, stays = sessions.create(session_fields(a["id"])), sessions.create(session_fields(a["id"], "Stays"))
    sessions.update(moved["id"], session_fields(b["id"]))
    assert sessions.ids_by("client_id", a["id"]) == [stays["id"]]
    with pytest.raises(errors.DependentsExist) as caught:  # A still has a session: it is not deleted alone
        clients.delete(a["id"])
    assert caught.value.count == 1


def test_records_written_before_a_reference_and_a_sort_were_declared_update_and_cascade(store):
    backend = store.backend
    people = Collection(PEOPLE, backend, dependents=dependents_of("people", [PEOPLE, MEETINGS]))
    host, other_host, guest, new_guest = (people.create({"name": n}) for n in ("H", "O", "G", "N"))
    before = Collection(MEETINGS_BEFORE, backend)  # guest_id and starts_at are plain fields here
    for who in (host, other_host):
        before.create({"host_id": who["id"], "guest_id": guest["id"], "starts_at": MORNING})
    meetings = Collection(MEETINGS, backend)
    assert people.delete(host["id"], cascade=True).cascaded == 1  # no guest or sort index to clean yet
    (left,) = meetings.all()
    meetings.update(left["id"], {"host_id": other_host["id"], "guest_id": new_guest["id"], "starts_at": MORNING})
    assert backend.ids_by("meetings", "guest_id", new_guest["id"]) == [left["id"]]
    assert backend.page("meetings", 0, 10, sort="starts_at").ids == (left["id"],)


def test_the_change_log_keeps_its_bound_past_the_slack_and_floors_at_the_last_change_dropped(store, monkeypatch):
    monkeypatch.setattr(commands, "CHANGES_MAX", 3)
    monkeypatch.setattr(commands, "CHANGES_SLACK", 2)
    clients = Collection(CLIENTS, store.backend)
    ids = [f"client_{letter}" for letter in "fedcba"]  # ids in the reverse order of their changes
    for record_id in ids[:5]:
        clients.create(client_fields(), record_id=record_id)
    at_the_bound = store.backend.changes_since("clients", 0)
    assert (at_the_bound.floor, at_the_bound.ids) == (0, tuple(ids[:5]))  # max + slack: not trimmed yet
    clients.create(client_fields(), record_id=ids[5])
    past_it = store.backend.changes_since("clients", 0)
    assert (past_it.floor, past_it.ids) == (3, tuple(ids[3:]))  # back to max: the oldest three dropped


def test_the_first_record_keeps_a_sort_index_another_process_already_built(store):
    backend = store.backend
    backend.save_sort_progress("meetings", "ends_at", None, complete=True)  # built on the empty collection
    Collection(MEETINGS, backend).create({"starts_at": MORNING})
    assert backend.size("meetings", ("ends_at", "starts_at"))[2] == ("ends_at", "starts_at")


@pytest.fixture
def jsonfile_store(tmp_path, prefix, use_store):
    return use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))


def test_a_file_written_before_sort_indexes_cascades_and_takes_sorted_records(jsonfile_store):
    clients, sessions = jsonfile_store.collection("clients"), jsonfile_store.collection("sessions")
    gone, kept = clients.create(client_fields(name="Gone")), clients.create(client_fields(name="Kept"))
    sessions.create(session_fields(gone["id"]))

    def older_format(state):
        del state["sort"], state["sorted"]

    edit_file(jsonfile_store.backend, "sessions", older_format)
    assert clients.delete(gone["id"], cascade=True).cascaded == 1
    dated = sessions.create(session_fields(kept["id"]))
    assert jsonfile_store.backend.page("sessions", 0, 10, sort="starts_at").ids == (dated["id"],)


class Clock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


def test_an_operation_id_is_remembered_for_its_ttl_then_forgotten_and_dropped(jsonfile_store, monkeypatch):
    clock = Clock(1_000_000.0)
    monkeypatch.setattr(jsonfile_writes, "time", clock)
    backend, clients = jsonfile_store.backend, jsonfile_store.collection("clients")
    record = clients.create(client_fields())
    write = clients.build_write("update", record["id"], client_fields(name="Once"), updated_at=record["updated_at"])
    assert backend.write(write).record_version == 2
    clock.now += commands.OP_TTL_SECONDS - 1
    assert backend.write(write).record_version == 2  # a retry within the TTL: the first reply, applied once
    clock.now += 2
    assert backend.write(write).record_version == 3  # past it, forgotten as Redis expires the op key: a new write
    stored = json.loads((backend.dir / "clients.json").read_text(encoding="utf-8"))
    assert list(stored["ops"]) == [write.op_id]  # the expired ids (the create's too) left the file
