"""The storage contract, run on every backend: real Redis, fakeredis and JSON files."""

import pytest

from storage import errors
from storage.collection import Collection, CollectionSpec

CLIENTS = CollectionSpec("clients", "client", "Client", unique={"email": lambda v: (v or "").strip().casefold()})


def client_fields(name="Jeanne Dupont", email="", **extra):
    return {"name": name, "email": email, "phone": "", "notes": "", "tags": [], "is_active": True, **extra}


def session_fields(client_id, title="Intro", **extra):
    return {
        "client_id": client_id,
        "title": title,
        "starts_at": "2026-12-01T10:00:00.000000Z",
        "duration_minutes": 60,
        "status": "scheduled",
        "location": "",
        "notes": "",
        **extra,
    }


class CountingBackend:
    """Wraps a backend and counts the calls made to it (round trips, for the cache tests)."""

    def __init__(self, backend):
        self.backend = backend
        self.calls = []

    def __getattr__(self, name):
        attr = getattr(self.backend, name)
        if not callable(attr):
            return attr

        def counted(*args, **kwargs):
            self.calls.append((name, args))
            return attr(*args, **kwargs)

        return counted


def test_create_then_get_round_trips_every_field(clients):
    record = clients.create(client_fields(email="J@Example.org", tags=["vip", "paris"]))
    assert record["id"].startswith("client_") and len(record["id"]) == len("client_") + 26
    assert record["version"] == 1
    assert record["created_at"] == record["updated_at"] and record["created_at"].endswith("Z")
    fetched = clients.get(record["id"])
    assert dict(fetched) == dict(record)
    assert fetched["tags"] == ("vip", "paris")


def test_read_only_fields_in_input_are_ignored(clients):
    record = clients.create(client_fields(id="client_forged", version=99, created_at="1999-01-01T00:00:00Z"))
    assert record["id"] != "client_forged" and record["version"] == 1
    assert not record["created_at"].startswith("1999")


def test_update_bumps_version_and_keeps_created_at(clients):
    created = clients.create(client_fields())
    updated = clients.update(created["id"], client_fields(name="Jeanne Martin"), expected_version=1)
    assert updated["version"] == 2 and updated["name"] == "Jeanne Martin"
    assert updated["created_at"] == created["created_at"]
    assert updated["updated_at"] > created["updated_at"]  # stamped now, ISO text (sorts as time)
    assert clients.get(created["id"])["version"] == 2
    assert clients.get(created["id"])["updated_at"] == updated["updated_at"]


def test_stale_version_is_a_conflict_and_changes_nothing(clients):
    created = clients.create(client_fields())
    clients.update(created["id"], client_fields(name="Second"), expected_version=1)
    with pytest.raises(errors.VersionConflict) as caught:
        clients.update(created["id"], client_fields(name="Stale"), expected_version=1)
    assert caught.value.current == 2
    assert clients.get(created["id"])["name"] == "Second"


def test_update_without_expected_version_writes_the_latest(clients):
    created = clients.create(client_fields())
    clients.update(created["id"], client_fields(name="A"))
    assert clients.update(created["id"], client_fields(name="B"))["version"] == 3


def test_update_and_delete_of_missing_record_are_not_found(clients):
    with pytest.raises(errors.NotFound):
        clients.update("client_missing", client_fields())
    with pytest.raises(errors.NotFound):
        clients.delete("client_missing")


def test_delete_removes_record_and_honours_expected_version(clients):
    created = clients.create(client_fields())
    with pytest.raises(errors.VersionConflict):
        clients.delete(created["id"], expected_version=7)
    assert clients.get(created["id"]) is not None
    clients.delete(created["id"], expected_version=1)
    assert clients.get(created["id"]) is None
    assert clients.all() == ()
    assert clients.count() == 0


def test_email_is_unique_ignoring_case(clients):
    first = clients.create(client_fields(email="jeanne@example.org"))
    with pytest.raises(errors.UniqueViolation) as caught:
        clients.create(client_fields(name="Other", email=" JEANNE@example.ORG "))
    assert caught.value.field == "email" and caught.value.existing_id == first["id"]
    assert len(clients.all()) == 1


def test_changing_email_frees_the_old_one(clients):
    first = clients.create(client_fields(email="a@example.org"))
    second = clients.create(client_fields(name="B", email="b@example.org"))
    with pytest.raises(errors.UniqueViolation):
        clients.update(second["id"], client_fields(name="B", email="A@example.org"))
    clients.update(first["id"], client_fields(email="c@example.org"))
    clients.update(second["id"], client_fields(name="B", email="a@example.org"))
    clients.delete(second["id"])
    assert clients.create(client_fields(name="D", email="a@example.org"))["version"] == 1


def test_session_needs_an_existing_client(clients, sessions):
    with pytest.raises(errors.ReferenceViolation) as caught:
        sessions.create(session_fields("client_01HZZZZZZZZZZZZZZZZZZZZZZZ"))
    assert caught.value.field == "client_id"
    with pytest.raises(errors.ReferenceViolation) as invalid:
        sessions.create(session_fields("not a valid id"))
    assert (invalid.value.collection, invalid.value.field, invalid.value.value) == (
        "sessions",
        "client_id",
        "not a valid id",
    )
    assert sessions.all() == () and sessions.count() == 0


def test_client_with_sessions_is_not_deleted_without_cascade(clients, sessions):
    client = clients.create(client_fields())
    for title in ("One", "Two"):
        sessions.create(session_fields(client["id"], title))
    with pytest.raises(errors.DependentsExist) as caught:
        clients.delete(client["id"])
    assert caught.value.count == 2
    assert clients.get(client["id"]) is not None and len(sessions.all()) == 2


def test_cascade_deletes_client_and_its_sessions_only(clients, sessions):
    client = clients.create(client_fields())
    other = clients.create(client_fields(name="Other"))
    for title in ("One", "Two"):
        sessions.create(session_fields(client["id"], title))
    kept = sessions.create(session_fields(other["id"], "Kept"))
    result = clients.delete(client["id"], cascade=True)
    assert result.cascaded == 2
    assert clients.get(client["id"]) is None
    assert [s["id"] for s in sessions.all()] == [kept["id"]]
    assert sessions.ids_by("client_id", client["id"]) == []
    assert clients.delete(other["id"], cascade=True).cascaded == 1


def test_moving_a_session_updates_the_reference_index(clients, sessions):
    a = clients.create(client_fields(name="A"))
    b = clients.create(client_fields(name="B"))
    session = sessions.create(session_fields(a["id"]))
    sessions.update(session["id"], session_fields(b["id"]))
    assert sessions.ids_by("client_id", a["id"]) == []
    assert sessions.ids_by("client_id", b["id"]) == [session["id"]]
    clients.delete(a["id"])  # no dependents any more


def test_impossible_ids_are_not_found_without_a_round_trip(store, clients):
    counting = CountingBackend(store.backend)
    probe = Collection(CLIENTS, counting)
    for bad in ("", "a" * 65, "../etc", "x*", "a:b", "{app}", "a b", "é", None, 42):
        assert probe.get(bad) is None
    for write in (lambda: probe.update("a b", client_fields()), lambda: probe.delete("a b")):
        with pytest.raises(errors.NotFound) as caught:
            write()
        assert (caught.value.collection, caught.value.record_id) == ("clients", "a b")
    assert counting.calls == []


def test_unchanged_collection_is_served_from_memory_after_one_round_trip(store):
    counting = CountingBackend(store.backend)
    collection = Collection(CLIENTS, counting)
    for i in range(5):
        collection.create(client_fields(name=f"C{i}"))
    collection.all()
    counting.calls.clear()
    assert len(collection.all()) == 5
    assert [name for name, _ in counting.calls] == ["changes_since"]  # told: nothing changed


def test_two_stores_never_disagree_after_a_write_returns(store):
    one = Collection(CLIENTS, store.backend)
    two = Collection(CLIENTS, store.backend)
    record = one.create(client_fields())
    assert [r["id"] for r in two.all()] == [record["id"]]
    one.update(record["id"], client_fields(name="New name"))
    assert two.all()[0]["name"] == "New name"
    assert two.get(record["id"])["version"] == 2
    one.delete(record["id"])
    assert two.all() == ()


def test_trimmed_change_log_makes_an_old_cache_reload(store, monkeypatch):
    from storage.backends import commands

    monkeypatch.setattr(commands, "CHANGES_MAX", 3)
    monkeypatch.setattr(commands, "CHANGES_SLACK", 1)
    writer = Collection(CLIENTS, store.backend)
    reader = Collection(CLIENTS, store.backend)
    first = writer.create(client_fields(name="first"))
    assert len(reader.all()) == 1
    writer.delete(first["id"])
    for i in range(8):
        writer.create(client_fields(name=f"C{i}"))
    changes = store.backend.changes_since("clients", 0)
    assert changes.floor > 1
    assert len(changes.ids) <= 3 + 1  # the log itself is trimmed: bounded, not only floored
    listed = reader.all()
    assert {r["name"] for r in listed} == {f"C{i}" for i in range(8)}


def test_a_retried_write_with_the_same_operation_id_applies_once(store, clients):
    record = clients.create(client_fields())
    write = clients.build_write(
        "update", record["id"], client_fields(name="Once"), expected_version=1, updated_at=record["updated_at"]
    )
    first = store.backend.write(write)
    second = store.backend.write(write)  # the "retry" after a lost reply
    assert first == second and first.record_version == 2
    assert first.created_at == record["created_at"]
    assert store.backend.version("clients") == 2
    assert clients.get(record["id"])["version"] == 2


def test_failed_write_leaves_memory_and_backend_unchanged(clients):
    a = clients.create(client_fields(email="a@example.org"))
    b = clients.create(client_fields(name="B", email="b@example.org"))
    before = clients.all()
    with pytest.raises(errors.UniqueViolation):
        clients.update(b["id"], client_fields(name="B2", email="a@example.org"))
    assert clients.cache.records[b["id"]]["name"] == "B"
    assert clients.all() == before
    assert clients.get(b["id"])["name"] == "B" and clients.get(a["id"])["version"] == 1


def test_cached_records_cannot_be_modified_by_callers(clients):
    record = clients.create(client_fields(tags=["a"]))
    listed = clients.all()[0]
    with pytest.raises(TypeError):
        listed["name"] = "hacked"
    with pytest.raises((TypeError, AttributeError)):
        listed["tags"].append("b")
    assert clients.get(record["id"])["name"] == "Jeanne Dupont"


def test_import_keeps_ids_and_creation_time(clients):
    record = clients.create(client_fields(), record_id="client_IMPORTED", created_at="2020-01-02T03:04:05.000000Z")
    assert record["id"] == "client_IMPORTED" and record["created_at"] == "2020-01-02T03:04:05.000000Z"
    restored = clients.create(
        client_fields(name="Restored"),
        record_id="client_RESTORED",
        created_at="2021-01-01T00:00:00.000000Z",
        updated_at="2022-02-02T00:00:00.000000Z",
        version=4,
    )
    assert (restored["updated_at"], restored["version"]) == ("2022-02-02T00:00:00.000000Z", 4)
    assert dict(clients.get("client_RESTORED")) == dict(restored)
    with pytest.raises(ValueError, match="^invalid record id 'not an id!'$"):
        clients.create(client_fields(), record_id="not an id!")
    with pytest.raises(errors.AlreadyExists):
        clients.create(client_fields(), record_id="client_IMPORTED")


def test_list_is_in_creation_order(clients):
    ids = [clients.create(client_fields(name=f"C{i}"))["id"] for i in range(10)]
    assert [r["id"] for r in clients.all()] == ids
    version, snapshot = clients.backend.snapshot_ids("clients")
    assert snapshot == ids and version == 10
