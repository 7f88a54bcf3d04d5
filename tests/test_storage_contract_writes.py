"""More of the storage contract, run on every backend like tests/test_storage_contract.py (and on a
cluster and Sentinel by tests/test_storage_contract_scaled.py): a refused reference on update, and
our own acknowledged writes advancing the cache without a refetch."""

import pytest

from storage import errors
from storage.collection import Collection
from tests.test_storage_contract import CLIENTS, client_fields, session_fields


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
