"""Results computed from a collection at one version (query pages, derived maps), kept per process.

The version is part of the key, so a result can never be served for a newer state of the
collection; the latest result of each query, whatever its version, is kept for the stale-read
fallback (served only flagged, when the backend can't be read).
"""

import threading
from collections import OrderedDict


class VersionedResults:
    """LRU of results by (version, query), plus the latest result of each query, bounded in count
    and in the records they hold (a page of 500 records weighs 500), so that paging through a large
    collection keeps at most `max_records` records alive here."""

    def __init__(self, size=256, max_records=100_000):
        self.size = size
        self.max_records = max_records
        self.entries = OrderedDict()
        self.latest = OrderedDict()
        self.weights = [0, 0]  # the records entries and latest hold, kept as they change (no sum per put)
        self.lock = threading.Lock()

    def get(self, key, version):
        with self.lock:
            found = self.entries.get((version, key))
            if found is None:
                return None
            self.entries.move_to_end((version, key))
            return found[0]

    def put(self, key, version, value, weight=1):
        """Keep value (holding `weight` records) as the result of key at version."""
        with self.lock:
            for at, (store, entry) in enumerate(((self.entries, (version, key)), (self.latest, key))):
                total = self.weights[at]
                replaced = store.get(entry)
                if replaced is not None:
                    total -= replaced[1]
                store[entry] = (value, weight)
                store.move_to_end(entry)
                total += weight
                while len(store) > self.size or (len(store) > 1 and total > self.max_records // 2):
                    total -= store.popitem(last=False)[1][1]
                self.weights[at] = total

    def last(self, key):
        with self.lock:
            found = self.latest.get(key)
            return None if found is None else found[0]
