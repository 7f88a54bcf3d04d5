"""Per-process memory cache of one collection, kept coherent by the collection version counter.

The cache is only ever a copy of what the backend acknowledged: it is filled from reads and from
write-script replies, never ahead of them. Cached records are read-only mappings (tags become
tuples), so no caller can change what another caller will be served.
"""

import json
import threading
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


class CollectionCache:
    def __init__(self):
        self.lock = threading.RLock()
        self.version = None  # the collection version this memory is complete up to; None = empty
        self.records = {}
        self._ordered = None

    def replace(self, version, records):
        with self.lock:
            self.version = version
            self.records = {r["id"]: r for r in records}
            self._ordered = None

    def apply(self, version, changed_ids, fetched):
        """Bring memory to `version`: fetched records replace theirs, missing ones were deleted."""
        with self.lock:
            for record_id, record in zip(changed_ids, fetched, strict=True):
                if record is None:
                    self.records.pop(record_id, None)
                else:
                    self._keep_newer(record)
            self.version = max(version, self.version or 0)
            self._ordered = None

    def remember(self, record):
        """A record read on its own (its collection version is unknown: keep the newest copy)."""
        with self.lock:
            self._keep_newer(record)

    def written(self, record_id, record, collection_version):
        """A write this process made and the backend acknowledged (record None = deleted)."""
        with self.lock:
            if record is None:
                self.records.pop(record_id, None)
            else:
                self.records[record_id] = record
            self._ordered = None
            # Only advance when no other write happened in between; otherwise the next refresh
            # fetches the changes since the old version (ours included).
            if self.version is not None and collection_version == self.version + 1:
                self.version = collection_version

    def forget(self):
        with self.lock:
            self.replace(None, [])

    def ordered(self):
        """Every cached record, oldest first (creation time, then id)."""
        with self.lock:
            if self._ordered is None:
                self._ordered = tuple(sorted(self.records.values(), key=lambda r: (r["created_at"], r["id"])))
            return self._ordered

    def _keep_newer(self, record):
        old = self.records.get(record["id"])
        if old is None or old.get("version", 0) <= record.get("version", 0):
            self.records[record["id"]] = record
            self._ordered = None
