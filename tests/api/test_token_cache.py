"""Token authentication without a SQL query per request, and a deleted or rotated token, a
deactivated user or a removed permission refused on the very next request."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from config.api import authentication
from storage.errors import StorageUnavailable
from tests.api.conftest import ALL_PERMS


@pytest.fixture
def token(redis_store, make_user):
    authentication.cache.clear()
    return Token.objects.create(user=make_user("robot", ALL_PERMS))


def get(token_key, url="/api/clients/"):
    return HttpClient().get(url, headers={"Authorization": f"Token {token_key}"})


def test_a_known_token_costs_no_sql_query_after_the_first_request(token):
    assert get(token.key).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert get(token.key).status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_a_deleted_token_is_refused_at_once(token):
    key = token.key  # the key is the primary key: delete() clears it on the instance
    assert get(key).status_code == 200
    token.delete()
    refused = get(key)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Token"


def test_a_rotated_token_is_refused_and_the_new_one_accepted(token):
    key = token.key
    assert get(key).status_code == 200
    user = token.user
    token.delete()
    new = Token.objects.create(user=user)
    assert get(key).status_code == 401
    assert get(new.key).status_code == 200


def test_a_deactivated_user_and_a_removed_permission_take_effect_at_once(token):
    assert get(token.key).status_code == 200
    user = token.user
    user.user_permissions.remove(Permission.objects.get(codename="view_client"))
    assert get(token.key).status_code == 403
    user.is_active = False
    user.save()
    assert get(token.key).status_code == 401


def test_a_change_made_by_another_process_is_seen_through_the_backend_counter(token, redis_store):
    assert get(token.key).status_code == 200
    # Another process deletes the token: only its bump of the backend's counter reaches this one.
    Token.objects.filter(pk=token.pk).update(key="rotated-elsewhere-0000000000000000000000")
    assert get(token.key).status_code == 200  # no signal, no bump: still cached (bounded by TTL)
    redis_store.backend.hit(authentication.GENERATION, 60)
    assert get(token.key).status_code == 401


def test_an_unreadable_counter_falls_back_to_the_database(token, monkeypatch):
    assert get(token.key).status_code == 200

    def down(name):
        raise StorageUnavailable("down")

    monkeypatch.setattr(type(token_backend()), "counted", lambda self, name: down(name))
    with CaptureQueriesContext(connection) as queries:
        authentication.CachedTokenAuthentication().authenticate_credentials(token.key)
    assert len(queries) == 1  # DRF's own lookup, not a cached answer


def test_the_token_cache_is_bounded_and_entries_expire(monkeypatch):
    cache = authentication.TokenCache(size=2, seconds=10)
    assert cache.get("a", 1) is None  # the generation this process read: 1
    for key in "abc":
        cache.put(key, 1, key)
    assert cache.get("a", 1) is None and cache.get("b", 1) == "b" and cache.get("c", 1) == "c"
    cache.put("short", 1, "short", lifetime=2)  # the counter's window has 2 s left
    now = authentication.time.monotonic()
    monkeypatch.setattr(authentication.time, "monotonic", lambda: now + 3)
    assert cache.get("short", 1) is None and cache.get("c", 1) == "c"
    monkeypatch.setattr(authentication.time, "monotonic", lambda: now + 11)
    assert cache.get("c", 1) is None


def test_another_generation_empties_the_whole_cache_and_a_late_put_is_dropped():
    cache = authentication.TokenCache()
    cache.get("a", 1)
    cache.put("a", 1, "a")
    cache.put("b", 1, "b")
    assert cache.get("a", 2) is None  # a change was made: every entry goes, not only this one
    assert cache.get("b", 1) is None  # back to 1 (a counter lost and recreated): nothing revived
    cache.put("c", 2, "c")  # read at 2 before another request read 1: not kept
    assert cache.get("c", 1) is None and len(cache._entries) == 0


def token_backend():
    from storage.store import get_store

    return get_store().backend


def test_every_backend_reads_a_counter_as_its_window_counts_it(store):
    assert store.backend.counted("auth-generation") == 0
    store.backend.hit("auth-generation", 60)
    store.backend.hit("auth-generation", 60)
    assert store.backend.counted("auth-generation") == 2 == store.backend.hits("auth-generation")[0]
