"""The contract implemented once over Redis commands; redis.py and rest.py only bring transport.

A subclass provides three primitives, each retried by the one policy and each translating its
failures into storage errors: call(*args), pipeline(commands, transaction) and
evalsha(operation, keys, args) (EVALSHA, loading the script on NOSCRIPT).
"""

import json
import uuid

from ..errors import (
    AlreadyExists,
    CommandError,
    DependentsExist,
    NotFound,
    ReferenceViolation,
    StorageError,
    StorageUnavailable,
    UniqueViolation,
    VersionConflict,
)
from ..keys import KeyLayout
from .base import Backend, Changes, RawState, WriteResult

MGET_CHUNK = 1000
SCAN_COUNT = 1000
CANARY_TTL_SECONDS = 60
EVICTING_POLICIES_PREFIXES = ("allkeys-", "volatile-")
OP_TTL_SECONDS = 300
CHANGES_MAX = 50_000
CHANGES_SLACK = 1_000


class CommandBackend(Backend):
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
        return self.call("GET", self.keys.record(collection, record_id))

    def get_many(self, collection, record_ids):
        found = []
        ids = list(record_ids)
        for start in range(0, len(ids), MGET_CHUNK):
            chunk = [self.keys.record(collection, i) for i in ids[start : start + MGET_CHUNK]]
            found.extend(self.call("MGET", *chunk))
        return found

    def version(self, collection):
        return int(self.call("GET", self.keys.version(collection)) or 0)

    def snapshot_ids(self, collection):
        version, ids = self.pipeline(
            [("GET", self.keys.version(collection)), ("ZRANGE", self.keys.index(collection), 0, -1)],
            transaction=True,
        )
        return int(version or 0), list(ids)

    def changes_since(self, collection, since):
        version, floor, ids = self.pipeline(
            [
                ("GET", self.keys.version(collection)),
                ("HGET", self.keys.meta(), f"floor:{collection}"),
                ("ZRANGEBYSCORE", self.keys.changes(collection), f"({int(since)}", "+inf"),
            ],
            transaction=True,
        )
        return Changes(version=int(version or 0), floor=int(float(floor or 0)), ids=tuple(ids))

    def count(self, collection):
        return int(self.call("ZCARD", self.keys.index(collection)))

    def ids_by(self, collection, field, value):
        return sorted(self.call("SMEMBERS", self.keys.by(collection, field, value)))

    # writes
    def write(self, write):
        operation, script_keys, args = self.script_call(write)
        return interpret_reply(write, self.evalsha(operation, script_keys, args))

    def script_call(self, write):
        """(script, KEYS, ARGV) of a Write: what write() sends (bulk loaders pipeline it)."""
        keys = self.keys
        collection = write.collection
        spec = {
            "root": keys.root,
            "collection": collection,
            "id": write.record_id,
            "expected": -1 if write.expected_version is None else int(write.expected_version),
            "created_ms": int(write.created_ms),
            "unique": [list(u) for u in write.unique],
            "by": [list(b) for b in write.by],
            "refs": [list(r) for r in write.refs],
            "dependents": [[d.collection, d.field, list(d.by_fields)] for d in write.dependents],
            "cascade": bool(write.cascade),
            "op_ttl": OP_TTL_SECONDS,
            "changes_max": CHANGES_MAX,
            "changes_slack": CHANGES_SLACK,
        }
        script_keys = [
            keys.record(collection, write.record_id),
            keys.index(collection),
            keys.version(collection),
            keys.changes(collection),
            keys.meta(),
            keys.op(write.op_id),
        ]
        return write.op, script_keys, [json.dumps(spec), write.doc]

    # rate limiting: SET NX EX starts the window with its expiry, INCR keeps the expiry; MULTI/EXEC
    # makes the three one step (no counter is ever left without an expiry). Redis >= 2.6.12.
    def hit(self, name, window_seconds):
        key = self.keys.rate(name)
        _, count, ttl = self.pipeline(
            [("SET", key, 0, "EX", int(window_seconds), "NX"), ("INCR", key), ("TTL", key)], transaction=True
        )
        return int(count), max(int(ttl), 0)

    def hits(self, name):
        key = self.keys.rate(name)
        count, ttl = self.pipeline([("GET", key), ("TTL", key)], transaction=True)
        return (int(count), max(int(ttl), 0)) if count is not None else (0, 0)

    def counted(self, name):
        return int(self.call("GET", self.keys.rate(name)) or 0)

    # diagnostics
    can_repair = True

    def server_info(self):
        try:
            info = _as_info(self.call("INFO"))
        except StorageUnavailable:
            raise
        except StorageError as exc:  # some services (and fakeredis) don't offer INFO
            return {"applicable": False, "reason": f"the server does not answer INFO ({exc})"}
        try:
            save = _as_dict(self.call("CONFIG", "GET", "save")).get("save")
        except StorageUnavailable:
            raise
        except StorageError:
            save = None  # CONFIG is disabled on many managed Redis services
        maxmemory = int(info.get("maxmemory", 0) or 0)
        policy = str(info.get("maxmemory_policy", "") or "")
        return {
            "applicable": True,
            "redis_version": str(info.get("redis_version", "")),
            "redis_mode": str(info.get("redis_mode", "")),
            "role": str(info.get("role", "")),
            "connected_replicas": int(info.get("connected_slaves", 0) or 0),
            "aof_enabled": str(info.get("aof_enabled", "0")) in ("1", "True", "true"),
            "rdb_save": None if save is None else str(save),
            "rdb_last_bgsave_status": str(info.get("rdb_last_bgsave_status", "")),
            "used_memory": int(info.get("used_memory", 0) or 0),
            "maxmemory": maxmemory,
            "maxmemory_policy": policy,
            "evicting": policy.startswith(EVICTING_POLICIES_PREFIXES),
            "uptime_in_seconds": int(info.get("uptime_in_seconds", 0) or 0),
        }

    def canary(self):
        token = uuid.uuid4().hex
        key = self.keys.canary(token)
        self.call("SET", key, token, "EX", CANARY_TTL_SECONDS)
        read_back = self.call("GET", key) == token
        deleted = int(self.call("DEL", key)) == 1
        return {"written": True, "read_back": read_back, "deleted": deleted}

    def sample_ids(self, collection, count):
        return list(self.call("ZRANDMEMBER", self.keys.index(collection), int(count)) or [])

    def scan(self, pattern):
        """Every key matching pattern, by SCAN (diagnostics only: never on a request path)."""
        found, cursor = set(), 0
        while True:
            cursor, keys = self.call("SCAN", cursor, "MATCH", pattern, "COUNT", SCAN_COUNT)
            found.update(keys)
            cursor = int(cursor)
            if cursor == 0:
                return sorted(found)

    def raw_state(self, collection):
        layout = self.keys
        found = self.scan(layout.collection_pattern(collection))
        record_ids, unique_fields, by_keys = [], [], []
        for key in found:
            family, detail = layout.classify(collection, key)
            if family == "record":
                record_ids.append(detail)
            elif family == "unique":
                unique_fields.append(detail)
            elif family == "by":
                by_keys.append(detail)
        texts = dict(zip(record_ids, self.get_many(collection, record_ids), strict=True))
        for record_id in [i for i, t in texts.items() if t is None]:
            if self.call("TYPE", layout.record(collection, record_id)) == "none":
                del texts[record_id]  # deleted since the scan
        commands = [
            ("GET", layout.version(collection)),
            ("ZRANGE", layout.index(collection), 0, -1, "WITHSCORES"),
            ("ZCARD", layout.changes(collection)),
        ]
        commands += [("HGETALL", layout.unique(collection, f)) for f in unique_fields]
        commands += [("SMEMBERS", layout.by(collection, f, v)) for f, v in by_keys]
        replies = self.pipeline(commands)
        version, index, changes = replies[:3]
        uniques = replies[3 : 3 + len(unique_fields)]
        members = replies[3 + len(unique_fields) :]
        by = {}
        for (field, value), ids in zip(by_keys, members, strict=True):
            by.setdefault(field, {})[value] = tuple(sorted(ids))
        return RawState(
            records=texts,
            index={member: float(score) for member, score in _pairs(index)},
            unique={f: _as_dict(h) for f, h in zip(unique_fields, uniques, strict=True)},
            by=by,
            version=None if version is None else int(version),
            changes=int(changes),
            keys=tuple(found),
        )

    def repair(self, fix):
        keys = self.keys
        spec = {
            "root": keys.root,
            "collection": fix.collection,
            "id": fix.record_id,
            "action": fix.action,
            "expected": int(fix.expected_version),
            "field": fix.field,
            "value": fix.value,
            "score": int(fix.score),
            "unique": [list(u) for u in fix.unique],
            "by": [list(b) for b in fix.by],
            "op_ttl": OP_TTL_SECONDS,
            "changes_max": CHANGES_MAX,
            "changes_slack": CHANGES_SLACK,
        }
        script_keys = [
            keys.record(fix.collection, fix.record_id),
            keys.index(fix.collection),
            keys.version(fix.collection),
            keys.changes(fix.collection),
            keys.meta(),
            keys.op(uuid.uuid4().hex),
        ]
        reply = self.evalsha("repair", script_keys, [json.dumps(spec), ""])
        if reply[0] == "ok":
            return "applied"
        if reply[0] == "unique":
            return f"conflict: its {reply[1]} belongs to {reply[2]}"
        return "changed"


def _as_info(reply):
    """INFO as a dict, whether the client parsed it (redis-py) or not (REST: text)."""
    if isinstance(reply, dict):
        return reply
    info = {}
    for line in str(reply or "").splitlines():
        if line and not line.startswith("#") and ":" in line:
            name, _, value = line.partition(":")
            info[name.strip()] = value.strip()
    return info


def _as_dict(reply):
    """HGETALL / CONFIG GET as a dict (redis-py parses it; REST returns a flat list)."""
    if isinstance(reply, dict):
        return reply
    return dict(_pairs(reply))


def _pairs(reply):
    """A reply of pairs (flat list, or a list of 2-item lists in RESP3) as (a, b) tuples."""
    items = list(reply or [])
    if items and isinstance(items[0], list | tuple):
        return [tuple(item) for item in items]
    return list(zip(items[0::2], items[1::2], strict=True))


def interpret_reply(write, reply):
    """Turn a script's reply (shared by the Lua scripts and jsonfile) into a result or an error."""
    status = reply[0]
    if status == "ok":
        cascaded = int(reply[3]) if len(reply) > 3 else 0
        return WriteResult(int(reply[1]), int(reply[2]), cascaded)
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
