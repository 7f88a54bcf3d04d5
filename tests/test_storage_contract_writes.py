"""More of the storage contract, run on every backend like tests/test_storage_contract.py (and on a
cluster and Sentinel by tests/test_storage_contract_scaled.py): a refused reference on update, and
our own acknowledged writes advancing the cache without a refetch, a cache catching up on what
changed only (with the records in the same round trip, or in chunks when many changed)."""

import pytest

from storage import errors
from storage.backends import commands
from storage.collection import Collection
from tests.test_storage_contract import CLIENTS, CountingBackend, client_fields, session_fields


def test_a_session_moved_to_a_missing_client_is_refused(clients, sessions):
    client = clients.create(client_fields())
    session = sessions.create(session_fields(client["id"]))
    with pytest.raises(errors.ReferenceViolation) as caught:
        sessions.update(session["id"], session_fields("client_01HZZZZZZZZZZZZZZZZZZZZZZZ"))
    assert caught.value.field == "client_id"
    assert sessions.get(session["id"])["client_id"] == client["id"]


def test_our_own_acknowledged_writes_advance_the_cache_without_a_refetch(store):
    one = Collection(CLIENTS, store.backend)
    one.all()  # warm
    record = one.create(client_fields())
    assert one.cache.version == store.backend.version("clients") == 1
    one.update(record["id"], client_fields(name="Renamed"))
    assert one.cache.version == store.backend.version("clients") == 2
    assert [r["name"] for r in one.all()] == ["Renamed"]  # served from memory: our update is in it
    one.delete(record["id"])
    assert one.cache.version == store.backend.version("clients") == 3
    assert one.all() == ()  # and our delete


def test_changed_collection_fetches_only_the_changes(store):
    writer = Collection(CLIENTS, store.backend)
    counting = CountingBackend(store.backend)
    reader = Collection(CLIENTS, counting)
    ids = [writer.create(client_fields(name=f"C{i}"))["id"] for i in range(20)]
    assert len(reader.all()) == 20
    cached = reader.cache.version
    writer.update(ids[3], client_fields(name="Changed"))
    writer.delete(ids[7])
    changes = store.backend.changes_since("clients", cached)
    assert sorted(changes.ids) == sorted([ids[3], ids[7]]) and changes.version == cached + 2
    counting.calls.clear()
    listed = reader.all()
    assert len(listed) == 19 and {r["name"] for r in listed if r["id"] == ids[3]} == {"Changed"}
    fetched = [args[1] for name, args in counting.calls if name == "get_many"]
    if changes.texts is None:  # the records read apart (jsonfile: no round trip to save)
        assert len(fetched) == 1 and sorted(fetched[0]) == sorted([ids[3], ids[7]])
    else:  # read with the change list, in the same round trip
        texts = dict(zip(changes.ids, changes.texts, strict=True))
        assert '"Changed"' in texts[ids[3]] and texts[ids[7]] is None
        assert [name for name, _ in counting.calls] == ["changes_since"]  # one round trip


def test_many_changes_are_caught_up_with_the_records_read_in_chunks(store, monkeypatch):
    monkeypatch.setattr(commands, "MGET_CHUNK", 2)  # more changed ids than one reply carries
    writer = Collection(CLIENTS, store.backend)
    counting = CountingBackend(store.backend)
    reader = Collection(CLIENTS, counting)
    ids = [writer.create(client_fields(name=f"C{i}"))["id"] for i in range(6)]
    assert len(reader.all()) == 6
    for i in (1, 2, 4):
        writer.update(ids[i], client_fields(name=f"Changed {i}"))
    counting.calls.clear()
    names = {r["id"]: r["name"] for r in reader.all()}
    assert [names[ids[i]] for i in (0, 1, 2, 4)] == ["C0", "Changed 1", "Changed 2", "Changed 4"]
    fetched = [sorted(args[1]) for name, args in counting.calls if name == "get_many"]
    assert fetched == [sorted([ids[1], ids[2], ids[4]])]


def test_each_refused_write_names_its_collection_its_record_and_what_refused_it(clients):
    record = clients.create(client_fields(email="a@example.org"))
    missing_id = clients.new_id()
    with pytest.raises(errors.NotFound) as missing:
        clients.update(missing_id, client_fields())
    assert str(missing.value) == f"clients {missing_id!r} not found"
    with pytest.raises(errors.AlreadyExists) as twice:
        clients.create(client_fields(email="b@example.org"), record_id=record["id"])
    assert str(twice.value) == f"clients {record['id']!r} already exists"
    with pytest.raises(errors.VersionConflict) as stale:
        clients.update(record["id"], client_fields(email="a@example.org"), expected_version=7)
    assert str(stale.value) == (
        f"clients {record['id']!r} is at version 1, not 7: someone else changed it; reload and try again"
    )
    with pytest.raises(errors.UniqueViolation) as taken:
        clients.create(client_fields(email="a@example.org"))
    assert str(taken.value) == "another record of clients already has this email"
    assert taken.value.existing_id == record["id"]


def test_a_refused_reference_or_delete_names_what_refused_it(clients, sessions):
    client = clients.create(client_fields())
    sessions.create(session_fields(client["id"]))
    ghost = clients.new_id()
    with pytest.raises(errors.ReferenceViolation) as dangling:
        sessions.create(session_fields(ghost))
    assert (dangling.value.collection, str(dangling.value)) == (
        "sessions",
        f"client_id {ghost!r} names no existing record",
    )
    with pytest.raises(errors.DependentsExist) as held:
        clients.delete(client["id"])
    assert str(held.value) == (
        f"clients {client['id']!r} still has 1 record(s) in sessions; delete them first or ask for a cascade delete"
    )


def test_a_reply_no_script_gives_is_a_command_error_that_shows_it():
    write = Collection(CLIENTS, None).build_write("delete", "client_01HZZZZZZZZZZZZZZZZZZZZZZZ", None)
    with pytest.raises(errors.CommandError, match=r"^unexpected reply from the delete script: \['maybe', 1\]$"):
        commands.interpret_reply(write, ["maybe", 1])
