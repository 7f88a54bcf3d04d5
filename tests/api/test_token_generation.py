"""The token cache's generation counter lost (evicted, flushed, or its window lapsed): no cached
token is trusted past the loss. A process that reads the missing counter empties its cache and
counts again; a change made after the loss is refused at once; no entry outlives the counter's
window, and the counter is made again from a random value, so one that climbs back to the value an
entry was cached at can't revive the entry."""

import time

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from config.api import authentication
from config.api.authentication import GENERATION
from tests.api.conftest import ALL_PERMS


@pytest.fixture
def tokens(redis_store, make_user):
    authentication.cache.clear()
    return [Token.objects.create(user=make_user(name, ALL_PERMS)) for name in ("robot", "other")]


def get(token):
    key = token if isinstance(token, str) else token.key
    return HttpClient().get("/api/clients/", headers={"Authorization": f"Token {key}"})


def cached(token):
    """200 without a SQL query: the token came from this process's cache."""
    with CaptureQueriesContext(connection) as queries:
        status = get(token).status_code
    return status == 200 and len(queries) == 0


def lose_counter(store):
    store.backend.call("DEL", store.backend.keys.rate(GENERATION))


def climb_to(store, value):
    """Other processes' changes bring the counter to `value` (no signal reaches this one): the
    worst case, a counter made again that reaches a value seen before."""
    store.backend.call("SET", store.backend.keys.rate(GENERATION), value, "KEEPTTL")


def revoke_elsewhere(token):
    Token.objects.filter(pk=token.pk).update(key=token.key[::-1])  # no signal here


def test_a_missing_counter_empties_the_cache_and_one_climbing_back_revives_nothing(tokens, redis_store):
    one, two = tokens
    assert get(one).status_code == 200 and get(two).status_code == 200
    assert cached(one) and cached(two)
    before = redis_store.backend.counted(GENERATION)
    for token in tokens:
        revoke_elsewhere(token)
    lose_counter(redis_store)
    assert get(one).status_code == 401  # the missing counter: read from the database
    assert redis_store.backend.counted(GENERATION) >= 1  # counting again
    climb_to(redis_store, before)  # back at the value both tokens were cached at
    assert get(two).status_code == 401


def test_a_change_made_here_after_the_counter_was_lost_is_refused_at_once(tokens, redis_store):
    one, _ = tokens
    lose_counter(redis_store)
    redis_store.backend.hit(GENERATION, 60)  # counter at 1
    assert get(one).status_code == 200 and cached(one)
    lose_counter(redis_store)
    key = one.key  # the key is the primary key: delete() clears it on the instance
    one.delete()  # its bump makes the counter again: from a random value, not from 0 to 1
    assert redis_store.backend.counted(GENERATION) not in (0, 1)
    refused = get(key)
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Token"


def test_no_entry_outlives_the_counters_window(tokens, redis_store, monkeypatch):
    one, _ = tokens
    monkeypatch.setattr(authentication, "WINDOW_MARGIN", 0)
    lose_counter(redis_store)
    redis_store.backend.hit(GENERATION, 1)  # at 1, in a window that ends in a second
    assert get(one).status_code == 200 and cached(one)
    revoke_elsewhere(one)
    time.sleep(1.2)  # the window lapses: Redis drops the counter
    assert redis_store.backend.counted(GENERATION) == 0
    climb_to(redis_store, 1)  # another process's change recreates it at the same value
    assert get(one).status_code == 401


def test_a_counter_never_made_is_created_and_tokens_are_cached_again(tokens, redis_store):
    one, _ = tokens
    lose_counter(redis_store)
    assert get(one).status_code == 200  # read from the database; the counter made
    assert redis_store.backend.counted(GENERATION) > 0
    assert get(one).status_code == 200  # read from the database, cached at that value
    assert cached(one)


def test_a_counter_made_again_starts_from_a_value_never_seen(tokens, redis_store):
    made = []
    for _ in range(3):
        lose_counter(redis_store)
        get(tokens[0])  # the missing counter is made again
        made.append(redis_store.backend.counted(GENERATION))
    assert len(set(made)) == 3 and min(made) > 1
