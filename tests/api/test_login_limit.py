"""Rate limiting of authentication: 429 on every login path past the limit, counted in the
storage backend (the primitive itself: tests/test_storage_ratelimit.py)."""

import base64

import pytest
from django.test import Client as HttpClient

LIMIT = 3


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
