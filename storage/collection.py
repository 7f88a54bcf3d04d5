"""The collection API: get / all / create / update / delete, written through to the backend.

Reads: a single record is one round trip to the backend; a whole collection is served from the
process cache after one round trip that reads the collection version (and, when it moved, the
changed records only). Writes: one atomic script call; memory changes only after the backend
acknowledged. When the backend can't be read (after the retries) and stale reads are allowed
(production), the last known memory state is served, flagged stale, with a critical log.
"""

import contextvars
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ulid import ULID

from . import log
from .backends.base import Dependent, Write
from .cache import CollectionCache, freeze, parse
from .errors import InvalidRecord, NotFound, ReferenceViolation, StorageUnavailable, VersionConflict
from .keys import valid_id

# The fields the store sets on every record (never taken from a caller): the one declaration that
# the model, its serializers, the admin and the import derive from.
SYSTEM_FIELDS = ("id", "version", "created_at", "updated_at")
# How log lines name the backend, as the seed's operators read them ("saved to Redis").
BACKEND_NAMES = {"redis": "Redis", "rest": "Vercel KV", "jsonfile": "JSON files"}
LAST_WRITER_WINS_ATTEMPTS = 5

_stale = contextvars.ContextVar("storage_stale", default=False)


def stale_served():
    """True when something in the current context was served from stale memory."""
    return _stale.get()


def reset_stale():
    _stale.set(False)


@dataclass(frozen=True)
class CollectionSpec:
    """What the storage layer needs to know about a record type (declared by the app's model)."""

    name: str
    id_prefix: str
    label: str = ""  # how logs name one record, e.g. "Client"
    unique: dict = field(default_factory=dict)  # field -> normaliser(value) -> str
    references: dict = field(default_factory=dict)  # field -> target collection name
    title_field: str = ""  # a field that makes log lines readable (name, title...)
    listed: tuple = ()  # further fields that identify a record in a diagnostics listing


def now_iso():
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Collection:
    def __init__(self, spec, backend, *, dependents=(), stale_reads=False):
        self.spec = spec
        self.name = spec.name
        self.label = spec.label or spec.name
        self.backend = backend
        self.dependents = tuple(dependents)
        self.stale_reads = stale_reads
        self.cache = CollectionCache()
        self.where = BACKEND_NAMES.get(getattr(backend, "name", ""), "the backend")
        self.serving_stale = False  # the last list read fell back to stale memory (for health)

    # ids
    def new_id(self):
        return f"{self.spec.id_prefix}_{ULID()}"

    # reads
    def get(self, record_id):
        """The record, or None. Ids that can't be valid are simply not found (no round trip)."""
        if not valid_id(record_id):
            return None
        try:
            text = self.backend.get(self.name, record_id)
        except StorageUnavailable as exc:
            cached = self.cache.records.get(record_id)
            if not self.stale_reads or cached is None:
                log.error(f"Error reading {self.name} {record_id} from {self.where}: {exc}")
                raise
            self._served_stale(exc)
            return cached
        if text is None:
            self.cache.discard(record_id)
            return None
        record = parse(text)
        self.cache.remember(record)
        return record

    def require(self, record_id):
        record = self.get(record_id)
        if record is None:
            raise NotFound(self.name, record_id)
        return record

    def all(self):
        """Every record, oldest first: from memory once memory is checked against the backend."""
        return self.all_with_version()[1]

    def all_with_version(self):
        """(collection version, every record oldest first): the version this read was checked
        against, so that whatever is derived from these records can be keyed by it (a response
        cache never serves bytes older than the version read in the same request)."""
        try:
            self.refresh()
            self.serving_stale = False
        except StorageUnavailable as exc:
            if not self.stale_reads or self.cache.version is None:
                log.error(f"Error reading {self.name} from {self.where}: {exc}")
                raise
            self._served_stale(exc)
        return self.cache.versioned()

    def refresh(self):
        """Bring the cache to the backend's current version; costs what changed, not the size."""
        cache = self.cache
        if cache.version is None:
            return self._reload()
        version = self.backend.version(self.name)
        if version == cache.version:
            return
        changes = self.backend.changes_since(self.name, cache.version)
        if changes.floor > cache.version or version < cache.version:
            return self._reload()  # trimmed change log, or a backend that was reset
        fetched = [self._parse_or_none(t) for t in self.backend.get_many(self.name, changes.ids)]
        cache.apply(changes.version, changes.ids, fetched)
        log.success(
            f"{self.label} cache refreshed from {self.where}: {len(changes.ids)} change(s)",
            collection=self.name,
            changed=len(changes.ids),
            version=changes.version,
        )

    def _reload(self):
        version, ids = self.backend.snapshot_ids(self.name)
        records = [r for r in (self._parse_or_none(t) for t in self.backend.get_many(self.name, ids)) if r]
        self.cache.replace(version, records)
        log.success(
            f"{self.label} records reloaded from {self.where}: {len(records)} record(s)",
            collection=self.name,
            count=len(records),
            version=version,
        )

    def _parse_or_none(self, text):
        if text is None:
            return None
        try:
            return parse(text)
        except InvalidRecord as exc:
            log.error(f"Skipping a {self.name} record that does not parse: {exc}", collection=self.name)
            return None

    def _served_stale(self, exc):
        _stale.set(True)
        self.serving_stale = True
        log.error(
            f"CRITICAL: cannot read {self.name} from {self.where} ({exc}); serving the last known "
            "memory state, which may be stale",
            critical=True,
            collection=self.name,
        )

    def memory(self):
        """(version, {id: record}) this process holds, without asking the backend (diagnostics)."""
        return self.cache.snapshot()

    def count(self):
        return self.backend.count(self.name)

    def ids_by(self, field_name, value):
        if not valid_id(value):
            return []
        return self.backend.ids_by(self.name, field_name, value)

    # writes
    def create(self, fields, *, record_id=None, created_at=None, updated_at=None, version=None):
        """Store a new record. record_id / created_at / updated_at / version are for imports (a
        restored record keeps them); otherwise server-assigned (version 1)."""
        write, doc = self.create_write(
            fields, record_id=record_id, created_at=created_at, updated_at=updated_at, version=version
        )
        return self._commit(write, doc, "created")

    def create_write(self, fields, *, record_id=None, created_at=None, updated_at=None, version=None):
        """(Write, document) of a create, not sent: create() commits it, bulk loaders batch it."""
        record_id = record_id or self.new_id()
        if not valid_id(record_id):
            raise ValueError(f"invalid record id {record_id!r}")
        stamp = now_iso()
        doc = self._document(record_id, fields, int(version or 1), created_at or stamp, updated_at or stamp)
        write = Write(
            op="create",
            collection=self.name,
            record_id=record_id,
            op_id=uuid.uuid4().hex,
            doc=doc,
            created_ms=_epoch_ms(created_at or stamp),
            unique=self._unique_changes(None, fields),
            by=self._by_changes(None, fields),
            refs=self._refs(fields),
        )
        return write, doc

    def update(self, record_id, fields, *, expected_version=None):
        """Replace the record's fields. With expected_version, a stale version is a conflict;
        without it, the latest version is updated (retrying if another write slips in)."""
        attempts = 1 if expected_version is not None else LAST_WRITER_WINS_ATTEMPTS
        for attempt in range(1, attempts + 1):
            current = self.get(record_id)
            if current is None:
                raise NotFound(self.name, record_id)
            if expected_version is not None and current["version"] != expected_version:
                raise VersionConflict(self.name, record_id, expected_version, current["version"])
            version = current["version"] + 1
            doc = self._document(record_id, fields, version, current["created_at"], now_iso())
            write = Write(
                op="update",
                collection=self.name,
                record_id=record_id,
                op_id=uuid.uuid4().hex,
                doc=doc,
                expected_version=current["version"],
                unique=self._unique_changes(current, fields),
                by=self._by_changes(current, fields),
                refs=self._refs(fields),
            )
            try:
                return self._commit(write, doc, "updated")
            except VersionConflict:
                if attempt == attempts:
                    raise

    def delete(self, record_id, *, expected_version=None, cascade=False):
        """Delete the record; returns how many dependents went with it (cascade)."""
        current = self.get(record_id)
        if current is None:
            raise NotFound(self.name, record_id)
        write = Write(
            op="delete",
            collection=self.name,
            record_id=record_id,
            op_id=uuid.uuid4().hex,
            expected_version=expected_version,
            unique=self._unique_changes(current, None),
            by=self._by_changes(current, None),
            dependents=self.dependents,
            cascade=cascade,
        )
        result = self._commit(write, None, "deleted")
        return result

    def _commit(self, write, doc, verb):
        try:
            result = self.backend.write(write)
        except Exception as exc:
            log.error(
                f"Error: {self.label} {write.record_id} not {verb} ({type(exc).__name__}: {exc})",
                collection=self.name,
                id=write.record_id,
            )
            raise
        record = parse(doc) if doc is not None else None
        self.cache.written(write.record_id, record, result.collection_version)
        title = record.get(self.spec.title_field, "") if record is not None and self.spec.title_field else ""
        suffix = f" - {title}" if title else ""
        extra = f" with {result.cascaded} dependent record(s)" if result.cascaded else ""
        log.success(
            f"{self.label} {verb} and saved to {self.where}: {write.record_id}{suffix}{extra}",
            collection=self.name,
            id=write.record_id,
            version=result.record_version,
        )
        return record if record is not None else result

    # helpers
    def _document(self, record_id, fields, version, created_at, updated_at):
        body = {k: v for k, v in fields.items() if k not in SYSTEM_FIELDS}
        doc = {"id": record_id, **body, "version": version, "created_at": created_at, "updated_at": updated_at}
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))

    def _unique_changes(self, current, fields):
        changes = []
        for name, normalise in self.spec.unique.items():
            old = normalise(current.get(name)) if current is not None else ""
            new = normalise(fields.get(name)) if fields is not None else ""
            changes.append((name, old or "", new or ""))
        return tuple(changes)

    def _by_changes(self, current, fields):
        changes = []
        for name in self.spec.references:
            old = (current.get(name) or "") if current is not None else ""
            new = (fields.get(name) or "") if fields is not None else ""
            changes.append((name, old, new))
        return tuple(changes)

    def _refs(self, fields):
        refs = []
        for name, target in self.spec.references.items():
            value = fields.get(name) or ""
            if value and not valid_id(value):
                raise ReferenceViolation(self.name, name, value)
            refs.append((name, target, value))
        return tuple(refs)


def dependents_of(name, specs):
    """The Dependent entries of collection `name`: every other spec that references it."""
    found = []
    for spec in specs:
        for field_name, target in spec.references.items():
            if target == name:
                if spec.unique:
                    # The cascade script can't normalise unique values by itself.
                    raise NotImplementedError(f"{spec.name} has unique fields: it can't be a cascade dependent")
                found.append(Dependent(spec.name, field_name, tuple(spec.references)))
    return tuple(found)


def epoch_ms(iso):
    """Milliseconds since the epoch of a stored ISO timestamp (the index score)."""
    return _epoch_ms(iso)


def _epoch_ms(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


__all__ = ["Collection", "CollectionSpec", "dependents_of", "freeze", "stale_served", "reset_stale"]
