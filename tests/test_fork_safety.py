"""A process forked after its connection pool exists (gunicorn --preload, multiprocessing) gets
sockets of its own: redis-py pools check the pid and start afresh in the child. Each process keeps
its own memory cache, and both stay coherent through Redis."""

import multiprocessing
import threading

import pytest

from storage.backends.redis import RedisBackend
from storage.collection import Collection
from tests.test_storage_contract import CLIENTS, client_fields

ROUNDS = 200


def hammer(backend, tag, errors):
    """Many commands whose replies are checked: a shared socket would mix replies up."""
    for n in range(ROUNDS):
        key = f"{backend.keys.root}:fork:{tag}:{n}"
        backend.call("SET", key, f"{tag}-{n}")
        if backend.call("GET", key) != f"{tag}-{n}":
            errors.append(n)


def child(backend, results):
    errors = []
    client_id = backend.call("CLIENT", "ID")
    hammer(backend, "child", errors)
    records = Collection(CLIENTS, backend)
    first = records.all()[0]
    records.update(first["id"], client_fields(name="changed by the child"), expected_version=first["version"])
    records.create(client_fields(name="made by the child"))
    results.put((client_id, errors))


@pytest.mark.parametrize("topology", ["standalone", "sentinel"])
def test_a_forked_child_has_its_own_connections_and_caches_stay_coherent(topology, request, prefix):
    if topology == "standalone":
        backend = RedisBackend(request.getfixturevalue("redis_server").url, prefix)
    else:
        backend = RedisBackend(request.getfixturevalue("redis_sentinel").url(), prefix)
    parent = Collection(CLIENTS, backend)
    created = parent.create(client_fields(name="made by the parent"))
    assert len(parent.all()) == 1  # pool and memory cache both exist before the fork
    parent_id = backend.call("CLIENT", "ID")

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    process = context.Process(target=child, args=(backend, results))
    process.start()
    parent_errors = []
    worker = threading.Thread(target=hammer, args=(backend, "parent", parent_errors))
    worker.start()  # the parent keeps using its pool while the child runs
    child_id, child_errors = results.get(timeout=30)
    process.join(30)
    worker.join(30)

    assert process.exitcode == 0
    assert child_id != parent_id  # the child opened its own connection
    assert child_errors == [] and parent_errors == []
    # The child neither used nor closed the parent's connection: it is still open on the server.
    assert f"id={parent_id} " in backend.call("CLIENT", "LIST", "ID", parent_id)
    # The parent's memory catches up with the child's writes in one round trip.
    names = {r["name"] for r in parent.all()}
    assert names == {"changed by the child", "made by the child"}
    assert parent.get(created["id"])["version"] == 2
