"""The diagnostics half of the command backends (redis, rest): server facts, a canary write, raw
state for integrity checks and their repairs. Never on a request path (SCAN reads every key)."""

import json
import uuid

from ..errors import StorageError, StorageUnavailable
from ..keys import index_page
from .base import RawState

SCAN_COUNT = 1000
CANARY_TTL_SECONDS = 60
EVICTING_POLICIES_PREFIXES = ("allkeys-", "volatile-")


class CommandDiagnostics:
    """Mixed into CommandBackend: uses its call, pipeline, evalsha, get_many, keys and script_params."""

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
        legacy = self.keys.index(collection)
        if int(self.call("EXISTS", legacy)):
            return list(self.call("ZRANDMEMBER", legacy, int(count)) or [])
        base = self.keys.creation(collection)  # random pages, then a few random ids of each
        pages = self.call("ZRANDMEMBER", base + ":dir", int(count)) or []
        if not pages:
            return []
        each = -(-int(count) // max(len(pages), 1))
        found = self.pipeline([("ZRANDMEMBER", index_page(base, p), each) for p in pages])
        return [record_id for ids in found for record_id in ids or ()][: int(count)]

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
        record_ids, unique_keys, by_keys = [], [], []
        for key in found:
            family, detail = layout.classify(collection, key)
            if family == "record":
                record_ids.append(detail)
            elif family == "unique":
                # the previous layout's single hash first: an entry of the value's bucket wins
                unique_keys.append((key != layout.unique(collection, detail), detail, key))
            elif family == "by":
                by_keys.append(detail)
        texts = dict(zip(record_ids, self.get_many(collection, record_ids), strict=True))
        for record_id in [i for i, t in texts.items() if t is None]:
            if self.call("TYPE", layout.record(collection, record_id)) == "none":
                del texts[record_id]  # deleted since the scan
        commands = [("GET", layout.version(collection)), ("ZCARD", layout.changes(collection))]
        unique_keys.sort()
        commands += [("HGETALL", k) for _, _, k in unique_keys]
        replies = self.pipeline(commands)
        version, changes = replies[:2]
        uniques = replies[2:]
        unique = {}
        for (_, field, _), entries in zip(unique_keys, uniques, strict=True):
            unique.setdefault(field, {}).update(_as_dict(entries))
        members = []
        for start in range(0, len(by_keys), SCAN_COUNT):  # either form of the key: read by a script
            chunk = by_keys[start : start + SCAN_COUNT]
            members += self.read_script("refids", [layout.by(collection, f, v) for f, v in chunk], [])
        by = {}
        for (field, value), ids in zip(by_keys, members, strict=True):
            by.setdefault(field, {})[value] = tuple(sorted(ids))
        return RawState(
            records=texts,
            index=self._creation_entries(collection),
            unique=unique,
            by=by,
            version=None if version is None else int(version),
            changes=int(changes),
            keys=tuple(found),
        )

    def _creation_entries(self, collection, chunk=SCAN_COUNT):
        """{id: score} of the whole creation index, a chunk per round trip (its cursor as a load's)."""
        entries, cursor = {}, (float("-inf"), "")
        while batch := self.index_after(collection, cursor[0], cursor[1], chunk):
            entries.update((record_id, float(score)) for record_id, score in batch)
            cursor = (batch[-1][1], batch[-1][0])
        return entries

    def repair(self, fix):
        keys = self.keys
        spec = {
            **self.script_params(),
            "collection": fix.collection,
            "id": fix.record_id,
            "action": fix.action,
            "expected": int(fix.expected_version),
            "field": fix.field,
            "value": fix.value,
            "score": int(fix.score),
            "unique": [list(u) for u in fix.unique],
            "by": [list(b) for b in fix.by],
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
