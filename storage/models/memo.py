"""Results derived from a collection snapshot, kept while the snapshot is unchanged."""

import operator
import threading
from collections import OrderedDict


class Memo:
    """Results derived from a collection snapshot (the tuple `Collection.all()` returns, the same
    object while the collection is unchanged), kept until the snapshot changes. Bounded LRU."""

    def __init__(self, size=64):
        self.size = size
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, sources, compute):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and len(entry[0]) == len(sources) and all(map(operator.is_, entry[0], sources)):
                self.entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self.lock:
            self.entries[key] = (tuple(sources), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


memo = Memo()
filtered_memo = Memo(size=8)  # filter results can be large: keep few (a count and its page share one)
