"""The rate-limit primitive of the storage layer: fixed-window counters under the key
prefix (`hit` / `hits` in the backend contract, config/ratelimit.py), on every backend and shared
across processes."""

import time

import pytest

from config.ratelimit import RateLimit
from storage.backends.redis import RedisBackend
from tests.conftest import make_backend
from tests.test_processes import run_worker


def test_hit_counts_per_name_and_hits_reads_without_counting(store):
    backend = store.backend
    assert backend.hits("scope:a") == (0, 0)
    assert [backend.hit("scope:a", 60)[0] for _ in range(3)] == [1, 2, 3]
    assert backend.hit("scope:b", 60)[0] == 1
    count, left = backend.hits("scope:a")
    assert count == 3 and 0 < left <= 60
    assert backend.hits("scope:a")[0] == 3  # reading does not count


@pytest.mark.parametrize("kind", ["redis", "jsonfile"])
def test_a_window_ends_and_counting_starts_again(kind, request, prefix, tmp_path):
    server = request.getfixturevalue("redis_server") if kind == "redis" else None
    backend = make_backend(kind, prefix, redis_server=server, tmp_path=tmp_path)
    backend.hit("scope:x", 1)
    assert backend.hit("scope:x", 1)[0] == 2
    time.sleep(1.2)  # the window is one second long
    assert backend.hits("scope:x") == (0, 0)
    assert backend.hit("scope:x", 1)[0] == 1


@pytest.mark.parametrize("name", ["a*b", "{x}:y", "../z", "", "n" * 200, "a b"])
def test_counter_names_are_checked_before_any_key(redis_store, name):
    with pytest.raises(ValueError):
        redis_store.backend.hit(name, 10)


def test_counters_live_under_the_prefix_and_always_expire(redis_server, redis_store, prefix):
    limit = RateLimit("login-user", limit=2, window=30)
    limit.count("../../etc/passwd*{}:\x00é")  # any subject: hashed into the name
    keys = redis_server.client().keys(f"*{prefix}*")
    assert len(keys) == 1 and keys[0].startswith(f"{{{prefix}}}:rate:login-user:")
    assert 0 < redis_server.client().ttl(keys[0]) <= 30


def test_two_stores_and_a_second_process_share_the_counters(redis_server, prefix, tmp_path):
    one = RedisBackend(redis_server.url, prefix)
    two = RedisBackend(redis_server.url, prefix)
    limit = RateLimit("login-ip", limit=5, window=60)
    for _ in range(2):
        limit.count("10.0.0.1", backend=one)
    limit.count("10.0.0.1", backend=two)
    name = limit.name("10.0.0.1")
    assert run_worker(redis_server.url, prefix, "hit", name, "60", "2").strip() == "5"  # another OS process
    assert limit.blocked("10.0.0.1", backend=one) > 0 and limit.blocked("10.0.0.1", backend=two) > 0
    assert limit.blocked("10.0.0.2", backend=one) == 0
    # the JSON-file backend shares its counters between processes too (one file, under flock)
    target = f"jsonfile:{tmp_path}"
    run_worker(target, prefix, "hit", "scope:j", "60", "3")
    assert run_worker(target, prefix, "hit", "scope:j", "60", "1").strip() == "4"
