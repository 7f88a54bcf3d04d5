"""Reads of a collection larger than the process cache, from the backend's indexes: pages, reference
sets, chunked scans, and, for data written before them, filling a sort index, upgrading the
reference indexes and moving a unique index into its buckets. Mixed into Collection (which provides
backend, name, spec, cache, page_texts and _parse_or_none)."""

from . import log
from .cache import epoch_ms, order_key
from .errors import StorageUnavailable
from .keys import CREATION_ORDER, valid_id

SCAN_CHUNK = 1000  # records per round trip when a query has no index to use
REFERENCE_CHUNK = 500  # reference index keys (a few ids each) converted per script call
PAGE_TEXTS_KEPT = 4096  # per collection: the last text read of this many records, and what it parsed to


PREFETCH_MAX = 200  # a page this large or smaller is read again with the size when the version moved


class IndexReads:
    def page(self, offset, limit, *, reverse=False, sort=None):
        """(version, size, records) of one page in creation order, or in the order of the sort
        index `sort` (reverse: descending), in one round trip, or none when the size check of this
        request read it already (size_and_page). The records are remembered (bounded) for a later
        stale read."""
        wanted = (offset, limit, reverse, sort)
        ahead, self.prefetched = self.prefetched, None
        if ahead is not None and ahead[1] == wanted and self.outgrown and ahead[0] == self.outgrown[0]:
            found = ahead[2]
        else:
            found = self.backend.page(self.name, offset, limit, reverse, sort)
        if limit <= PREFETCH_MAX:
            self.last_page = wanted
            texts = {i: t for i, t in zip(found.ids, found.texts, strict=True) if t is not None}
            self.held_page = (found.version, texts)
        return found.version, found.total, self._remembered(found)

    def size_and_page(self):
        """(version, size, complete sort indexes) of a collection served from its indexes; when its
        version moved since the last check, the page this process read last comes in the same
        round trip (kept for page()), so that a list after a change costs one round trip too; the
        texts of that page this process holds come back only for the records changed since."""
        known = self.outgrown[0] if self.outgrown else None
        if self.last_page is None or known is None:
            return self.backend.size(self.name, self.spec.sorts)
        version, size, ready, found = self.backend.size_and_page(
            self.name, self.spec.sorts, known, *self.last_page, self.held_page
        )
        if found is not None:
            self.prefetched = (version, self.last_page, found)
        return version, size, ready

    def members(self, field_name, value):
        """(version, records) whose by-indexed field equals value, oldest first, in one round trip."""
        if not valid_id(value):
            return self.backend.version(self.name), ()
        found = self.backend.members(self.name, field_name, value)
        return found.version, tuple(sorted(self._remembered(found), key=order_key))

    def owner(self, field_name, value):
        """(version, records): the record (none or one) that the unique index of field_name names
        for value's normalised form, in one round trip (its own value may differ, in case say: the
        caller filters); None for a value with no index entry to look up (blank values are not
        indexed: they are scanned)."""
        normalised = self.spec.unique[field_name](value) if isinstance(value, str) else ""
        if not normalised:
            return None
        found = self.backend.owner(self.name, field_name, normalised)
        return found.version, self._remembered(found)

    def scan(self, begin, chunk=SCAN_CHUNK):
        """Visit every record, oldest first, one chunk per round trip: memory is bounded by the chunk
        and what the visitor keeps. begin() returns the visitor, called with each chunk's records;
        when the collection changes underneath, the scan starts again with a new visitor (at most 3
        times), so what the last visitor saw was read at one collection version: (version, visitor)."""
        for _attempt in range(3):
            visit, first, offset = begin(), None, 0
            while True:
                version, size, records = self.page(offset, chunk)
                if first is None:
                    first = version
                elif version != first:
                    break
                visit(records)
                offset += chunk
                if offset >= size:
                    return first, visit
        raise StorageUnavailable(f"{self.name} kept changing while being read; try again")

    def build_sort_index(self, field_name, *, chunk=SCAN_CHUNK, progress=None):
        """Fill the sort index of `field_name` for records written before it existed, then mark it
        complete. Idempotent and resumable: the cursor is saved after each chunk, and a record
        written meanwhile places itself. progress(done, total) is called after each chunk.
        Returns how many records were placed."""
        creation = field_name == CREATION_ORDER  # the creation index, of the previous layout
        if not creation and field_name not in self.spec.sorts:
            raise ValueError(f"{self.name} has no sort index on {field_name!r}")
        complete, cursor = self.backend.sort_progress(self.name, field_name)
        if complete:
            return 0
        cursor = cursor or (float("-inf"), "")  # below every creation time, 1970 or before
        placed, done, total = 0, 0, self.count()
        while batch := self.backend.index_after(self.name, cursor[0], cursor[1], chunk):
            ids = [record_id for record_id, _ in batch]
            texts = self.backend.get_many(self.name, ids)
            records = list(map(self._parse_or_none, ids, texts))
            if creation:  # every stored record keeps its place, one that does not parse included
                entries = [
                    _creation_entry(e, r) for e, r, t in zip(batch, records, texts, strict=True) if t is not None
                ]
            else:
                entries = [_sort_entry(r, field_name) for r in records if r is not None]
            placed += self.backend.fill_sort(self.name, field_name, entries)
            cursor = (batch[-1][1], batch[-1][0])
            self.backend.save_sort_progress(self.name, field_name, cursor)
            done += len(batch)
            if progress:
                progress(done, total)
        self.backend.save_sort_progress(self.name, field_name, cursor, complete=True)
        log.success(
            f"{self.label} sort index on {field_name} built in {self.where}: {placed} record(s) placed",
            collection=self.name,
            count=placed,
        )
        return placed

    def upgrade_references(self, *, chunk=REFERENCE_CHUNK, progress=None):
        """Convert the reference indexes written in the previous layout's form, a chunk of keys per
        script call. Idempotent and resumable: a key converted already (by a run, or by a write that
        added to it) is left as it is. progress(done, total) is called after each chunk. Returns how
        many keys were converted."""
        keys = self.backend.reference_keys(self.name)
        converted = 0
        for start in range(0, len(keys), chunk):
            converted += self.backend.upgrade_references(keys[start : start + chunk])
            if progress:
                progress(min(start + chunk, len(keys)), len(keys))
        if converted:
            log.success(
                f"{self.label} reference indexes upgraded in {self.where}: {converted} key(s) converted",
                collection=self.name,
                count=converted,
            )
        return converted

    def move_unique_index(self, field_name, *, chunk=SCAN_CHUNK, progress=None):
        """Move the unique index of `field_name` written by the previous layout (one hash) into
        its buckets, about `chunk` entries per round trip (writes read both meanwhile). Idempotent
        and resumable: what is moved leaves the old hash. progress(moved, total) is called after
        each chunk. Returns how many entries were moved."""
        if field_name not in self.spec.unique:
            raise ValueError(f"{self.name} has no unique index on {field_name!r}")
        cursor, moved = "0", 0
        while True:
            cursor, count, left = self.backend.move_unique(self.name, field_name, cursor, chunk)
            moved += count
            if count and progress:
                progress(moved, moved + left)
            if not left:
                break
        if moved:
            log.success(
                f"{self.label} unique index on {field_name} moved into buckets in {self.where}: {moved} entries",
                collection=self.name,
                count=moved,
            )
        return moved

    def _remembered(self, found):
        """The page's records, parsed only when their text differs from the last one read for that
        id (a page re-read after another record changed parses just that one), and remembered for
        a later stale read."""
        records = []
        texts = self.page_texts
        for record_id, text in zip(found.ids, found.texts, strict=True):
            seen = texts.get(record_id)
            if seen is not None and text is not None and seen[0] == text:
                record = seen[1]
                self.unparsable.discard(record_id)
            else:
                record = self._parse_or_none(record_id, text)
                if record is None:
                    continue
                held = self.cache.records.get(record_id)
                if held is not None and held == record:
                    record = held  # the same object while unchanged: what was built from it is kept
                if len(texts) >= PAGE_TEXTS_KEPT:
                    texts.clear()
                texts[record_id] = (text, record)
            records.append(record)
        self.cache.remember(*records)
        return tuple(records)


def _creation_entry(entry, record):
    """Placed whatever its version (created_at never changes; an update does not place it), by its
    created_at as the write scripts find it, else (none, or a record that does not parse) by the
    score it had."""
    record_id, score = entry
    try:
        score = epoch_ms(record["created_at"])
    except (KeyError, TypeError, ValueError):
        pass
    return record_id, -1, score


def _sort_entry(record, field_name):
    value = record.get(field_name)
    return record["id"], int(record.get("version", 0)), epoch_ms(value) if value else None
