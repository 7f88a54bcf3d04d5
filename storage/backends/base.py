"""The backend contract. Every backend (redis, rest, jsonfile) implements these methods with the
same semantics; the shared contract test suite runs against each of them."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dependent:
    """Records of `collection` whose `field` names a record of the collection being deleted."""

    collection: str
    field: str
    by_fields: tuple = ()  # the dependent collection's own by-indexes, cleaned on cascade
    sort_fields: tuple = ()  # the dependent collection's sort indexes, cleaned on cascade


@dataclass(slots=True)  # not frozen: a frozen dataclass costs 1.4 µs more to build, on every write
class Write:
    """One atomic write, carrying new values only: an update or a delete reads the stored record
    (version, created_at, old unique and by-index values) inside the atomic step. '' = none."""

    op: str  # "create" | "update" | "delete"
    collection: str
    record_id: str
    op_id: str
    doc: str = ""  # create: the full record as JSON text
    head: str = ""  # update: the record's JSON text up to its system fields (collection.head)
    updated_at: str = ""  # update: the new updated_at
    expected_version: int | None = None  # None: last writer wins
    created_ms: int = 0  # index score (create)
    unique: tuple = ()  # (field, new normalised value, new value as sent)
    by: tuple = ()  # (field, new value) of each by-indexed (reference) field
    refs: tuple = ()  # (field, target collection, value): the target must exist
    sorts: tuple = ()  # (field, score or None): the record's place in each sort index (None: absent)
    dependents: tuple = ()  # Dependent(...) (delete)
    cascade: bool = False
    normalised: dict = field(default_factory=dict)  # field -> (stored value, its normalised form)


@dataclass(frozen=True)
class WriteResult:
    record_version: int  # 0 after a delete
    collection_version: int
    cascaded: int = 0  # dependents deleted with the record
    created_at: str = ""  # update: the record's creation time, read by the script


@dataclass(frozen=True)
class Changes:
    version: int  # the collection version these changes lead to
    floor: int  # changes at or below this version were trimmed
    ids: tuple = field(default_factory=tuple)
    texts: tuple | None = None  # the changed records' texts when read in the same round trip


@dataclass(frozen=True)
class Page:
    """Records read from an index at one collection version (texts: JSON or None, as ids)."""

    version: int
    total: int  # how many ids the index holds (a page); how many ids were read (members)
    ids: tuple = ()
    texts: tuple = ()


@dataclass(frozen=True)
class RawState:
    """Everything a backend holds for one collection, read for diagnostics (diagnostics/integrity.py)."""

    records: dict  # id -> stored text (None when the key holds something that is not a string)
    index: dict  # id -> score (creation ms)
    unique: dict  # field -> {normalised value: id}
    by: dict  # field -> {value: tuple of ids}
    version: int | None  # None when the counter key is absent
    changes: int  # entries in the change log
    keys: tuple = ()  # the key names found (a listing for operators; empty for jsonfile)


@dataclass(frozen=True)
class Fix:
    """One repair, applied atomically, only if the record is still at the version it was planned on."""

    action: str  # "unindex" | "reindex" | "drop_unique" | "drop_by"
    collection: str
    record_id: str
    expected_version: int = -1  # the record's version when planned; -1 = there was no record
    field: str = ""  # drop_unique / drop_by
    value: str = ""
    score: int = 0  # reindex: index score (creation ms)
    unique: tuple = ()  # reindex: (field, normalised value) entries to restore
    by: tuple = ()  # reindex: (field, value) entries to restore


class Backend:
    """Subclasses implement every method; raising the storage errors (errors.py) on failure."""

    name = "base"

    @classmethod
    def from_settings(cls, settings):
        """The backend built from the STORAGE settings dict (config/settings.py passes the
        environment's values on; the backend checks the ones it uses)."""
        raise NotImplementedError

    @classmethod
    def check_target(cls, **values):
        """Refuse, with a message naming the variable to fix, a target (URL, token) this backend
        can't use; called when the backend is chosen, before anything connects."""

    def describe(self):
        """{"backend", "target" (credentials masked), "mode"} for logs and health."""
        raise NotImplementedError

    def ping(self):
        """Round trip to the backend; raises on failure."""
        raise NotImplementedError

    def get(self, collection, record_id):
        """The record's JSON text, or None."""
        raise NotImplementedError

    def get_many(self, collection, record_ids):
        """JSON texts (or None) in the order of record_ids."""
        raise NotImplementedError

    def version(self, collection):
        """The collection's change counter (0 when it has never been written)."""
        raise NotImplementedError

    def snapshot_ids(self, collection):
        """(collection version, every id in creation order), read atomically."""
        raise NotImplementedError

    def changes_since(self, collection, since):
        """Changes: the ids changed (or deleted) after collection version `since`."""
        raise NotImplementedError

    def count(self, collection):
        raise NotImplementedError

    def ids_by(self, collection, field, value):
        """Ids of the records whose by-indexed `field` equals `value`."""
        raise NotImplementedError

    def size(self, collection, sorts=()):
        """(collection version, number of records, the sort fields whose index is complete), read
        atomically."""
        raise NotImplementedError

    def size_and_page(self, collection, sorts, known, offset, limit, reverse=False, sort=None, held=None):
        """What size() answers, and, when the version is not `known`, the page that page() would
        answer at that same version (else None): (version, size, ready, Page or None). The command
        backends read both in one script; this composition reads them apart and drops a page read
        at another version. held: (version, {id: text}) of records the caller read at that version;
        a backend may leave out of its reply the texts of those unchanged since and answer with
        these (the Page is the same either way)."""
        version, total, ready = self.size(collection, sorts)
        if version == known or limit <= 0:
            return version, total, ready, None
        found = self.page(collection, offset, limit, reverse, sort)
        return version, total, ready, found if found.version == version else None

    def page(self, collection, offset, limit, reverse=False, sort=None):
        """Page of the ids [offset, offset + limit) in creation order, or in the order of the sort
        index `sort` (reverse: descending), with their records, the collection version and the
        index's size, in one atomic read."""
        raise NotImplementedError

    def members(self, collection, field, value):
        """Page of every record whose by-indexed `field` equals `value`, with the collection
        version, in one atomic read (the ids in no particular order)."""
        raise NotImplementedError

    def owner(self, collection, field, normalised):
        """Page of the record (none or one) the unique index of `field` names for the normalised
        value, with the collection version, in one atomic read."""
        raise NotImplementedError

    # sort indexes for data written before they existed (build_indexes)
    def index_after(self, collection, score, record_id, limit):
        """Up to `limit` (id, score) of the creation index after (score, record_id), in order."""
        raise NotImplementedError

    def fill_sort(self, collection, field, entries):
        """Place (id, version, score or None) entries in the sort index, each only if the record is
        still at that version; returns how many were placed."""
        raise NotImplementedError

    # reference indexes of the previous layout (build_indexes)
    def reference_keys(self, collection):
        """The keys of the collection's reference indexes (SCAN: never on a request path)."""
        raise NotImplementedError

    def upgrade_references(self, keys):
        """Convert those of these reference index keys still in the previous layout's form; returns
        how many were converted (a key already converted is left as it is)."""
        raise NotImplementedError

    # the previous layout's single unique HASH, moved into buckets (build_indexes)
    def move_unique(self, collection, field, cursor, limit):
        """Move about `limit` entries of the previous layout's unique index of `field` from the
        scan cursor `cursor` ("0" to begin) into the current one, an entry already there winning:
        (next cursor, entries moved, entries left). Idempotent."""
        raise NotImplementedError

    def unique_to_move(self, collection, fields):
        """The fields among `fields` whose unique index is still (partly) in the previous layout."""
        raise NotImplementedError

    def sort_progress(self, collection, field):
        """(complete?, the (score, id) cursor of an interrupted build or None)."""
        raise NotImplementedError

    def save_sort_progress(self, collection, field, cursor, complete=False):
        raise NotImplementedError

    def write(self, write):
        """Apply a Write atomically; return WriteResult or raise a storage error."""
        raise NotImplementedError

    # rate limiting (fixed-window counters under the key prefix, shared by every process)
    def hit(self, name, window_seconds, start=0):
        """Count one event in `name`'s current fixed window, atomically (the window starts at its
        first event and lasts window_seconds; its count starts from `start`): (count in this
        window, seconds until it ends)."""
        raise NotImplementedError

    def hits(self, name):
        """(count, seconds until the window ends) of `name`'s current window, without counting;
        (0, 0) when it has none."""
        raise NotImplementedError

    def counted(self, name):
        """The count of `name`'s current window alone (0 when none): one plain read, for a counter
        checked on every request (the API's token-cache generation)."""
        raise NotImplementedError

    # diagnostics (never on a request path for records)
    can_repair = False

    def server_info(self):
        """Facts about the server for health checks: version, role, persistence, memory policy.
        A backend that can't tell returns {"applicable": False, "reason": ...}."""
        raise NotImplementedError

    def canary(self):
        """Write, read back and delete a throwaway value under the prefix:
        {"written", "read_back", "deleted"} booleans."""
        raise NotImplementedError

    def sample_ids(self, collection, count):
        """Up to `count` random ids of the collection's index."""
        raise NotImplementedError

    def raw_state(self, collection):
        """RawState of the collection, found by scanning (diagnostics only)."""
        raise NotImplementedError

    def repair(self, fix):
        """Apply one Fix atomically: "applied", "changed" (the data moved since it was planned:
        nothing done) or "conflict: ..." (a unique value owned by another record)."""
        raise NotImplementedError

    def close(self):
        pass
