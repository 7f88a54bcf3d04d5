"""Results computed from a collection at one version (query pages, derived maps), kept per process.

The version is part of the key, so a result can never be served for a newer state of the
collection; the latest result of each query, whatever its version, is kept for the stale-read
fallback (served only flagged, when the backend can't be read).
"""

import threading
from collections import OrderedDict


class VersionedResults:
    """Bounded LRU of results by (version, query), plus the latest result of each query."""

    def __init__(self, size=256):
        self.size = size
        self.entries = OrderedDict()
        self.latest = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, version):
        with self.lock:
            found = self.entries.get((version, key))
            if found is not None:
                self.entries.move_to_end((version, key))
            return found

    def put(self, key, version, value):
        with self.lock:
            for store, entry in ((self.entries, (version, key)), (self.latest, key)):
                store[entry] = value
                store.move_to_end(entry)
                while len(store) > self.size:
                    store.popitem(last=False)

    def last(self, key):
        with self.lock:
            return self.latest.get(key)
