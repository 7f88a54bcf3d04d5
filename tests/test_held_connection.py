"""The connection a standalone backend keeps for its single commands (storage/backends/held_connection.py),
on a real redis-server: every command of a thread that finds it free goes on it; a thread that finds
it busy goes through redis-py's pool; a connection that failed is given back and replaced; the reply
is what redis-py's own execute_command answers."""

import threading

import pytest

from storage import errors
from storage.backends.redis import RedisBackend


@pytest.fixture
def backend(redis_server, prefix):
    made = RedisBackend(redis_server.url, prefix, socket_timeout=1.0, connect_timeout=1.0)
    yield made
    made.close()


def connection_id(backend):
    return backend.call("CLIENT", "ID")


def test_single_commands_stay_on_one_connection_kept_out_of_the_pool(backend):
    first = connection_id(backend)
    backend.call("SET", f"{backend.keys.root}:k", "v")
    assert backend.call("GET", f"{backend.keys.root}:k") == "v"
    assert connection_id(backend) == first
    pool = backend.client.connection_pool
    assert backend._held.connection in pool._in_use_connections  # not checked in after each command


def test_a_thread_that_finds_it_busy_goes_through_the_pool(backend):
    held = connection_id(backend)
    answers = []
    backend._held.lock.acquire()  # another thread is in the middle of a command on it
    try:
        worker = threading.Thread(target=lambda: answers.append((connection_id(backend), backend.ping())))
        worker.start()
        worker.join(10)
    finally:
        backend._held.lock.release()
    [(other, pong)] = answers
    assert other != held and pong is True  # a pooled connection answered, and answered right
    assert connection_id(backend) == held  # free again: the held one serves


def test_threads_in_parallel_each_get_their_own_replies(backend):
    root, failures = backend.keys.root, []

    def hammer(tag):
        for n in range(300):
            backend.call("SET", f"{root}:{tag}:{n}", f"{tag}-{n}")
            if backend.call("GET", f"{root}:{tag}:{n}") != f"{tag}-{n}":
                failures.append((tag, n))

    workers = [threading.Thread(target=hammer, args=(tag,)) for tag in "abcd"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert failures == []


def test_a_connection_killed_under_it_is_replaced_and_the_command_retried(backend, redis_server):
    key = f"{backend.keys.root}:k"
    backend.call("SET", key, "kept")
    held = connection_id(backend)
    redis_server.client().client_kill_filter(_id=held)
    assert backend.call("GET", key) == "kept"  # the failed attempt dropped it; the retry took another
    assert connection_id(backend) != held
    pool = backend.client.connection_pool
    assert len(pool._in_use_connections) + len(pool._available_connections) == 1  # given back, not leaked


def test_an_error_reply_keeps_the_connection(backend):
    key = f"{backend.keys.root}:s"
    backend.call("SET", key, "a string")
    held = connection_id(backend)
    with pytest.raises(errors.CommandError, match="WRONGTYPE"):
        backend.call("HSET", key, "f", "v")
    assert connection_id(backend) == held


def test_replies_are_parsed_as_redis_py_parses_them(backend, redis_server):
    key = f"{backend.keys.root}:h"
    backend.call("HSET", key, "a", "1")
    assert backend.call("PING") is True
    assert backend.call("HGETALL", key) == redis_server.client().hgetall(key) == {"a": "1"}


def test_closing_the_backend_gives_the_connection_back(backend):
    connection_id(backend)
    held = backend._held.connection
    pool = backend.client.connection_pool
    assert held in pool._in_use_connections
    backend.close()
    assert held not in pool._in_use_connections and backend._held.connection is None
