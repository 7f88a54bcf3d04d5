"""Rendered response bytes, kept per process and keyed by what Redis says they were built from.

A detail is keyed by (view, record id, record version, updated_at, media type), a list page by
(view, collection version read in the same request, normalised query, host, media type): the
version is part of the key, so no invalidation can be missed and nothing older than what this
request read is ever served. Only JSON is kept (the browsable API's HTML differs per user).

Bounded by the total size of the kept bytes (settings.API_RENDER_CACHE_BYTES); least recently
used first out. 0 turns the cache off.
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer


class RenderCache:
    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.size = 0
        self._entries = OrderedDict()  # key -> (content type, bytes)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, content_type, content):
        if len(content) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old[1])
            self._entries[key] = (content_type, content)
            self.size += len(content)
            while self.size > self.max_bytes:
                _key, (_type, dropped) = self._entries.popitem(last=False)
                self.size -= len(dropped)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.size = 0

    def __len__(self):
        return len(self._entries)


cache = RenderCache(settings.API_RENDER_CACHE_BYTES)


def cacheable(request):
    """The key part naming the representation, or None when it must not be cached (not JSON)."""
    renderer = getattr(request, "accepted_renderer", None)
    if cache.max_bytes <= 0 or type(renderer) is not JSONRenderer:
        return None
    return request.accepted_media_type


def cached_response(key, status=200, headers=None):
    """The kept bytes as a response, or None."""
    entry = cache.get(key)
    if entry is None:
        return None
    content_type, content = entry
    response = HttpResponse(content, content_type=content_type, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def keep_when_rendered(response, key):
    """Keep the response's bytes once DRF has rendered them (a 200 only)."""

    def keep(rendered):
        if rendered.status_code == 200:
            cache.put(key, rendered["Content-Type"], rendered.content)

    response.add_post_render_callback(keep)
    return response
