"""Rate limiting of authentication (issue 8): the storage primitive (fixed-window counters under the
key prefix) on every backend and across processes, and 429 on every login path past the limit."""

import base64
import time

import pytest
from django.test import Client as HttpClient

from storage.backends.redis import RedisBackend
from storage.ratelimit import RateLimit
from tests.test_processes import run_worker

LIMIT = 3


# --- the primitive ------------------------------------------------------------------------------


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
    from tests.conftest import make_backend

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


# --- the login paths ----------------------------------------------------------------------------


@pytest.fixture
def limited(settings, api_store, make_user):
    settings.AUTH_FAILURE_LIMIT = LIMIT
    make_user("alice", ["view_client"])
    make_user("bob", ["view_client"])
    return api_store


def admin_login(http, username, password):
    return http.post("/admin/login/", {"username": username, "password": password})


def api_login(http, username, password):
    return http.post("/api/auth/login/", {"username": username, "password": password})


def token(http, username, password):
    return http.post("/api/auth/token/", {"username": username, "password": password}, content_type="application/json")


def basic(http, username, password):
    value = base64.b64encode(f"{username}:{password}".encode()).decode()
    return http.get("/api/clients/", headers={"Authorization": f"Basic {value}"})


PATHS = {"admin": admin_login, "api_login": api_login, "token": token, "basic": basic}
FAILED = {"admin": 200, "api_login": 200, "token": 400, "basic": 401}


@pytest.mark.parametrize("path", list(PATHS))
def test_password_guessing_gets_429_past_the_limit(limited, path):
    attempt = PATHS[path]
    http = HttpClient()
    for _ in range(LIMIT):
        assert attempt(http, "alice", "wrong").status_code == FAILED[path]
    refused = attempt(http, "alice", "wrong")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 900
    if path in ("token", "basic"):
        assert refused.json()["code"] == "too_many_attempts"
    # while blocked, even the right password is not checked
    assert attempt(HttpClient(), "alice", "pw-alice").status_code == 429


def test_the_limit_is_shared_by_every_login_path(limited):
    http = HttpClient()
    admin_login(http, "alice", "guess-1")
    token(http, "alice", "guess-2")
    basic(http, "alice", "guess-3")
    assert api_login(http, "alice", "pw-alice").status_code == 429


def test_one_address_guessing_many_users_is_stopped(limited):
    http = HttpClient()
    for name in ("carol", "dave", "erin"):
        token(http, name, "wrong")
    assert token(http, "bob", "pw-bob").status_code == 429  # same address (REMOTE_ADDR)
    other = HttpClient(REMOTE_ADDR="192.0.2.7")
    assert token(other, "bob", "pw-bob").status_code == 200  # bob from elsewhere is fine


def test_logins_below_the_limit_work(limited):
    http = HttpClient()
    token(http, "alice", "wrong")
    ok = token(http, "alice", "pw-alice")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    assert http.get("/api/clients/", headers={"Authorization": f"Token {ok.json()['token']}"}).status_code == 200
    assert api_login(HttpClient(), "alice", "pw-alice").status_code == 302


def test_an_unreachable_backend_does_not_lock_everyone_out(settings, own_redis_server, prefix, use_store, make_user):
    from tests.conftest import make_backend

    settings.AUTH_FAILURE_LIMIT = LIMIT
    use_store(make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.2, connect_timeout=0.2))
    make_user("alice")
    own_redis_server.kill()
    assert token(HttpClient(), "alice", "pw-alice").status_code == 200  # logins need no records
