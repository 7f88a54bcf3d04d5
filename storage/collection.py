"""The collection API: get / all / create / update / delete, written through to the backend.

Reads: a single record is one round trip to the backend; a whole collection is served from the
process cache after one round trip that reads the collection version (and, when it moved, the
changed records only). Writes: one atomic script call; memory changes only after the backend
acknowledged. When the backend can't be read (after the retries) and stale reads are allowed
(production), the last known memory state is served, flagged stale, with a critical log.
"""

import threading
from dataclasses import dataclass, field

from ulid import ULID

from . import log, served
from .cache import CollectionCache, parse
from .errors import (
    InvalidRecord,
    NotFound,
    StorageError,
    StorageUnavailable,
    UnparsableRecord,
)
from .index_reads import IndexReads
from .keys import valid_id
from .results import VersionedResults
from .writes import Writes

# How log lines name the backend, as the seed's operators read them ("saved to Redis").
BACKEND_NAMES = {"redis": "Redis", "rest": "Vercel KV", "jsonfile": "JSON files"}
DEFAULT_MAX_RECORDS = 100_000  # about 200 MB of records in a worker (about 2 KB each in Python)
WARM_FROM = 5_000  # a cold collection this large is loaded in the background, lists served by index
LOAD_WAIT_SECONDS = 60  # how long a query that needs the whole collection waits for that load
LOAD_CHUNK = 2_000  # records per round trip of a background load


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


class Collection(Writes, IndexReads):
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
        self.unparsable = set()  # ids of stored records that don't parse, left out of lists (for health)
        self.outgrown = None  # (version, size, complete sort indexes) while lists come from the index
        self.warm_from = WARM_FROM
        self._loader = None  # the background load of a cold collection, while it runs
        self._loader_lock = threading.Lock()
        self.results = VersionedResults(max_records=max_records)  # index-served pages and maps, by version
        self.page_texts = {}  # id -> (text, record) of index-served reads (storage/index_reads.py)
        self.last_page = None  # (offset, limit, reverse, sort) of the last page read from the index
        self.prefetched = None  # (version, those arguments, Page) read with the size (size_and_page)
        self.held_page = None  # (version, {id: text}) of that last page, read at that version

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

    def all(self, wait=True):
        """Every record, oldest first (a Snapshot), from memory once memory is checked against the
        backend; None when the collection is larger than the cache may hold, and (wait=False) while
        a cold collection loads in the background: lists are then read from the backend's indexes
        (page(), members(), scan()), so no request waits for a whole collection to load."""
        return self.all_with_version(wait)[1]

    def all_with_version(self, wait=True):
        """(collection version, what all() answers): the version this read was checked against (for
        a collection served from its indexes, the version read with its size), so that whatever is
        derived from it can be keyed by it (a response cache never serves bytes older than the
        version read in the same request)."""
        try:
            self.refresh(wait)
            self.serving_stale = False
        except StorageUnavailable as exc:
            if not self.stale_reads or (self.cache.version is None and self.outgrown is None):
                log.error(f"Error reading {self.name} from {self.where}: {exc}")
                raise
            self._served_stale(exc)  # index-served lists fall back on the last pages served
        if self.unparsable:  # flag what was left out
            served.mark_skipped(self.name, self.unparsable)
        if self.cache.version is None:
            return (self.outgrown[0] if self.outgrown else None), None
        return self.cache.versioned()

    def refresh(self, wait=True):
        """Bring the cache to the backend's current version; costs what changed, not the size.
        A collection larger than max_records is not loaded (self.outgrown says its version); a cold
        one of warm_from records or more is loaded in the background unless the caller waits."""
        cache = self.cache
        if cache.version is None:
            version, size, ready = self.size_and_page()
            if size > self.max_records:
                self.outgrown = (version, size, ready)
                return
            if size >= self.warm_from and not (wait and self._join_loader()):
                self.outgrown = (version, size, ready)
                if not wait:
                    return self._load_in_background()
            if cache.version is None:
                return self._reload()
            return self.refresh(wait)
        changes = self.backend.changes_since(self.name, cache.version)  # one round trip, changed or not
        if changes.version == cache.version:
            return
        if changes.floor > cache.version or changes.version < cache.version:
            return self._reload()  # trimmed change log, or a backend that was reset
        texts = changes.texts if changes.texts is not None else self.backend.get_many(self.name, changes.ids)
        fetched = [self._parse_or_none(i, t) for i, t in zip(changes.ids, texts, strict=True)]
        cache.apply(changes.version, changes.ids, fetched)
        if len(cache.records) > self.max_records:
            return self._outgrow(changes.version, len(cache.records))
        log.success(
            f"{self.label} cache refreshed from {self.where}: {len(changes.ids)} change(s)",
            collection=self.name,
            changed=len(changes.ids),
            version=changes.version,
        )

    def _reload(self, chunked=False):
        """Load the whole collection: ids and records in one read each, or (chunked, the background
        load) LOAD_CHUNK at a time by the creation index after reading the version, so that no
        reply large enough to hold the interpreter or Redis for long delays the requests served
        meanwhile. What changes after that version is in the change log: the next refresh applies
        it to whatever the chunks read."""
        if chunked:
            version, size, _ = self.backend.size(self.name)
            batches = self._index_chunks()
        else:
            version, ids = self.backend.snapshot_ids(self.name)
            size, batches = len(ids), [ids]
        if size > self.max_records:
            return self._outgrow(version, size)
        self.unparsable = set()
        records = []
        for ids in batches:
            texts = self.backend.get_many(self.name, ids)
            records += [r for r in (self._parse_or_none(i, t) for i, t in zip(ids, texts, strict=True)) if r]
            if len(records) > self.max_records:
                return self._outgrow(version, len(records))
        self.outgrown = None
        self.cache.replace(version, records)
        log.success(
            f"{self.label} records reloaded from {self.where}: {len(records)} record(s)",
            collection=self.name,
            count=len(records),
            version=version,
        )

    def _load_in_background(self):
        with self._loader_lock:
            if self._loader is None or not self._loader.is_alive():
                self._loader = threading.Thread(target=self._load_quietly, name=f"load-{self.name}", daemon=True)
                self._loader.start()

    def _load_quietly(self):
        try:
            self._reload(chunked=True)
        except StorageError as exc:  # the next request tries again
            log.error(f"Error loading {self.name} from {self.where} in the background: {exc}", collection=self.name)

    def _index_chunks(self):
        """The collection's ids in creation order, LOAD_CHUNK per round trip (a cursor on the
        index, so a write meanwhile neither hides nor repeats the records it doesn't touch)."""
        cursor = (float("-inf"), "")
        while batch := self.backend.index_after(self.name, cursor[0], cursor[1], LOAD_CHUNK):
            yield [record_id for record_id, _ in batch]
            cursor = (batch[-1][1], batch[-1][0])

    def _join_loader(self):
        """Wait for a background load that is running; True when the cache is now complete."""
        loader = self._loader
        if loader is not None and loader.is_alive():
            loader.join(LOAD_WAIT_SECONDS)
        return self.cache.version is not None

    def _outgrow(self, version, size):
        self.outgrown = (version, size, ())  # the next request reads which sort indexes are complete
        self.cache.make_partial()
        log.warning(
            f"{self.label} collection holds {size} record(s), more than STORAGE_CACHE_MAX_RECORDS="
            f"{self.max_records}: its lists are read from {self.where}'s indexes",
            collection=self.name,
            count=size,
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
        served.mark_stale()
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


__all__ = ["Collection", "CollectionSpec"]
