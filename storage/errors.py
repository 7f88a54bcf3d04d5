"""The storage layer's exceptions. Backends translate their own failures into these."""


class StorageError(Exception):
    """Base class of every storage error."""


class ConfigurationError(StorageError):
    """The backend is misconfigured (bad URL, bad token, read-only token...). Not retried."""


class TransientError(StorageError):
    """A failure that may succeed on retry (connection, timeout, LOADING, 429/5xx)."""


class StorageUnavailable(StorageError):
    """The backend could not be reached after every retry. Maps to 503 + Retry-After."""

    retry_after = 5


class WriteNotDurable(StorageUnavailable):
    """STORAGE_WAIT_REPLICAS: the write reached fewer replicas than asked within the timeout. It is
    on the master but may not survive a failover: failed or unknown, never a success."""

    def __init__(self, acked, wanted, timeout_ms):
        self.acked, self.wanted = acked, wanted
        super().__init__(
            f"the write reached {acked} of {wanted} replica(s) within {timeout_ms} ms: it failed or its outcome "
            "is unknown (it may be lost if the master fails now); reload before trying again"
        )


class CommandError(StorageError):
    """The backend rejected a command (a bug or a misconfiguration, never retried)."""


class InvalidRecord(StorageError):
    """A stored value that does not parse as a record."""


class UnparsableRecord(InvalidRecord):
    """A record asked for by id is stored but does not parse: a data problem on the server's side
    (a hand-edited key, a bad restore), named so that an operator can find and fix it."""

    def __init__(self, collection, record_id, reason):
        self.collection, self.record_id, self.reason = collection, record_id, reason
        super().__init__(
            f"{collection} {record_id!r} is stored but does not parse ({reason}); run manage.py verify_redis, "
            "then restore the record from an export or delete its key"
        )


class NotFound(StorageError):
    def __init__(self, collection, record_id):
        self.collection, self.record_id = collection, record_id
        super().__init__(f"{collection} {record_id!r} not found")


class VersionConflict(StorageError):
    def __init__(self, collection, record_id, expected, current):
        self.collection, self.record_id = collection, record_id
        self.expected, self.current = expected, current
        super().__init__(
            f"{collection} {record_id!r} is at version {current}, not {expected}: "
            "someone else changed it; reload and try again"
        )


class AlreadyExists(StorageError):
    def __init__(self, collection, record_id):
        self.collection, self.record_id = collection, record_id
        super().__init__(f"{collection} {record_id!r} already exists")


class UniqueViolation(StorageError):
    def __init__(self, collection, field, existing_id):
        self.collection, self.field, self.existing_id = collection, field, existing_id
        super().__init__(f"another record of {collection} already has this {field}")


class ReferenceViolation(StorageError):
    def __init__(self, collection, field, value):
        self.collection, self.field, self.value = collection, field, value
        super().__init__(f"{field} {value!r} names no existing record")


class DependentsExist(StorageError):
    def __init__(self, collection, record_id, dependent_collection, count):
        self.collection, self.record_id = collection, record_id
        self.dependent_collection, self.count = dependent_collection, count
        super().__init__(
            f"{collection} {record_id!r} still has {count} record(s) in {dependent_collection}; "
            "delete them first or ask for a cascade delete"
        )


class Unnormalised(StorageError):
    """The write script met a stored unique value it can't normalise by itself (it knows plain and
    ASCII lower-case forms only): the collection sends the write again with Python's normal form.
    Nothing was applied."""

    def __init__(self, field, value):
        self.field, self.value = field, value
        super().__init__(f"the stored {field} {value!r} needs its normalised form")
