"""Token authentication without a SQL query per request: a bounded per-process cache of
token -> (user, token), checked against a generation counter kept in the storage backend.

Every change that can alter what a token grants (a token created, rotated or deleted; a user
saved or deleted; a user's or group's permissions or groups changed) bumps the counter, through
Django's signals (connected in config/api/apps.py). Each request reads the counter (one small
backend read, cheaper than the token query it replaces) and trusts the cache only at the value the
process last read: a deleted or rotated token is refused at once, on every worker of every server.

A counter can be lost (its window lapses, Redis evicts or is flushed). It is made again from a
random value (one in 2**48), never counted again from 0, so a value a worker cached tokens at does
not come back. Besides: a missing counter empties the cache and is made again; any other value
read empties it too (not only the entry asked for); the process making a change empties its own;
no entry outlives the counter's window. Entries also expire after
TOKEN_CACHE_SECONDS, a bound for changes made outside the ORM (raw SQL). When the backend can't be
read, the cache is skipped and the token is looked up in the database as DRF does (the Redis
backend reads the counter in one attempt, without retries, so an outage is not waited out twice by
one request).
"""

import secrets
import threading
import time
from collections import OrderedDict

from django.db import transaction
from rest_framework.authentication import TokenAuthentication

from storage.errors import StorageError
from storage.store import get_store

GENERATION = "auth-generation"  # a counter in the backend's rate-counter space
GENERATION_WINDOW = 30 * 24 * 3600  # the counter's lifetime; no entry outlives it (see put)
WINDOW_MARGIN = 2  # seconds: an entry dies this long before the counter's window ends
TOKEN_CACHE_SIZE = 1024
TOKEN_CACHE_SECONDS = 300


class TokenCache:
    """token key -> (expires, (user, token)), every entry cached at the one generation the process
    last read: reading another value (a change was made, or the counter was lost and recreated)
    empties the cache, not only the entry asked for."""

    def __init__(self, size=TOKEN_CACHE_SIZE, seconds=TOKEN_CACHE_SECONDS):
        self.size, self.seconds = size, seconds
        self.generation = None
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, generation):
        with self._lock:
            if generation != self.generation:
                self._entries.clear()
                self.generation = generation
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, credentials = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return credentials

    def put(self, key, generation, credentials, lifetime=None):
        """Kept for `lifetime` seconds at most (the counter's window left), and only while
        `generation` is still the one this process last read."""
        seconds = self.seconds if lifetime is None else min(self.seconds, lifetime)
        with self._lock:
            if generation != self.generation or seconds <= 0:
                return
            self._entries[key] = (time.monotonic() + seconds, credentials)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.generation = None


cache = TokenCache()


def generation():
    """The backend's current generation (0: no counter), or None when it can't be read."""
    try:
        return get_store().backend.counted(GENERATION)
    except StorageError:
        return None


def window_left(current):
    """Seconds before the counter's window ends, while it still counts `current` (else None): an
    entry dies before its counter lapses, so a counter recreated from 0 that climbs back to the
    same value can't revive it."""
    try:
        count, seconds = get_store().backend.hits(GENERATION)
    except StorageError:
        return None
    return seconds - WINDOW_MARGIN if count == current else None


def _bump():
    # A counter made again (lost, lapsed) starts from a random value, never from one seen before:
    # a worker's cached generation can't come back.
    get_store().backend.hit(GENERATION, GENERATION_WINDOW, start=secrets.randbelow(2**48) + 1)
    cache.clear()  # this process made the change: its entries go whatever value the counter shows


def bump(**_signal_kwargs):
    """Something that tokens grant changed: every process's cached tokens are stale. Bumped now
    (a backend that can't be told makes the change fail, inside its transaction) and again once
    the transaction commits (a worker that re-read the old row in between re-caches it at the
    first bump's generation)."""
    _bump()
    transaction.on_commit(_bump)


def bump_on_change(sender, created=False, update_fields=None, **kwargs):
    """post_save: a new row (a token, a user, a group) grants nothing a cache holds; a login only
    updates last_login. Anything else may change what a cached token grants."""
    if created or (update_fields is not None and set(update_fields) == {"last_login"}):
        return
    bump()


def _recreate():
    """A missing counter (never made, lapsed, evicted, flushed): count again from here on."""
    try:
        _bump()
    except StorageError:
        pass  # the token is read from the database until the counter can be made


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        current = generation()
        if current == 0:  # no counter: whatever was cached may predate a change; nothing is trusted
            cache.clear()
            _recreate()
        elif current is not None:
            credentials = cache.get(key, current)
            if credentials is not None:
                return credentials
        credentials = super().authenticate_credentials(key)  # 401 for an unknown or inactive user
        if current:
            lifetime = window_left(current)
            if lifetime is not None:
                cache.put(key, current, credentials, lifetime)
        return credentials
