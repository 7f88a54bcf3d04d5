"""Writes in one round trip: update and delete send one script call that reads the stored record
itself (version, created_at, old unique and reference values); nothing reads it in Python first."""

import json

import pytest

from storage import errors
from storage.cache import epoch_ms, thaw
from storage.collection import Collection, CollectionSpec
from storage.document import document, head
from storage.jsontext import dumps
from storage.store import dependents_of
from tests.diag_helpers import unique_entries
from tests.hand_edits import add_reference_member
from tests.paged_edits import add_entry

from .test_storage_contract import client_fields, session_fields

READS = ("get", "get_many", "version", "snapshot_ids", "changes_since", "count", "ids_by")
TRANSPORT = ("call", "pipeline", "evalsha")


def spy(monkeypatch, backend):
    """Every backend primitive and transport call made from now on, by name."""
    calls = []
    for name in (*READS, "write", *TRANSPORT):
        method = getattr(backend, name, None)
        if method is None:
            continue

        def counted(*args, _name=name, _method=method, **kwargs):
            calls.append(_name)
            return _method(*args, **kwargs)

        monkeypatch.setattr(backend, name, counted)
    return calls


def test_an_update_is_one_write_and_no_read(clients, monkeypatch):
    record = clients.create(client_fields(email="a@example.org"))
    calls = spy(monkeypatch, clients.backend)
    updated = clients.update(record["id"], client_fields(name="Renamed", email="b@example.org"), expected_version=1)
    assert [c for c in calls if c in READS or c == "write"] == ["write"]
    assert calls.count("evalsha") <= 1 and "call" not in calls and "pipeline" not in calls
    assert updated["version"] == 2 and updated["created_at"] == record["created_at"]
    assert dict(clients.get(record["id"])) == dict(updated)


def test_a_delete_is_one_write_and_no_read(clients, sessions, monkeypatch):
    client = clients.create(client_fields(email="a@example.org"))
    sessions.create(session_fields(client["id"]))
    calls = spy(monkeypatch, clients.backend)
    result = clients.delete(client["id"], cascade=True)
    assert [c for c in calls if c in READS or c == "write"] == ["write"]
    assert calls.count("evalsha") <= 1 and "call" not in calls and "pipeline" not in calls
    assert result.cascaded == 1 and clients.get(client["id"]) is None


def test_without_an_expected_version_the_last_writer_wins_in_the_script(clients):
    record = clients.create(client_fields())
    other = Collection(clients.spec, clients.backend)
    other.update(record["id"], client_fields(name="Other"))
    updated = clients.update(record["id"], client_fields(name="Mine"))  # clients never saw version 2
    assert updated["version"] == 3 and clients.get(record["id"])["name"] == "Mine"
    with pytest.raises(errors.VersionConflict):
        clients.update(record["id"], client_fields(name="Stale"), expected_version=2)


def test_old_unique_and_reference_values_come_from_the_stored_record(clients, sessions):
    a = clients.create(client_fields(email="A@Example.org"))
    b = clients.create(client_fields(name="B"))
    session = sessions.create(session_fields(a["id"]))
    clients.update(a["id"], client_fields(email="new@example.org"))
    clients.create(client_fields(name="Takes the old email", email="a@example.org"))  # released
    sessions.update(session["id"], session_fields(b["id"]))
    assert clients.backend.ids_by("sessions", "client_id", a["id"]) == []
    assert clients.backend.ids_by("sessions", "client_id", b["id"]) == [session["id"]]
    with pytest.raises(errors.UniqueViolation):
        clients.create(client_fields(email="NEW@example.org"))


def test_a_stored_unique_value_only_python_can_normalise_is_released(clients):
    # casefold() is not ASCII lower-casing: the script asks Python for the stored value's form.
    record = clients.create(client_fields(email="STRASSE.Ä@Example.org"))
    clients.update(record["id"], client_fields(email="other@example.org"))
    clients.create(client_fields(name="Now free", email="strasse.ä@example.org"))
    second = clients.create(client_fields(name="Second", email="ÉCOLE@example.org"))
    clients.delete(second["id"])
    assert clients.create(client_fields(name="Free again", email="école@example.org"))["version"] == 1


@pytest.mark.parametrize("stored", ["", None, "ÉCOLE@example.org"])
def test_the_script_finds_the_stored_unique_value_without_asking_python(clients, monkeypatch, stored):
    # empty / null: nothing indexed; unchanged: the new value's own form, whatever Lua can't lower-case
    record = clients.create(client_fields(email=stored))
    calls = spy(monkeypatch, clients.backend)
    new = "ÉCOLE@example.org" if stored else "new@example.org"
    clients.update(record["id"], client_fields(name="Renamed", email=new))
    assert [c for c in calls if c in READS or c == "write"] == ["write"]  # one trip: nothing asked


def test_a_unique_value_cleared_to_null_is_released(clients):
    record = clients.create(client_fields(email="XXXX"))
    clients.update(record["id"], client_fields(email=None))
    assert clients.create(client_fields(name="Takes it", email="xxxx"))["version"] == 1


def test_an_old_unique_entry_naming_another_record_is_left_to_it(redis_store):
    clients = redis_store.collection("clients")
    backend = redis_store.backend
    a = clients.create(client_fields(email="a@example.org"))
    b = clients.create(client_fields(name="B", email="b@example.org"))
    unique = backend.keys.unique_bucket("clients", "email", "a@example.org")
    backend.client.hset(unique, "a@example.org", b["id"])  # an index that already disagrees
    clients.update(a["id"], client_fields(email="moved@example.org"))
    assert backend.client.hget(unique, "a@example.org") == b["id"]  # not ours to free
    moved = backend.keys.unique_bucket("clients", "email", "moved@example.org")
    assert backend.client.hget(moved, "moved@example.org") == a["id"]


def test_sort_indexes_follow_deletes_and_a_new_collection_is_born_sorted(store):
    backend = store.backend
    clients, sessions = store.collection("clients"), store.collection("sessions")

    def in_start_order():
        return backend.page("sessions", 0, 10, sort="starts_at").ids

    client = clients.create(client_fields())
    first = sessions.create(session_fields(client["id"]))
    assert backend.size("sessions", ("starts_at",))[2] == ("starts_at",)  # complete from birth
    second = sessions.create(session_fields(client["id"], starts_at="2026-12-02T10:00:00.000000Z"))
    assert in_start_order() == (first["id"], second["id"])
    sessions.delete(first["id"])
    assert in_start_order() == (second["id"],)
    undated = sessions.create(session_fields(client["id"], starts_at=None))  # not in the sort index
    assert in_start_order() == (second["id"],)
    # the list index is in creation order
    assert backend.index_after("sessions", 0, "", 10) == [
        (second["id"], epoch_ms(second["created_at"])),
        (undated["id"], epoch_ms(undated["created_at"])),
    ]
    assert clients.delete(client["id"], cascade=True).cascaded == 2  # the undated one too
    assert backend.page("sessions", 0, 10, sort="starts_at").total == 0


PEOPLE = CollectionSpec("people", "person", "Person")
MEETINGS = CollectionSpec("meetings", "meeting", "Meeting", references={"host_id": "people", "guest_id": "people"})


def test_a_cascade_removes_each_dependent_from_every_index_it_was_in(store):
    """A dependent found through one reference leaves its other reference's set too (when it has
    one), its record, its list index and the change log (so every cache notices); one dependent
    alone already blocks a delete without cascade; a set member whose record is gone goes too."""
    backend = store.backend
    people = Collection(PEOPLE, backend, dependents=dependents_of("people", [PEOPLE, MEETINGS]))
    meetings = Collection(MEETINGS, backend)
    host, guest = people.create({"name": "Host"}), people.create({"name": "Guest"})
    meeting = meetings.create({"host_id": host["id"], "guest_id": guest["id"]})
    assert [m["id"] for m in meetings.all()] == [meeting["id"]]  # a warm cache of the dependents
    with pytest.raises(errors.DependentsExist) as caught:
        people.delete(host["id"])
    assert caught.value.count == 1
    solo = meetings.create({"host_id": host["id"], "guest_id": None})  # no guest set to leave
    add_reference_member(backend, "meetings", "host_id", host["id"], "meeting_ghost")  # its record is gone
    assert people.delete(host["id"], cascade=True).cascaded == 2  # the ghost is no record: not counted
    assert backend.ids_by("meetings", "host_id", host["id"]) == []  # the deleted record's set goes, ghosts and all
    assert backend.get("meetings", meeting["id"]) is None and backend.get("meetings", solo["id"]) is None
    assert backend.count("meetings") == 0
    assert backend.ids_by("meetings", "guest_id", guest["id"]) == []  # found through host_id
    assert meetings.all() == ()  # the change log named them: the warm cache dropped them
    alone = meetings.create({"host_id": guest["id"], "guest_id": None})  # an empty reference names nothing
    assert backend.ids_by("meetings", "host_id", guest["id"]) == [alone["id"]]


def test_an_update_of_a_missing_or_impossible_id_is_not_found(clients):
    with pytest.raises(errors.NotFound):
        clients.update("client_missing", client_fields())
    with pytest.raises(errors.NotFound):
        clients.update("not an id!", client_fields())
    with pytest.raises(errors.NotFound):
        clients.delete("client_missing")


TEXTS = CollectionSpec("texts", "text", "Text")


def stored_text(backend, collection, record_id):
    return backend.call("GET", backend.keys.record(collection, record_id))


def test_the_stored_text_is_what_python_would_have_encoded(redis_store):
    texts = Collection(TEXTS, redis_store.backend)
    fields = {"path": "a/b\\c", "ratio": 0.1, "big": 12345678901234567890, "text": 'é\u2028"quoted"', "nested": []}
    record = texts.create(fields)
    texts.update(record["id"], {**fields, "ratio": 1e-7})
    text = stored_text(redis_store.backend, "texts", record["id"])
    expected = {**fields, "ratio": 1e-7, "version": 2, "created_at": record["created_at"]}
    expected["updated_at"] = json.loads(text)["updated_at"]
    assert text == dumps(expected)  # storage/jsontext.py: json's text, floats in their shortest form
    assert json.loads(text) == expected  # the key names the record: its id is not stored again
    assert texts.cache.records[record["id"]]["ratio"] == 1e-7
    assert texts.backend.get("texts", record["id"]) == dumps({"id": record["id"], **expected})


def test_a_record_of_no_field_but_its_system_fields_is_stored_and_updated(redis_store):
    texts = Collection(TEXTS, redis_store.backend)
    record = texts.create({})
    assert json.loads(stored_text(redis_store.backend, "texts", record["id"]))["version"] == 1
    updated = texts.update(record["id"], {})
    stored = json.loads(stored_text(redis_store.backend, "texts", record["id"]))
    assert stored == {"version": 2, "created_at": record["created_at"], "updated_at": updated["updated_at"]}
    assert texts.get(record["id"]) == updated and set(updated) == {"id", "version", "created_at", "updated_at"}


def test_records_stored_with_their_id_read_as_before_and_lose_it_when_next_written(redis_store):
    """Records written before the id was left out of the stored text (or by hand) keep reading the
    same, by detail, page and refresh; the next write stores them without it."""
    backend = redis_store.backend
    clients = redis_store.collection("clients")
    made = clients.create(client_fields(email="old@example.org"))
    old_text = dumps(dict(made))  # the previous form: the id first, in the text
    backend.call("SET", backend.keys.record("clients", made["id"]), old_text)
    assert backend.get("clients", made["id"]) == old_text
    assert backend.get_many("clients", [made["id"], "client_none"]) == [old_text, None]
    assert backend.page("clients", 0, 5).texts == (old_text,)
    assert clients.get(made["id"]) == made
    updated = clients.update(made["id"], client_fields(name="Fresh", email="old@example.org"))
    stored = stored_text(backend, "clients", made["id"])
    assert not stored.startswith('{"id"') and json.loads(stored) == {
        k: v for k, v in thaw(updated).items() if k != "id"
    }
    assert clients.get(made["id"]) == updated


def test_a_record_in_the_previous_layout_is_updated_and_deleted(redis_store):
    """Records written before single-trip writes (same text, same index keys) stay writable,
    also one whose system fields are not where storage writes them (edited by hand)."""
    backend = redis_store.backend
    clients = redis_store.collection("clients")
    keys = backend.keys
    client = backend.client
    for record_id, text in (
        (
            "client_old1",
            document(
                head("client_old1", client_fields(email="Old@Example.org")),
                4,
                "2025-01-01T00:00:00.000000Z",
                "2025-01-02T00:00:00.000000Z",
            ),
        ),
        (
            "client_old2",
            json.dumps(
                {
                    "version": 7,
                    "created_at": "2025-03-01T00:00:00Z",
                    "id": "client_old2",
                    **client_fields(name="Hand", email="hand@example.org"),
                    "updated_at": "x",
                }
            ),
        ),
    ):
        record = json.loads(text)
        client.set(keys.record("clients", record_id), text)
        add_entry(client, keys.creation("clients"), record_id, 1)
        client.hset(keys.unique("clients", "email"), record["email"].casefold(), record_id)
        client.incr(keys.version("clients"))
    updated = clients.update("client_old1", client_fields(email="fresh@example.org"))
    assert updated["version"] == 5 and updated["created_at"] == "2025-01-01T00:00:00.000000Z"
    assert json.loads(backend.get("clients", "client_old1")) == dict(updated, tags=[])
    hand = clients.update("client_old2", client_fields(name="Hand 2", email="hand@example.org"))
    assert hand["version"] == 8 and hand["created_at"] == "2025-03-01T00:00:00Z"
    clients.delete("client_old2")
    assert not client.exists(keys.unique("clients", "email"))  # each entry left with its record
    assert unique_entries(client, keys, "clients", "email") == {"fresh@example.org": "client_old1"}


def test_a_refresh_reads_what_changed_with_its_records_in_one_round_trip(redis_server, prefix, monkeypatch):
    """Up to MGET_CHUNK changed records come back with the change list itself; past that, only their
    ids do, and the records are read apart."""
    from storage.backends import commands
    from storage.store import Store
    from tests.conftest import make_backend

    monkeypatch.setattr(commands, "MGET_CHUNK", 3)
    backend = make_backend("redis", prefix, redis_server=redis_server)
    ours = Store(backend).collection("clients")
    other = Store(make_backend("redis", prefix, redis_server=redis_server)).collection("clients")
    assert list(ours.all()) == []  # held at version 0, before the change log has a floor
    made = [other.create(client_fields(email=f"c{i}@example.org")) for i in range(3)]
    calls = spy(monkeypatch, backend)
    assert [r["id"] for r in ours.all()] == [m["id"] for m in made]
    assert [c for c in calls if c in READS] == ["changes_since"]
    calls.clear()
    made += [other.create(client_fields(email=f"c{i}@example.org")) for i in range(3, 7)]
    assert [r["id"] for r in ours.all()] == [m["id"] for m in made]
    assert [c for c in calls if c in READS] == ["changes_since", "get_many"]
