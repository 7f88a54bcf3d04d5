"""Reference indexes (the sessions of one client) on a real Redis: kept as small hashes, listpack
encoded; the previous layout's sets read as they are, converted when a write adds to one, and all
converted by build_indexes (idempotent)."""

import pytest

from diagnostics import integrity
from sessions_app.models import Session
from storage import errors
from storage.backends.redis import RedisBackend
from storage.store import get_store
from tests.conftest import CAP, make_backend
from tests.diag_helpers import keys, run, run_json
from tests.test_bounded_cache import fresh_process, ids
from tests.test_storage_contract import client_fields, session_fields


@pytest.fixture
def raw(redis_server):
    return redis_server.client()


@pytest.fixture
def made(redis_store, prefix):
    """Client a with three sessions, client b with one, through storage."""
    clients, sessions = get_store().collection("clients"), get_store().collection("sessions")
    a, b = (clients.create(client_fields(name)) for name in ("A", "B"))
    of_a = [sessions.create(session_fields(a["id"], f"A{i}"))["id"] for i in range(3)]
    of_b = [sessions.create(session_fields(b["id"], "B0"))["id"]]
    by = keys(prefix).by
    return {
        "a": a["id"],
        "b": b["id"],
        "of_a": of_a,
        "of_b": of_b,
        "key_a": by("sessions", "client_id", a["id"]),
        "key_b": by("sessions", "client_id", b["id"]),
        "prefix": prefix,
    }


def by_keys(raw, prefix):
    return sorted(raw.scan_iter(match=f"{{{prefix}}}:sessions:by:*"))


def to_sets(raw, prefix):
    """Rewrite every reference index of sessions as the previous layout wrote it: a SET of ids."""
    for key in by_keys(raw, prefix):
        ids_ = raw.hkeys(key)
        raw.delete(key)
        raw.sadd(key, *ids_)


def reads_agree(made, a_ids):
    """Every read of the sessions of client a answers a_ids: the id list, the one-set read, and
    the queryset filter held in memory and served from the indexes."""
    sessions = get_store().collection("sessions")
    assert sessions.ids_by("client_id", made["a"]) == sorted(a_ids)
    _, records = sessions.members("client_id", made["a"])
    assert sorted(r["id"] for r in records) == sorted(a_ids)
    assert sorted(ids(Session.objects.filter(client_id=made["a"]))) == sorted(a_ids)
    store = get_store()
    store.max_records = CAP
    fresh_process(store)  # a collection outgrowing the cache: the filter reads the set's records
    assert sorted(ids(Session.objects.filter(client_id=made["a"]))) == sorted(a_ids)


def consistent():
    return integrity.inspect(get_store()).problems == []


def test_a_reference_index_is_a_small_listpack_hash(made, raw):
    assert raw.type(made["key_a"]) == "hash"
    assert raw.object("encoding", made["key_a"]) == "listpack"
    assert sorted(raw.hkeys(made["key_a"])) == sorted(made["of_a"])
    reads_agree(made, made["of_a"])
    assert consistent()


def test_moving_a_session_and_deleting_with_dependents_on_hashes(made, raw):
    sessions, clients = get_store().collection("sessions"), get_store().collection("clients")
    moved = made["of_a"][0]
    sessions.update(moved, session_fields(made["b"], "Moved"))
    assert sorted(raw.hkeys(made["key_a"])) == sorted(made["of_a"][1:])
    assert sorted(raw.hkeys(made["key_b"])) == sorted([*made["of_b"], moved])
    with pytest.raises(errors.DependentsExist) as refused:
        clients.delete(made["a"])
    assert refused.value.count == 2
    assert clients.delete(made["a"], cascade=True).cascaded == 2
    assert not raw.exists(made["key_a"])
    assert sessions.ids_by("client_id", made["b"]) == sorted([*made["of_b"], moved])
    assert consistent()


def test_old_sets_are_read_and_checked_as_they_are(made, raw):
    to_sets(raw, made["prefix"])
    assert raw.type(made["key_a"]) == "set"
    reads_agree(made, made["of_a"])
    assert consistent()
    assert raw.type(made["key_a"]) == "set"  # reading converts nothing


def test_old_sets_refuse_and_cascade_a_delete(made, raw):
    to_sets(raw, made["prefix"])
    clients = get_store().collection("clients")
    with pytest.raises(errors.DependentsExist) as refused:
        clients.delete(made["a"])
    assert refused.value.count == 3
    assert clients.delete(made["a"], cascade=True).cascaded == 3
    assert not raw.exists(made["key_a"])
    assert get_store().collection("sessions").ids_by("client_id", made["a"]) == []
    assert raw.smembers(made["key_b"]) == set(made["of_b"])  # another client's set untouched
    assert consistent()


def test_a_write_adding_to_an_old_set_converts_it_with_its_members(made, raw):
    to_sets(raw, made["prefix"])
    sessions = get_store().collection("sessions")
    moved = made["of_a"][0]
    sessions.update(moved, session_fields(made["b"], "Moved"))
    assert raw.type(made["key_b"]) == "hash"
    assert raw.object("encoding", made["key_b"]) == "listpack"
    assert sorted(raw.hkeys(made["key_b"])) == sorted([*made["of_b"], moved])
    assert raw.smembers(made["key_a"]) == set(made["of_a"][1:])  # taken out, still a set
    added = sessions.create(session_fields(made["a"], "A3"))["id"]
    assert sorted(raw.hkeys(made["key_a"])) == sorted([*made["of_a"][1:], added])
    reads_agree(made, [*made["of_a"][1:], added])
    assert consistent()


def test_repairs_work_on_old_sets(made, raw):
    to_sets(raw, made["prefix"])
    raw.sadd(made["key_b"], "session_ghost")  # names no record: dropped from the set
    raw.srem(made["key_a"], made["of_a"][0])  # a record missing from its set: reindexed
    assert not consistent()
    assert run_json("verify_redis", "--repair")[0] == 0
    assert raw.smembers(made["key_b"]) == set(made["of_b"])
    assert raw.type(made["key_a"]) == "hash"  # the reindex added to it
    assert sorted(raw.hkeys(made["key_a"])) == sorted(made["of_a"])
    assert consistent()


def test_build_indexes_converts_every_old_set_and_can_run_again(made, raw):
    to_sets(raw, made["prefix"])
    renamed = session_fields(made["a"], "Renamed")
    get_store().collection("sessions").update(made["of_a"][0], renamed)  # its write converts a's set
    assert raw.type(made["key_a"]) == "hash" and raw.type(made["key_b"]) == "set"
    before = {made["key_a"]: sorted(made["of_a"]), made["key_b"]: sorted(made["of_b"])}
    code, report, _ = run_json("build_indexes")
    assert code == 0 and report["references"] == [{"collection": "sessions", "converted": 1}]
    code, _, err = run("build_indexes")
    assert code == 0 and "sessions reference indexes: 2/2 key(s) read" in err
    for key, members in before.items():
        assert raw.type(key) == "hash" and raw.object("encoding", key) == "listpack"
        assert sorted(raw.hkeys(key)) == members


def test_the_upgrade_goes_a_chunk_at_a_time_and_skips_converted_keys(made, raw):
    sessions = get_store().collection("sessions")
    others = [get_store().collection("clients").create(client_fields(f"C{i}"))["id"] for i in range(4)]
    for client_id in others:
        sessions.create(session_fields(client_id))
    to_sets(raw, made["prefix"])
    raw.delete(made["key_b"])
    raw.hset(made["key_b"], made["of_b"][0], "1")  # converted already
    seen = []
    assert sessions.upgrade_references(chunk=2, progress=lambda done, total: seen.append((done, total))) == 5
    assert seen == [(2, 6), (4, 6), (6, 6)]
    assert {raw.type(k) for k in by_keys(raw, made["prefix"])} == {"hash"}
    assert sessions.upgrade_references() == 0
    reads_agree(made, made["of_a"])


@pytest.mark.parametrize("kind", ["redis", "rest", "cluster"])
def test_both_forms_through_each_command_backend(kind, request, redis_server, prefix):
    rest = request.getfixturevalue("rest_server") if kind == "rest" else None
    if kind == "cluster":
        backend = RedisBackend(request.getfixturevalue("redis_cluster").url, prefix)
    else:
        backend = make_backend(kind, prefix, redis_server=redis_server, rest_server=rest)
    try:
        old, new = backend.keys.by("s", "c", "old"), backend.keys.by("s", "c", "new")
        backend.call("SADD", old, "s1", "s2")
        backend.call("HSET", new, "s3", "1")
        backend.call("SET", backend.keys.record("s", "s1"), '{"version": 1}')
        assert backend.ids_by("s", "c", "old") == ["s1", "s2"]
        assert backend.ids_by("s", "c", "new") == ["s3"]
        assert backend.ids_by("s", "c", "none") == []
        assert sorted(backend.members("s", "c", "old").ids) == ["s1", "s2"]
        assert backend.raw_state("s").by == {"c": {"new": ("s3",), "old": ("s1", "s2")}}
        assert backend.reference_keys("s") == sorted([new, old])
        assert backend.upgrade_references([new, old]) == 1
        assert backend.upgrade_references([new, old]) == 0
        assert backend.call("TYPE", old) == "hash" and sorted(backend.call("HKEYS", old)) == ["s1", "s2"]
    finally:
        backend.close()
