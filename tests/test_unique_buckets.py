"""The unique index in 4,096 small hashes (buckets, by the value's sha1) on real Redis, and data an
older version wrote in one hash: read in both forms, kept consistent by every write, moved into the
buckets by build_indexes (idempotent, resumable)."""

import hashlib
import io

import pytest
from django.core.management import call_command

from storage import errors
from storage.backends.base import Fix
from storage.store import get_store
from tests.diag_helpers import keys, run_json, to_previous_layout, unique_buckets, unique_entries
from tests.test_storage_contract import client_fields


@pytest.fixture(params=["redis", "rest"])
def command_store(request):
    """The store of a backend that runs the Lua scripts (redis-py, or the REST API), on a real Redis."""
    return request.getfixturevalue("redis_store" if request.param == "redis" else "rest_store")


@pytest.fixture
def raw(redis_server):
    return redis_server.client()


@pytest.fixture
def k(prefix):
    return keys(prefix)


def clean():
    code, report, _ = run_json("verify_redis")
    return code == 0 and report["consistent"] is True


def owner_id(clients, email):
    found = clients.owner("email", email)
    return [r["id"] for r in found[1]]


def test_entries_live_in_listpack_buckets_named_by_the_sha1_of_the_value(command_store, raw, k):
    clients = command_store.collection("clients")
    made = [clients.create(client_fields(f"C{i}", f"C{i}@Example.org")) for i in range(5)]
    buckets = unique_buckets(raw, k, "clients", "email")
    assert not raw.exists(k.unique("clients", "email"))  # nothing in the previous layout's hash
    expected = {}
    for record in made:
        value = record["email"].casefold()
        bucket = hashlib.sha1(value.encode()).hexdigest()[:3]
        expected.setdefault(f"{k.unique('clients', 'email')}:{bucket}", {})[value] = record["id"]
    assert buckets == expected
    assert {raw.object("encoding", key) for key in buckets} == {"listpack"}
    assert k.classify("clients", next(iter(buckets))) == ("unique", "email")


def test_uniqueness_lookup_update_and_delete_in_buckets(command_store, raw, k):
    clients = command_store.collection("clients")
    ann = clients.create(client_fields("Ann", "ann@example.org"))
    with pytest.raises(errors.UniqueViolation):
        clients.create(client_fields("Other", " ANN@example.org"))
    assert owner_id(clients, "Ann@Example.org") == [ann["id"]]
    clients.update(ann["id"], client_fields("Ann", "ann@elsewhere.org"))
    assert unique_entries(raw, k, "clients", "email") == {"ann@elsewhere.org": ann["id"]}
    assert owner_id(clients, "ann@example.org") == []
    assert clients.create(client_fields("Bea", "ann@example.org"))["version"] == 1  # the old value is free
    clients.delete(ann["id"])
    assert "ann@elsewhere.org" not in unique_entries(raw, k, "clients", "email")
    assert owner_id(clients, "ann@elsewhere.org") == []
    assert clean()


def test_repairs_drop_and_restore_bucket_entries(redis_store, raw, k):
    clients = redis_store.collection("clients")
    ann = clients.create(client_fields("Ann", "ann@example.org"))
    bucket = k.unique_bucket("clients", "email", "ann@example.org")
    raw.hdel(bucket, "ann@example.org")  # missing: reindex puts it back
    raw.hset(k.unique_bucket("clients", "email", "ghost@example.org"), "ghost@example.org", "client_ghost")
    code, report, _ = run_json("verify_redis")
    assert code == 1 and {p["kind"] for p in report["problems"]} == {"record_not_indexed", "unique_without_record"}
    assert run_json("verify_redis", "--repair")[0] == 0
    assert unique_entries(raw, k, "clients", "email") == {"ann@example.org": ann["id"]}
    assert raw.hget(bucket, "ann@example.org") == ann["id"]
    assert clean()


def previous_layout_data(store, raw, k):
    """Ann and Bob written as an older version did: the unique index in one hash."""
    clients = store.collection("clients")
    ann = clients.create(client_fields("Ann", "Ann@Example.org"))
    bob = clients.create(client_fields("Bob", "bob@example.org"))
    to_previous_layout(raw, k, "clients", "email")
    assert unique_buckets(raw, k, "clients", "email") == {}
    return clients, ann, bob


def test_an_index_in_the_previous_layout_is_read_and_kept(command_store, raw, k):
    clients, ann, bob = previous_layout_data(command_store, raw, k)
    old = k.unique("clients", "email")
    assert raw.hgetall(old) == {"ann@example.org": ann["id"], "bob@example.org": bob["id"]}
    assert clean()  # raw_state reads the previous hash: no entry missing
    assert owner_id(clients, "ANN@example.org") == [ann["id"]]
    with pytest.raises(errors.UniqueViolation) as caught:
        clients.create(client_fields("Copy", "ann@example.org"))
    assert caught.value.existing_id == ann["id"]
    with pytest.raises(errors.UniqueViolation):
        clients.update(bob["id"], client_fields("Bob", "ann@example.org"))
    clients.update(ann["id"], client_fields("Ann", "ann@elsewhere.org"))  # the old entry goes with it
    assert raw.hgetall(old) == {"bob@example.org": bob["id"]}
    assert owner_id(clients, "ann@example.org") == [] and owner_id(clients, "ann@elsewhere.org") == [ann["id"]]
    clients.delete(bob["id"])
    assert not raw.exists(old)
    assert unique_entries(raw, k, "clients", "email") == {"ann@elsewhere.org": ann["id"]}
    assert clients.create(client_fields("Bob 2", "bob@example.org"))["version"] == 1
    assert clean()


def test_repairs_see_the_previous_layout(redis_store, raw, k):
    clients, ann, bob = previous_layout_data(redis_store, raw, k)
    backend = redis_store.backend
    taken = Fix("reindex", "clients", "client_x", expected_version=-1, score=1, unique=(("email", "bob@example.org"),))
    assert backend.repair(taken) == "changed"
    raw.zrem(k.index("clients"), ann["id"])
    conflict = Fix("reindex", "clients", ann["id"], expected_version=1, score=1, unique=(("email", "bob@example.org"),))
    assert backend.repair(conflict) == f"conflict: its email belongs to {bob['id']}"  # named by the old hash
    raw.hset(k.unique("clients", "email"), "ghost@example.org", "client_ghost")
    drop = Fix("drop_unique", "clients", "client_ghost", field="email", value="ghost@example.org")
    assert backend.repair(drop) == "applied"
    assert "ghost@example.org" not in raw.hgetall(k.unique("clients", "email"))


def test_build_indexes_moves_the_previous_layout_into_buckets(command_store, raw, k):
    clients, ann, bob = previous_layout_data(command_store, raw, k)
    more = [clients.create(client_fields(f"C{i}", f"c{i}@example.org")) for i in range(30)]
    to_previous_layout(raw, k, "clients", "email")
    expected = {r["email"].casefold(): r["id"] for r in [ann, bob, *more]}
    # a newer write's bucket entry wins over the old hash's
    newer = k.unique_bucket("clients", "email", "ann@example.org")
    raw.hset(newer, "ann@example.org", ann["id"])
    raw.hset(k.unique("clients", "email"), "ann@example.org", "client_stale")
    err = io.StringIO()
    call_command("build_indexes", stdout=io.StringIO(), stderr=err)
    assert not raw.exists(k.unique("clients", "email"))
    assert unique_entries(raw, k, "clients", "email") == expected
    for value, record_id in expected.items():
        assert raw.hget(k.unique_bucket("clients", "email", value), value) == record_id
    assert "clients.email: 32/32 unique entries moved into buckets" in err.getvalue()
    out = io.StringIO()
    call_command("build_indexes", stdout=out, stderr=io.StringIO())  # again: nothing to move
    assert "clients.email unique index: in buckets (0 moved now)" in out.getvalue()
    assert unique_entries(raw, k, "clients", "email") == expected
    assert clean()


def test_an_interrupted_move_resumes(redis_store, raw, k):
    clients = redis_store.collection("clients")
    made = [clients.create(client_fields(f"C{i}", f"c{i}@example.org")) for i in range(600)]
    to_previous_layout(raw, k, "clients", "email")  # past 512 entries: a hashtable, scanned in steps
    backend, old = redis_store.backend, k.unique("clients", "email")
    assert raw.object("encoding", old) == "hashtable"
    cursor, moved, left = backend.move_unique("clients", "email", "0", 20)  # then interrupted
    assert cursor != "0" and 0 < moved < 100 and left == 600 - moved == raw.hlen(old)
    assert clean()  # half moved: both forms read
    steps = []
    assert clients.move_unique_index("email", chunk=50, progress=lambda done, total: steps.append(total)) == left
    assert len(steps) > 1 and steps[-1] == left
    assert not raw.exists(old)
    assert unique_entries(raw, k, "clients", "email") == {r["email"]: r["id"] for r in made}
    assert clients.move_unique_index("email") == 0


def test_the_jsonfile_backend_has_nothing_to_move(tmp_path, prefix, use_store):
    from tests.conftest import make_backend

    store = use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    store.collection("clients").create(client_fields("Ann", "ann@example.org"))
    assert store.collection("clients").move_unique_index("email") == 0
    assert store.backend.unique_to_move("clients", ("email",)) == ()
    assert get_store().collection("clients").owner("email", "ann@example.org")[1][0]["name"] == "Ann"
