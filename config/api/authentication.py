"""Token authentication without a SQL query per request: a bounded per-process cache of
token -> (user, token), checked against a generation counter kept in the storage backend.

Every change that can alter what a token grants (a token created, rotated or deleted; a user
saved or deleted; a user's or group's permissions or groups changed) bumps the counter, through
Django's signals (connected in config/api/apps.py). Each request reads the counter (one small
backend read, cheaper than the token query it replaces) and trusts a cached entry only when it was
cached at the same generation: a deleted or rotated token is refused at once, on every worker of
every server. Entries also expire after TOKEN_CACHE_SECONDS, a bound for changes made outside the
ORM (raw SQL). When the backend can't be read, the cache is skipped and the token is looked up in
the database as DRF does (the Redis backend reads the counter in one attempt, without retries,
so an outage is not waited out twice by one request).
"""

import threading
import time
from collections import OrderedDict

from django.db import transaction
from rest_framework.authentication import TokenAuthentication

from storage.errors import StorageError
from storage.store import get_store

GENERATION = "auth-generation"  # a counter in the backend's rate-counter space
GENERATION_WINDOW = 30 * 24 * 3600  # the counter's lifetime; when it lapses the value changes: safe
TOKEN_CACHE_SIZE = 1024
TOKEN_CACHE_SECONDS = 300


class TokenCache:
    def __init__(self, size=TOKEN_CACHE_SIZE, seconds=TOKEN_CACHE_SECONDS):
        self.size, self.seconds = size, seconds
        self._entries = OrderedDict()  # key -> (generation, expires, (user, token))
        self._lock = threading.Lock()

    def get(self, key, generation):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            cached_generation, expires, credentials = entry
            if cached_generation != generation or expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return credentials

    def put(self, key, generation, credentials):
        with self._lock:
            self._entries[key] = (generation, time.monotonic() + self.seconds, credentials)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()


cache = TokenCache()


def generation():
    """The backend's current generation, or None when it can't be read."""
    try:
        return get_store().backend.counted(GENERATION)
    except StorageError:
        return None


def _bump():
    get_store().backend.hit(GENERATION, GENERATION_WINDOW)


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


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        current = generation()
        if current is not None:
            credentials = cache.get(key, current)
            if credentials is not None:
                return credentials
        credentials = super().authenticate_credentials(key)  # 401 for an unknown or inactive user
        if current is not None:
            cache.put(key, current, credentials)
        return credentials
