"""Per-process memory cache of one collection, kept coherent by the collection version counter.

The cache is only ever a copy of what the backend acknowledged: it is filled from reads and from
write-script replies, never ahead of them. Cached records are read-only mappings (tags become
tuples), so no caller can change what another caller will be served.

Two states. Complete (`version` set): every record of the collection, in list order, so a list is
served from memory. Partial (`version` None): the collection is larger than the cache may hold, or
not loaded yet; only the records read recently are kept, at most `max_records`, oldest dropped
first (what a detail read or a stale-read fallback may serve).
"""

import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from .errors import InvalidRecord
from .jsontext import loads
from .snapshot import Snapshot

CHUNK = 512  # records per chunk of the list order: a change copies one chunk, not the collection
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


SCALARS = frozenset((str, int, float, bool, type(None)))  # what JSON gives besides dicts and lists


def freeze(value):
    """A read-only deep copy (dicts as MappingProxyType, lists as tuples); every record read is
    frozen, so scalars are passed through without a call each."""
    if isinstance(value, dict):
        return MappingProxyType({k: v if type(v) in SCALARS else freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(v if type(v) in SCALARS else freeze(v) for v in value)
    return value


def thaw(value):
    """A plain, mutable deep copy of a frozen record (dicts and lists)."""
    if isinstance(value, MappingProxyType | dict):
        return {k: v if type(v) in SCALARS else thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [v if type(v) in SCALARS else thaw(v) for v in value]
    return value


def parse(text):
    try:
        record = loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"stored value is not JSON: {exc}") from exc
    if not isinstance(record, dict) or "id" not in record:
        raise InvalidRecord("stored value is not a record")
    return freeze(record)


def epoch_ms(iso):
    """Whole milliseconds since the epoch of an ISO timestamp: the creation index's score."""
    moment = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    return epoch_ms_of(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))


def epoch_ms_of(moment):
    """Whole milliseconds since the epoch of an aware datetime."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def order_key(record):
    """Lists are oldest first: creation time to the millisecond, then id — the creation index's own
    order (score, then member), so memory and the index list records alike."""
    try:
        return (epoch_ms(record["created_at"]), record["id"])
    except (KeyError, TypeError, ValueError):
        return (0, record["id"])


class CollectionCache:
    """The records by id; when complete, also in list order, kept in sorted chunks (a change costs a
    bisect and one chunk, the next list a snapshot of the chunk list)."""

    def __init__(self, max_records=None):
        self.lock = threading.RLock()
        self.max_records = max_records  # None = unbounded
        self.version = None  # the collection version this memory is complete up to; None = partial
        # by id, least recently used first (a partial cache drops from the front): an OrderedDict,
        # because a dict's first key is found by skipping every slot freed at its front, which cost
        # 21 µs a record read at 100,000 records
        self.records = OrderedDict()
        self._keys = []  # per chunk: the order_key of its records, sorted
        self._rows = []  # per chunk: its records, in the same order
        self._frozen = []  # per chunk: a tuple of its rows, or None once changed
        self._firsts = None  # the first key of each chunk; None once chunks come or go (made again when asked)
        self._snapshot = None

    def replace(self, version, records):
        with self.lock:
            self.version = version
            self.records = OrderedDict((r["id"], r) for r in records)
            rows = sorted(self.records.values(), key=order_key)
            self._rows = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
            self._keys = [[order_key(r) for r in chunk] for chunk in self._rows]
            self._frozen = [None] * len(self._rows)
            self._firsts = self._snapshot = None

    def make_partial(self):
        """The collection outgrew the cache: keep only the most recent records, no list order."""
        with self.lock:
            self.version = None
            self._keys, self._rows, self._frozen, self._snapshot = [], [], [], None
            self._trim()

    def apply(self, version, changed_ids, fetched):
        """Bring memory to `version`: fetched records replace theirs, missing ones were deleted."""
        with self.lock:
            for record_id, record in zip(changed_ids, fetched, strict=True):
                if record is None:
                    self._drop(record_id)
                else:
                    self._keep_newer(record)
            if self.version is not None:
                self.version = max(version, self.version)

    def remember(self, *records):
        """Records read on their own (their collection version is unknown: keep the newest copy)."""
        with self.lock:
            for record in records:
                self._keep_newer(record)

    def written(self, record_id, record, collection_version):
        """A write this process made and the backend acknowledged (record None = deleted)."""
        with self.lock:
            if record is None:
                self._drop(record_id)
            else:
                self._put(record)
            # Only advance when no other write happened in between; otherwise the next refresh
            # fetches the changes since the old version (ours included).
            if self.version is not None and collection_version == self.version + 1:
                self.version = collection_version

    def discard(self, record_id):
        """A record read on its own was not found: it is gone."""
        with self.lock:
            self._drop(record_id)

    def summary(self):
        """(version, number of cached records)."""
        with self.lock:
            return self.version, len(self.records)

    def snapshot(self):
        """(version, {id: record}) as one consistent copy: what this process would serve."""
        with self.lock:
            return self.version, dict(self.records)

    def ordered(self):
        """Every cached record, oldest first (creation time, then id), as a Snapshot."""
        return self.versioned()[1]

    def versioned(self):
        """(version, the Snapshot of every cached record), taken together: the records are at least
        that version of the collection."""
        with self.lock:
            if self._snapshot is None:
                for at, frozen in enumerate(self._frozen):
                    if frozen is None:
                        self._frozen[at] = tuple(self._rows[at])
                self._snapshot = Snapshot(self._frozen)
            return self.version, self._snapshot

    def _keep_newer(self, record):
        old = self.records.get(record["id"])
        if old is not record and (old is None or (old.get("version", 0) <= record.get("version", 0) and old != record)):
            self._put(record)  # an identical copy is not a change: the list snapshot stays valid
        elif self.version is None:
            self.records.move_to_end(record["id"])  # recently used

    def _put(self, record):
        record_id = record["id"]
        if self.version is None:  # partial: no list order, just the most recent records
            self.records[record_id] = record
            self.records.move_to_end(record_id)
            self._trim()
            return
        old = self.records.get(record_id)
        if old is record:
            return
        if old is not None:
            at, pos = self._locate(order_key(old))
            if order_key(old) == order_key(record):
                self._rows[at][pos] = record
                self.records[record_id] = record
                self._changed(at)
                return
            self._drop(record_id)
        key = order_key(record)
        if not self._rows:
            self._rows, self._keys, self._frozen = [[]], [[]], [None]
        at = self._chunk_for(key)
        pos = bisect_left(self._keys[at], key)
        self._keys[at].insert(pos, key)
        self._rows[at].insert(pos, record)
        self.records[record_id] = record
        self._changed(at)
        if len(self._rows[at]) > 2 * CHUNK:
            half = len(self._rows[at]) // 2
            self._rows[at + 1 : at + 1] = [self._rows[at][half:]]
            self._keys[at + 1 : at + 1] = [self._keys[at][half:]]
            self._frozen[at + 1 : at + 1] = [None]
            self._firsts = None
            del self._rows[at][half:], self._keys[at][half:]

    def _drop(self, record_id):
        old = self.records.pop(record_id, None)
        if old is None or self.version is None:
            return
        at, pos = self._locate(order_key(old))
        del self._keys[at][pos]
        del self._rows[at][pos]
        if self._rows[at]:
            self._changed(at)
        else:
            del self._rows[at], self._keys[at], self._frozen[at]
            self._firsts = self._snapshot = None

    def _chunk_for(self, key):
        """The chunk where `key` belongs (chunks are never empty, but for the first one)."""
        # Made again only when chunks are added or removed: a chunk's first key changes otherwise
        # only by a record put before every other (always chunk 0) or by its first record removed
        # (its first key grows), and a key between the old first and the new one sorts right at
        # the end of the chunk before as at the start of this one, so either may take it.
        if self._firsts is None:
            self._firsts = [keys[0] for keys in self._keys if keys]
        return max(bisect_right(self._firsts, key) - 1, 0)

    def _locate(self, key):
        """(chunk, position) of the record with this order key (it is cached)."""
        at = self._chunk_for(key)
        pos = bisect_left(self._keys[at], key)
        if pos == len(self._keys[at]) or self._keys[at][pos] != key:
            raise KeyError(key)
        return at, pos

    def _changed(self, at):
        self._frozen[at] = None
        self._snapshot = None

    def _trim(self):
        if self.max_records is None:
            return
        while len(self.records) > self.max_records:
            self.records.popitem(last=False)
