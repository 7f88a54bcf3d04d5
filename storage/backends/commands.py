"""The contract implemented once over Redis commands; redis.py and rest.py only bring transport.

A subclass provides three primitives, each retried by the one policy and each translating its
failures into storage errors: call(*args), pipeline(commands, transaction) and
evalsha(operation, keys, args) (EVALSHA, loading the script on NOSCRIPT).
"""

from ..document import with_id, without_id
from ..errors import (
    AlreadyExists,
    CommandError,
    DependentsExist,
    NotFound,
    ReferenceViolation,
    UniqueViolation,
    Unnormalised,
    VersionConflict,
)
from ..jsontext import dumps
from ..keys import KeyLayout
from .base import Backend, Changes, WriteResult
from .command_diagnostics import CommandDiagnostics
from .command_indexes import CommandIndexes, script_texts

MGET_CHUNK = 1000
OP_TTL_SECONDS = 300
CHANGES_MAX = 10_000  # a process further behind than this reloads (a large collection: its pages come from the index)
CHANGES_SLACK = 1_000


class CommandBackend(CommandIndexes, CommandDiagnostics, Backend):
    def __init__(self, prefix):
        self.keys = KeyLayout(prefix)

    # transport, provided by subclasses
    def call(self, *args):
        raise NotImplementedError

    def pipeline(self, commands, transaction=False):
        raise NotImplementedError

    def evalsha(self, operation, keys, args):
        raise NotImplementedError

    # reads
    def ping(self):
        return self.call("PING")

    def get(self, collection, record_id):
        return with_id(record_id, self.call("GET", self.keys.record(collection, record_id)))

    def get_many(self, collection, record_ids):
        found = []
        ids = list(record_ids)
        for start in range(0, len(ids), MGET_CHUNK):
            chunk = ids[start : start + MGET_CHUNK]
            texts = self.call("MGET", *[self.keys.record(collection, i) for i in chunk])
            found.extend(map(with_id, chunk, texts))
        return found

    def version(self, collection):
        return int(self.call("GET", self.keys.version(collection)) or 0)

    def snapshot_ids(self, collection):
        keys = [self.keys.creation(collection), self.keys.index(collection), self.keys.version(collection)]
        version, ids = self.read_script("ids", keys, [])
        return int(version or 0), list(ids or ())

    def changes_since(self, collection, since):
        """One read-only script: the version, and when it moved the changed ids with their records."""
        keys = [self.keys.version(collection), self.keys.meta(), self.keys.changes(collection)]
        args = [int(since), f"floor:{collection}", self.keys.record(collection, ""), MGET_CHUNK]
        version, floor, ids, texts = self.read_script("changes", keys, args)
        ids = tuple(ids)
        texts = script_texts(ids, texts) if len(ids) <= MGET_CHUNK else None
        return Changes(version=int(version or 0), floor=int(float(floor or 0)), ids=ids, texts=texts)

    def changes_listed(self, collection, since):
        """changes_since with read commands only (one MULTI; the records are then read apart)."""
        version, floor, ids = self.pipeline(
            [
                ("GET", self.keys.version(collection)),
                ("HGET", self.keys.meta(), f"floor:{collection}"),
                ("ZRANGEBYSCORE", self.keys.changes(collection), f"({int(since)}", "+inf"),
            ],
            transaction=True,
        )
        return Changes(version=int(version or 0), floor=int(float(floor or 0)), ids=tuple(ids))

    def ids_by(self, collection, field, value):
        (ids,) = self.read_script("refids", [self.keys.by(collection, field, value)], [])
        return sorted(ids or ())

    # writes
    def write(self, write):
        operation, script_keys, args = self.script_call(write)
        return interpret_reply(write, self.evalsha(operation, script_keys, args))

    def script_params(self):
        """What every script is given besides its write: the key root, how long an operation id
        is remembered, the change log's bound."""
        return {
            "root": self.keys.root,
            "op_ttl": OP_TTL_SECONDS,
            "changes_max": CHANGES_MAX,
            "changes_slack": CHANGES_SLACK,
        }

    def script_call(self, write):
        """(script, KEYS, ARGV) of a Write: what write() sends (bulk loaders pipeline it)."""
        keys = self.keys
        collection = write.collection
        spec = {  # tuples are JSON arrays too
            **self.script_params(),  # read at each write: the change log's bound can be set meanwhile
            "collection": collection,
            "id": write.record_id,
            "expected": -1 if write.expected_version is None else int(write.expected_version),
            "created_ms": int(write.created_ms),
            "unique": write.unique,
            "by": write.by,
            "refs": write.refs,
            "sorts": [(f, "" if s is None else int(s)) for f, s in write.sorts] if write.sorts else (),
            "dependents": [(d.collection, d.field, d.by_fields, d.sort_fields) for d in write.dependents]
            if write.dependents
            else (),
            "cascade": bool(write.cascade),
            "normalised": write.normalised,
        }
        script_keys = [
            keys.record(collection, write.record_id),
            keys.index(collection),
            keys.version(collection),
            keys.changes(collection),
            keys.meta(),
            keys.op(write.op_id),
        ]
        text = without_id(write.record_id, write.doc if write.op == "create" else write.head)
        return write.op, script_keys, [dumps(spec), text, dumps(write.updated_at)]

    # rate limiting: SET NX EX starts the window with its expiry, INCR keeps the expiry; MULTI/EXEC
    # makes the three one step (no counter is ever left without an expiry). Redis >= 2.6.12.
    def hit(self, name, window_seconds, start=0):
        key = self.keys.rate(name)
        _, count, ttl = self.pipeline(
            [("SET", key, int(start), "EX", int(window_seconds), "NX"), ("INCR", key), ("TTL", key)], transaction=True
        )
        return int(count), max(int(ttl), 0)

    def hits(self, name):
        key = self.keys.rate(name)
        count, ttl = self.pipeline([("GET", key), ("TTL", key)], transaction=True)
        return (int(count), max(int(ttl), 0)) if count is not None else (0, 0)

    def counted(self, name):
        return int(self.call("GET", self.keys.rate(name)) or 0)


def interpret_reply(write, reply):
    """Turn a script's reply (shared by the Lua scripts and jsonfile) into a result or an error."""
    status = reply[0]
    if status == "ok":  # {"ok", record version, collection version, cascaded, created_at}: every script
        return WriteResult(int(reply[1]), int(reply[2]), int(reply[3]), str(reply[4]))
    if status == "normalise":
        raise Unnormalised(reply[1], reply[2])
    if status == "not_found":
        raise NotFound(write.collection, write.record_id)
    if status == "exists":
        raise AlreadyExists(write.collection, write.record_id)
    if status == "conflict":
        raise VersionConflict(write.collection, write.record_id, write.expected_version, int(reply[1]))
    if status == "unique":
        raise UniqueViolation(write.collection, reply[1], reply[2])
    if status == "ref":
        raise ReferenceViolation(write.collection, reply[1], reply[2])
    if status == "dependents":
        raise DependentsExist(write.collection, write.record_id, reply[1], int(reply[2]))
    raise CommandError(f"unexpected reply from the {write.op} script: {reply!r}")
