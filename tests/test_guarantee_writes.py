"""The write path's promises, each pinned where it is kept: the compare-and-set inside the write
scripts (called at backend level, so no Python pre-check can hide a broken script), a write by
another client landing just before the script runs, and a reply lost after the script ran."""

import dataclasses
import json

import pytest

from storage import errors, scripts
from storage.collection import Collection, CollectionSpec
from tests.conftest import make_backend

COUNTERS = CollectionSpec("counters", "counter", "Counter")


def stale_update_write(collection, record, fields, expected_version):
    """The update Write of `record` with the given expected version, built by hand. The one place
    in this module that knows the Write's shape (it starts from the collection's own builder)."""
    write, _ = collection.create_write(
        fields, record_id=record["id"], created_at=record["created_at"], version=expected_version + 1
    )
    return dataclasses.replace(write, op="update", expected_version=expected_version, created_ms=0)


def raw_view(collection, record_id):
    """What the backend holds for the record and the collection, compared before / after."""
    backend = collection.backend
    return (
        backend.get(collection.name, record_id),
        backend.version(collection.name),
        backend.changes_since(collection.name, 0),
        backend.count(collection.name),
    )


@pytest.fixture(params=["redis", "cluster", "rest", "jsonfile"])
def counters(request, prefix, tmp_path):
    kind = request.param
    if kind == "cluster":
        cluster = request.getfixturevalue("redis_cluster")
        backend = make_backend("redis", prefix, redis_server=cluster)
    else:
        server = request.getfixturevalue("redis_server") if kind == "redis" else None
        rest = request.getfixturevalue("rest_server") if kind == "rest" else None
        backend = make_backend(kind, prefix, redis_server=server, tmp_path=tmp_path, rest_server=rest)
    yield Collection(COUNTERS, backend)
    backend.close()


def test_the_write_script_refuses_a_stale_expected_version_and_writes_nothing(counters):
    record = counters.create({"value": 0})
    current = counters.update(record["id"], {"value": 1}, expected_version=1)  # now at version 2
    assert counters.all()[0]["version"] == 2  # memory warm at version 2
    before, memory = raw_view(counters, record["id"]), dict(counters.cache.records)
    for stale in (0, 1, 3):  # older, the previous one, and one that never existed yet
        write = stale_update_write(counters, current, {"value": 99}, stale)
        with pytest.raises(errors.VersionConflict) as conflict:
            counters.backend.write(write)
        assert conflict.value.current == 2
        assert raw_view(counters, record["id"]) == before  # nothing written, no version bump
        assert dict(counters.cache.records) == memory
    assert [r["value"] for r in counters.all()] == [1]
    # The same Write at the right version is accepted: the refusals above were about the version.
    accepted = counters.backend.write(stale_update_write(counters, current, {"value": 2}, 2))
    assert (accepted.record_version, accepted.collection_version) == (3, 3)
    assert json.loads(counters.backend.get("counters", record["id"]))["value"] == 2


# --- another client's write, injected just before the script runs -------------------------------


@pytest.fixture(params=["redis", "rest"])
def two_clients(request, prefix):
    """(ours, theirs): two collections on two backends (two connections) to one real Redis."""
    server = request.getfixturevalue("redis_server")
    rest = request.getfixturevalue("rest_server") if request.param == "rest" else None
    kind = request.param
    ours = Collection(COUNTERS, make_backend(kind, prefix, redis_server=server, rest_server=rest))
    theirs = Collection(COUNTERS, make_backend("redis", prefix, redis_server=server))
    yield ours, theirs
    ours.backend.close()
    theirs.backend.close()


def inject_before_script(collection, other_write):
    """Run other_write() once, just before our backend's first write script call: whatever
    update() read (or did not read) before, the other client's write lands before our script."""
    backend = collection.backend
    original = backend.evalsha
    injected = []

    def evalsha(operation, keys, args):
        if operation == "update" and not injected:
            injected.append(other_write())
        return original(operation, keys, args)

    backend.evalsha = evalsha
    return injected


def test_with_an_expected_version_a_concurrent_write_is_never_overwritten(two_clients):
    ours, theirs = two_clients
    record = ours.create({"value": 0})
    injected = inject_before_script(ours, lambda: theirs.update(record["id"], {"value": 10}))
    with pytest.raises(errors.VersionConflict):
        ours.update(record["id"], {"value": 1}, expected_version=1)
    assert injected, "the other client's write was not injected"
    stored = json.loads(theirs.backend.get("counters", record["id"]))
    assert (stored["value"], stored["version"]) == (10, 2)  # theirs stands
    assert theirs.backend.version("counters") == 2  # the create and their update, not ours
    assert ours.get(record["id"])["value"] == 10


def test_without_an_expected_version_the_later_write_wins_and_both_are_counted(two_clients):
    ours, theirs = two_clients
    record = ours.create({"value": 0})
    injected = inject_before_script(ours, lambda: theirs.update(record["id"], {"value": 10}))
    updated = ours.update(record["id"], {"value": 1})
    assert injected, "the other client's write was not injected"
    assert (updated["value"], updated["version"]) == (1, 3)  # ours is the later write: on top of theirs
    stored = json.loads(theirs.backend.get("counters", record["id"]))
    assert (stored["value"], stored["version"]) == (1, 3)
    assert ours.backend.version("counters") == 3  # create + theirs + ours: each write counted once
    assert [r["value"] for r in theirs.all()] == [1]


# --- a reply lost after the script ran ------------------------------------------------------------


def test_rest_a_lost_reply_of_the_script_call_itself_is_applied_once(rest_server, redis_server, prefix):
    """The first attempt's script runs in Redis, then its HTTP reply is replaced by a 502; the
    retry carries the same operation id and gets the first run's result: a 200, one version bump."""
    counters = Collection(COUNTERS, make_backend("rest", prefix, rest_server=rest_server))
    record = counters.create({"value": 0})
    redis_server.client().script_load(scripts.source("update"))  # EVALSHA runs: no NOSCRIPT detour
    backend = counters.backend
    send, sent = backend._send, []

    def send_and_lose_the_first_script_reply(endpoint, body):
        is_script = isinstance(body, list) and body and body[0] in ("EVALSHA", "EVAL")
        if is_script:
            sent.append(body[0])
            if len(sent) == 1:
                rest_server.fail_next(502, "<html>Bad Gateway</html>", "text/html", after_running=True)
        return send(endpoint, body)

    backend._send = send_and_lose_the_first_script_reply
    try:
        updated = counters.update(record["id"], {"value": 1}, expected_version=1)
    finally:
        backend.close()
    assert sent == ["EVALSHA", "EVALSHA"]  # the reply was lost and the same script call sent again
    assert updated["version"] == 2  # the retry recognised its own write: no false conflict
    raw = redis_server.client()
    assert int(raw.get(f"{{{prefix}}}:counters:version")) == 2  # one bump: applied once
    assert json.loads(raw.get(f"{{{prefix}}}:counters:{record['id']}"))["value"] == 1


def test_a_retry_that_finds_its_write_applied_touches_the_operation_id(two_clients):
    """The retry's reply comes from the operation id's record, and the script touches that key:
    the retry is a write of its own (so a WAIT after it covers the original write too)."""
    ours, theirs = two_clients
    record = ours.create({"value": 0})
    write = ours.build_write("update", record["id"], {"value": 1}, expected_version=1, updated_at=record["updated_at"])
    first = ours.backend.write(write)
    op_key = theirs.backend.keys.op(write.op_id)
    ttl = theirs.backend.client.ttl(op_key)
    theirs.backend.client.expire(op_key, 5)
    assert ours.backend.write(write) == first
    assert theirs.backend.client.ttl(op_key) > 5 and ttl > 5  # the retry set the key's lifetime again
