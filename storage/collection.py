"""The collection API: get / all / create / update / delete, written through to the backend.

Reads: a single record is one round trip to the backend; a whole collection is served from the
process cache after one round trip that reads the collection version (and, when it moved, the
changed records only). Writes: one atomic script call; memory changes only after the backend
acknowledged. When the backend can't be read (after the retries) and stale reads are allowed
(production), the last known memory state is served, flagged stale, with a critical log.
"""

import contextvars
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ulid import ULID

from . import log
from .backends.base import Write
from .cache import CollectionCache, epoch_ms, freeze, parse
from .document import document, head
from .errors import CommandError, InvalidRecord, NotFound, ReferenceViolation, StorageUnavailable, Unnormalised
from .index_reads import IndexReads
from .keys import valid_id
from .results import VersionedResults

# How log lines name the backend, as the seed's operators read them ("saved to Redis").
BACKEND_NAMES = {"redis": "Redis", "rest": "Vercel KV", "jsonfile": "JSON files"}
DEFAULT_MAX_RECORDS = 100_000  # about 200 MB of records in a worker (about 2 KB each in Python)

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
    sorts: tuple = ()  # timestamp fields kept in a sort index (large lists in that order, by index)


def now_iso():
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Collection(IndexReads):
    def __init__(self, spec, backend, *, dependents=(), stale_reads=False, max_records=DEFAULT_MAX_RECORDS):
        self.spec = spec
        self.name = spec.name
        self.label = spec.label or spec.name
        self.backend = backend
        self.dependents = tuple(dependents)
        self.stale_reads = stale_reads
        self.max_records = max_records
        self.cache = CollectionCache(max_records)
        self.where = BACKEND_NAMES.get(getattr(backend, "name", ""), "the backend")
        self.serving_stale = False  # the last list read fell back to stale memory (for health)
        self.outgrown = None  # (version, size, complete sort indexes) when larger than the cache
        self.results = VersionedResults()  # pages and maps of the index-served lists, by version

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
        """Every record, oldest first (a Snapshot), from memory once memory is checked against the
        backend; None when the collection is larger than the cache may hold (lists are then read
        from the backend's indexes: page(), members(), scan())."""
        try:
            self.refresh()
            self.serving_stale = False
        except StorageUnavailable as exc:
            if not self.stale_reads or (self.cache.version is None and self.outgrown is None):
                log.error(f"Error reading {self.name} from {self.where}: {exc}")
                raise
            self._served_stale(exc)  # index-served lists fall back on the last pages served
        if self.cache.version is None:
            return None
        return self.cache.ordered()

    def refresh(self):
        """Bring the cache to the backend's current version; costs what changed, not the size.
        A collection larger than max_records is not loaded (self.outgrown says its version)."""
        cache = self.cache
        if cache.version is None:
            version, size, ready = self.backend.size(self.name, self.spec.sorts)
            if size > self.max_records:
                self.outgrown = (version, size, ready)
                return
            return self._reload()
        version = self.backend.version(self.name)
        if version == cache.version:
            return
        changes = self.backend.changes_since(self.name, cache.version)
        if changes.floor > cache.version or version < cache.version:
            return self._reload()  # trimmed change log, or a backend that was reset
        fetched = [self._parse_or_none(t) for t in self.backend.get_many(self.name, changes.ids)]
        cache.apply(changes.version, changes.ids, fetched)
        if len(cache.records) > self.max_records:
            return self._outgrow(changes.version, len(cache.records))
        log.success(
            f"{self.label} cache refreshed from {self.where}: {len(changes.ids)} change(s)",
            collection=self.name,
            changed=len(changes.ids),
            version=changes.version,
        )

    def _reload(self):
        version, ids = self.backend.snapshot_ids(self.name)
        if len(ids) > self.max_records:
            return self._outgrow(version, len(ids))
        records = [r for r in (self._parse_or_none(t) for t in self.backend.get_many(self.name, ids)) if r]
        self.outgrown = None
        self.cache.replace(version, records)
        log.success(
            f"{self.label} records reloaded from {self.where}: {len(records)} record(s)",
            collection=self.name,
            count=len(records),
            version=version,
        )

    def _outgrow(self, version, size):
        self.outgrown = (version, size, ())  # the next request reads which sort indexes are complete
        self.cache.make_partial()
        log.warning(
            f"{self.label} collection holds {size} record(s), more than STORAGE_CACHE_MAX_RECORDS="
            f"{self.max_records}: its lists are read from {self.where}'s indexes",
            collection=self.name,
            count=size,
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

    def memory_summary(self):
        """(version, number of records) this process holds (health)."""
        return self.cache.summary()

    def count(self):
        return self.backend.count(self.name)

    def ids_by(self, field_name, value):
        if not valid_id(value):
            return []
        return self.backend.ids_by(self.name, field_name, value)

    # writes: one script call each; the script reads what it needs of the stored record itself
    def create(self, fields, *, record_id=None, created_at=None, updated_at=None, version=None):
        """Store a new record. record_id / created_at / updated_at / version are for imports (a
        restored record keeps them); otherwise server-assigned (version 1)."""
        write, doc = self.create_write(
            fields, record_id=record_id, created_at=created_at, updated_at=updated_at, version=version
        )
        result = self._commit(write, "created")
        return self._written(write, doc, result, "created")

    def create_write(self, fields, *, record_id=None, created_at=None, updated_at=None, version=None):
        """(Write, document) of a create, not sent: create() commits it, bulk loaders batch it."""
        record_id = record_id or self.new_id()
        if not valid_id(record_id):
            raise ValueError(f"invalid record id {record_id!r}")
        stamp = now_iso()
        created_at = created_at or stamp
        write = self.build_write("create", record_id, fields, updated_at=updated_at or stamp)
        doc = document(write.head, int(version or 1), created_at, write.updated_at)
        return replace(write, doc=doc, created_ms=epoch_ms(created_at)), doc

    def update(self, record_id, fields, *, expected_version=None):
        """Replace the record's fields. With expected_version, a stale version is a conflict;
        without it, the latest version is updated (last writer wins, decided by the script)."""
        write = self.build_write("update", record_id, fields, expected_version=expected_version, updated_at=now_iso())
        result = self._commit(write, "updated")
        doc = document(write.head, result.record_version, result.created_at, write.updated_at)
        return self._written(write, doc, result, "updated")

    def delete(self, record_id, *, expected_version=None, cascade=False):
        """Delete the record; returns how many dependents went with it (cascade)."""
        write = self.build_write("delete", record_id, None, expected_version=expected_version, cascade=cascade)
        return self._written(write, None, self._commit(write, "deleted"), "deleted")

    def build_write(self, op, record_id, fields, *, expected_version=None, updated_at="", cascade=False):
        """The one builder of a Write. fields is None for a delete. The index entries carry the new
        values only: the script finds the old ones in the stored record."""
        if op != "create" and not valid_id(record_id):
            raise NotFound(self.name, record_id)
        values = fields or {}
        return Write(
            op=op,
            collection=self.name,
            record_id=record_id,
            op_id=uuid.uuid4().hex,
            head=head(record_id, values) if fields is not None else "",
            updated_at=updated_at,
            expected_version=expected_version,
            unique=tuple(
                (name, normalise(values.get(name)) or "", _text(values.get(name)))
                for name, normalise in self.spec.unique.items()
            ),
            by=tuple((name, values.get(name) or "") for name in self.spec.references),
            refs=self._refs(values) if fields is not None else (),
            dependents=self.dependents if op == "delete" else (),
            cascade=cascade,
            sorts=tuple(
                (name, epoch_ms(values[name]) if fields is not None and values.get(name) else None)
                for name in self.spec.sorts
            ),
        )

    def _commit(self, write, verb):
        """Send the write; when the script asks how a stored unique value normalises (one the
        script can't work out by itself), answer and send it again."""
        try:
            for _ in range(len(self.spec.unique) + 1):
                try:
                    return self.backend.write(write)
                except Unnormalised as asked:
                    norm = self.spec.unique[asked.field](asked.value) or ""
                    write = replace(write, normalised={**write.normalised, asked.field: (asked.value, norm)})
            raise CommandError(f"the {write.op} script kept asking for normalised values")
        except Exception as exc:
            if isinstance(exc, NotFound):
                self.cache.discard(write.record_id)
            log.error(
                f"Error: {self.label} {write.record_id} not {verb} ({type(exc).__name__}: {exc})",
                collection=self.name,
                id=write.record_id,
            )
            raise

    def _written(self, write, doc, result, verb):
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

    def _refs(self, fields):
        refs = []
        for name, target in self.spec.references.items():
            value = fields.get(name) or ""
            if value and not valid_id(value):
                raise ReferenceViolation(self.name, name, value)
            refs.append((name, target, value))
        return tuple(refs)


def _text(value):
    return value if isinstance(value, str) else ""


__all__ = ["Collection", "CollectionSpec", "freeze", "stale_served", "reset_stale"]
