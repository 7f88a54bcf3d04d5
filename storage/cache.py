"""Per-process memory cache of one collection, kept coherent by the collection version counter.

The cache is only ever a copy of what the backend acknowledged: it is filled from reads and from
write-script replies, never ahead of them. Cached records are read-only mappings (tags become
tuples), so no caller can change what another caller will be served.
"""

import json
import threading
from bisect import bisect_left
from types import MappingProxyType

from .errors import InvalidRecord


def freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value):
    """A plain, mutable deep copy of a frozen record (dicts and lists)."""
    if isinstance(value, MappingProxyType | dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(v) for v in value]
    return value


def parse(text):
    try:
        record = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"stored value is not JSON: {exc}") from exc
    if not isinstance(record, dict) or "id" not in record:
        raise InvalidRecord("stored value is not a record")
    return freeze(record)


def order_key(record):
    """Lists are oldest first: creation time, then id."""
    return (record["created_at"], record["id"])


class CollectionCache:
    """The records by id, plus the same records kept in list order (two parallel sorted lists), so
    that a change costs a bisect and the next list a copy, never a sort of the whole collection."""

    def __init__(self):
        self.lock = threading.RLock()
        self.version = None  # the collection version this memory is complete up to; None = empty
        self.records = {}
        self._keys = []  # order_key of each record, sorted
        self._rows = []  # the records, in the same order
        self._ordered = None  # tuple(self._rows), built on demand

    def replace(self, version, records):
        with self.lock:
            self.version = version
            self.records = {r["id"]: r for r in records}
            rows = sorted(self.records.values(), key=order_key)
            self._keys = [order_key(r) for r in rows]
            self._rows = rows
            self._ordered = None

    def apply(self, version, changed_ids, fetched):
        """Bring memory to `version`: fetched records replace theirs, missing ones were deleted."""
        with self.lock:
            for record_id, record in zip(changed_ids, fetched, strict=True):
                if record is None:
                    self._drop(record_id)
                else:
                    self._keep_newer(record)
            self.version = max(version, self.version or 0)

    def remember(self, record):
        """A record read on its own (its collection version is unknown: keep the newest copy)."""
        with self.lock:
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
        """Every cached record, oldest first (creation time, then id)."""
        return self.versioned()[1]

    def versioned(self):
        """(version, every cached record oldest first), taken together: the records are at least
        that version of the collection."""
        with self.lock:
            if self._ordered is None:
                self._ordered = tuple(self._rows)
            return self.version, self._ordered

    def _keep_newer(self, record):
        old = self.records.get(record["id"])
        if old is None or (old.get("version", 0) <= record.get("version", 0) and old != record):
            self._put(record)  # an identical copy is not a change: the list snapshot stays valid

    def _put(self, record):
        old = self.records.get(record["id"])
        if old is record:
            return
        if old is not None:
            if order_key(old) == order_key(record):
                self._rows[self._position(old)] = record
                self.records[record["id"]] = record
                self._ordered = None
                return
            self._drop(record["id"])
        key = order_key(record)
        at = bisect_left(self._keys, key)
        self._keys.insert(at, key)
        self._rows.insert(at, record)
        self.records[record["id"]] = record
        self._ordered = None

    def _drop(self, record_id):
        old = self.records.pop(record_id, None)
        if old is not None:
            at = self._position(old)
            del self._keys[at]
            del self._rows[at]
            self._ordered = None

    def _position(self, record):
        return bisect_left(self._keys, order_key(record))
