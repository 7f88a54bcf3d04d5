"""Each write says in the log what was done, to which record, where, and with what outcome: the
operator's only trace of a write that the API answered (one line per write, in the storage
vocabulary of storage/log.py)."""

import logging

import pytest

from storage import errors
from storage.collection import Collection, CollectionSpec
from tests.test_storage_contract import client_fields, session_fields


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="storage")

    def taken():
        found = [(r.levelname, r.getMessage(), getattr(r, "fields", {})) for r in caplog.records]
        caplog.clear()
        return found

    return taken


def test_created_updated_and_deleted_are_each_one_line_naming_the_record(redis_store, lines):
    clients, sessions = redis_store.collection("clients"), redis_store.collection("sessions")
    clients.count()  # connected: the connection's own line is out of the way
    lines()
    client = clients.create(client_fields(name="Ada"))
    assert lines() == [
        (
            "INFO",
            f"Client created and saved to Redis: {client['id']} - Ada",
            {"collection": "clients", "id": client["id"], "version": 1},
        )
    ]
    clients.update(client["id"], client_fields(name="Ada L"))
    assert lines() == [
        (
            "INFO",
            f"Client updated and saved to Redis: {client['id']} - Ada L",
            {"collection": "clients", "id": client["id"], "version": 2},
        )
    ]
    sessions.create(session_fields(client["id"]))
    lines()
    clients.delete(client["id"], cascade=True)
    assert lines() == [
        (
            "INFO",
            f"Client deleted and saved to Redis: {client['id']} with 1 dependent record(s)",
            {"collection": "clients", "id": client["id"], "version": 0},
        )
    ]


def test_a_refused_write_is_one_error_line_saying_why(redis_store, lines):
    clients = redis_store.collection("clients")
    client = clients.create(client_fields(email="a@example.org"))
    lines()
    with pytest.raises(errors.VersionConflict) as refused:
        clients.update(client["id"], client_fields(name="Late"), expected_version=7)
    assert lines() == [
        (
            "ERROR",
            f"Error: Client {client['id']} not updated (VersionConflict: {refused.value})",
            {"collection": "clients", "id": client["id"]},
        )
    ]


def test_a_refused_delete_says_not_deleted(redis_store, lines):
    clients, sessions = redis_store.collection("clients"), redis_store.collection("sessions")
    client = clients.create(client_fields())
    sessions.create(session_fields(client["id"]))
    lines()
    with pytest.raises(errors.DependentsExist) as refused:
        clients.delete(client["id"])
    assert [(level, message) for level, message, _ in lines()] == [
        ("ERROR", f"Error: Client {client['id']} not deleted (DependentsExist: {refused.value})")
    ]


def test_a_record_without_its_title_field_is_logged_by_id_alone(redis_store, lines):
    notes = Collection(CollectionSpec("notes", "note", "Note", title_field="title"), redis_store.backend)
    notes.count()
    lines()
    note = notes.create({"body": "untitled"})
    assert [message for _, message, _ in lines()] == [f"Note created and saved to Redis: {note['id']}"]


def test_a_refused_create_says_not_created(redis_store, lines):
    clients = redis_store.collection("clients")
    clients.create(client_fields(email="a@example.org"))
    lines()
    with pytest.raises(errors.UniqueViolation) as refused:
        clients.create(client_fields(name="Twin", email="A@example.org"))
    [(level, message, _)] = lines()
    assert level == "ERROR" and message.endswith(f" not created (UniqueViolation: {refused.value})")
    assert message.startswith("Error: Client client_")
