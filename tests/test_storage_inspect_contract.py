"""The diagnostics part of the backend contract (server_info, canary, sample_ids, raw_state,
repair), on every backend; and diagnostics.integrity on a consistent store."""

import pytest

from diagnostics import integrity
from storage.backends.base import Fix
from storage.store import get_store
from tests.diag_helpers import make_client, make_session


@pytest.fixture
def filled(store):
    client = make_client()
    session = make_session(client["id"])
    return store, client, session


def test_canary_writes_reads_and_deletes(store):
    assert store.backend.canary() == {"written": True, "read_back": True, "deleted": True}


def test_server_info_says_what_it_knows(store):
    info = store.backend.server_info()
    if store.backend.name == "jsonfile" or store.backend.url == "redis://fake":  # fakeredis has no INFO
        assert info["applicable"] is False and info["reason"]
        return
    assert info["applicable"] is True
    assert {"redis_version", "role", "aof_enabled", "rdb_save", "maxmemory_policy", "evicting", "used_memory"} <= set(
        info
    )


def test_sample_ids_come_from_the_index(filled):
    store, client, _ = filled
    assert store.backend.sample_ids("clients", 10) == [client["id"]]
    assert store.backend.sample_ids("nothing", 10) == []


def test_raw_state_mirrors_the_writes(filled):
    store, client, session = filled
    clients = store.backend.raw_state("clients")
    assert set(clients.records) == {client["id"]} and set(clients.index) == {client["id"]}
    assert clients.unique == {"email": {"jeanne@example.com": client["id"]}}
    assert clients.version == 1
    sessions = store.backend.raw_state("sessions")
    assert sessions.by == {"client_id": {client["id"]: (session["id"],)}}
    empty = store.backend.raw_state("nothing")
    assert empty.records == {} and empty.version is None


def test_inspect_finds_nothing_on_a_consistent_store(filled):
    store = filled[0]
    found = integrity.inspect(store)
    assert found.consistent, found.problems
    assert found.as_dict()["collections"]["sessions"]["records"]["count"] == 1


def test_repair_is_atomic_and_conditional_where_supported(filled):
    store, client, _ = filled
    fix = Fix("unindex", "clients", client["id"])  # planned as if the record were absent
    if not store.backend.can_repair:
        with pytest.raises(Exception, match="not applicable"):
            store.backend.repair(fix)
        return
    assert store.backend.repair(fix) == "changed"
    assert get_store().collection("clients").count() == 1
