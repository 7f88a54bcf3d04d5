"""The backend contract. Every backend (redis, rest, jsonfile) implements these methods with the
same semantics; the shared contract test suite runs against each of them."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dependent:
    """Records of `collection` whose `field` names a record of the collection being deleted."""

    collection: str
    field: str
    by_fields: tuple = ()  # the dependent collection's own by-indexes, cleaned on cascade


@dataclass(frozen=True)
class Write:
    """One atomic write. Unique and by-index entries are (field, old value, new value); '' = none."""

    op: str  # "create" | "update" | "delete"
    collection: str
    record_id: str
    op_id: str
    doc: str = ""  # the full record as JSON text (create / update)
    expected_version: int | None = None  # required for update, optional for delete
    created_ms: int = 0  # index score (create)
    unique: tuple = ()
    by: tuple = ()
    refs: tuple = ()  # (field, target collection, value): the target must exist
    dependents: tuple = ()  # Dependent(...) (delete)
    cascade: bool = False


@dataclass(frozen=True)
class WriteResult:
    record_version: int  # 0 after a delete
    collection_version: int
    cascaded: int = 0  # dependents deleted with the record


@dataclass(frozen=True)
class Changes:
    version: int  # the collection version these changes lead to
    floor: int  # changes at or below this version were trimmed
    ids: tuple = field(default_factory=tuple)


class Backend:
    """Subclasses implement every method; raising the storage errors (errors.py) on failure."""

    name = "base"

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

    def write(self, write):
        """Apply a Write atomically; return WriteResult or raise a storage error."""
        raise NotImplementedError

    def close(self):
        pass
