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
from .cache import CollectionCache, freeze, parse
from .document import document, head
from .errors import (
    CommandError,
    InvalidRecord,
    NotFound,
    ReferenceViolation,
    StorageUnavailable,
    Unnormalised,
    UnparsableRecord,
)
from .keys import valid_id

# How log lines name the backend, as the seed's operators read them ("saved to Redis").
BACKEND_NAMES = {"redis": "Redis", "rest": "Vercel KV", "jsonfile": "JSON files"}

_stale = contextvars.ContextVar("storage_stale", default=False)
# "collection:id" of the records left out of what the current context read, because they don't parse
_skipped = contextvars.ContextVar("storage_unparsable", default=frozenset())


def stale_served():
    """True when something in the current context was served from stale memory."""
    return _stale.get()


def reset_stale():
    _stale.set(False)
    _skipped.set(frozenset())


def unparsable_skipped():
    """The "collection:id" of the records that did not parse and were left out of what the
    current context read (lists, counts), sorted; empty when every record parsed."""
    return sorted(_skipped.get())


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
        self.unparsable = set()  # ids of stored records that don't parse, left out of lists (for health)

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
            self.unparsable.discard(record_id)
            self.cache.discard(record_id)
            return None
        try:
            record = parse(text)
        except InvalidRecord as exc:
            self.unparsable.add(record_id)
            self.cache.discard(record_id)
            error = UnparsableRecord(self.name, record_id, exc)
            log.error(str(error), collection=self.name, id=record_id)
            raise error from exc
        self.unparsable.discard(record_id)
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
        if self.unparsable:  # flag what was left out
            _skipped.set(_skipped.get() | {f"{self.name}:{i}" for i in self.unparsable})
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
        texts = self.backend.get_many(self.name, changes.ids)
        fetched = [self._parse_or_none(i, t) for i, t in zip(changes.ids, texts, strict=True)]
        cache.apply(changes.version, changes.ids, fetched)
        log.success(
            f"{self.label} cache refreshed from {self.where}: {len(changes.ids)} change(s)",
            collection=self.name,
            changed=len(changes.ids),
            version=changes.version,
        )

    def _reload(self):
        version, ids = self.backend.snapshot_ids(self.name)
        self.unparsable = set()
        texts = self.backend.get_many(self.name, ids)
        records = [r for r in (self._parse_or_none(i, t) for i, t in zip(ids, texts, strict=True)) if r]
        self.cache.replace(version, records)
        log.success(
            f"{self.label} records reloaded from {self.where}: {len(records)} record(s)",
            collection=self.name,
            count=len(records),
            version=version,
        )

    def _parse_or_none(self, record_id, text):
        self.unparsable.discard(record_id)
        if text is None:
            return None
        try:
            return parse(text)
        except InvalidRecord as exc:
            self.unparsable.add(record_id)
            log.error(
                f"Skipping {self.name} {record_id}: stored but does not parse ({exc}); run manage.py verify_redis",
                collection=self.name,
                id=record_id,
            )
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


def epoch_ms(iso):
    """Milliseconds since the epoch of a stored ISO timestamp (the index score)."""
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


__all__ = ["Collection", "CollectionSpec", "freeze", "stale_served", "reset_stale"]
