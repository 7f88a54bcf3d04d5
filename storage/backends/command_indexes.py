"""The index reads of the command backends: pages and reference sets with their records, in one
read-only script each, the sort index fill and the unique index move (build_indexes). Mixed into CommandBackend."""

import json

from ..document import with_id
from ..keys import CREATION_ORDER
from .base import Page
from .command_diagnostics import _pairs


class CommandIndexes:
    def size(self, collection, sorts=()):
        commands = [("GET", self.keys.version(collection)), *self._count_commands(collection)]
        if sorts:
            commands.append(("HMGET", self.keys.meta(), *(ready_flag(collection, f) for f in sorts)))
        version, legacy, legacy_total, total, *flags = self.pipeline(commands, transaction=True)
        ready = tuple(f for f, flag in zip(sorts, flags[0] if flags else (), strict=False) if flag)
        return int(version or 0), int(legacy_total if legacy else total or 0), ready

    def count(self, collection):
        legacy, legacy_total, total = self.pipeline(self._count_commands(collection), transaction=True)
        return int(legacy_total if legacy else total or 0)

    def _count_commands(self, collection):
        """The size of the creation index, in either form: (EXISTS, ZCARD) of the previous layout's
        sorted set, then the paged index's count (pages.lua base:n)."""
        legacy = self.keys.index(collection)
        return [("EXISTS", legacy), ("ZCARD", legacy), ("GET", self.keys.creation(collection) + ":n")]

    def size_and_page(self, collection, sorts, known, offset, limit, reverse=False, sort=None, held=None):
        keys = self.keys
        script_keys = [
            keys.creation(collection),
            keys.version(collection),
            keys.meta(),
            keys.order(collection, sort) if sort else keys.creation(collection),
            keys.changes(collection),
            keys.index(collection),
        ]
        held_version, held_texts = held or (-1, {})
        args = [
            -1 if known is None else int(known),
            keys.record(collection, ""),
            int(offset),
            int(limit),
            "1" if reverse else "0",
            f"floor:{collection}",
            int(held_version),
            " ".join(held_texts),
            "1" if sort else "0",
            *(ready_flag(collection, f) for f in sorts),
        ]
        version, total, flags, page_total, ids, texts, kept = self.read_script("state", script_keys, args)
        ready = tuple(f for f, flag in zip(sorts, flags or (), strict=False) if flag)
        found = None
        if int(page_total) >= 0:
            ids = tuple(ids or ())
            texts = script_texts(ids, texts)
            if kept:  # unchanged since the caller read them: the script did not send them again
                kept = set(kept)
                texts = tuple(held_texts[i] if i in kept else t for i, t in zip(ids, texts, strict=True))
            found = Page(int(version), int(page_total), ids, texts)
        return int(version), int(total), ready, found

    def page(self, collection, offset, limit, reverse=False, sort=None):
        index = self.keys.order(collection, sort) if sort else self.keys.creation(collection)
        keys = [index, self.keys.version(collection), self.keys.index(collection)]
        args = [
            self.keys.record(collection, ""),
            int(offset),
            int(limit),
            "1" if reverse else "0",
            "1" if sort else "0",
        ]
        version, total, ids, texts = self.read_script("page", keys, args)
        return Page(int(version), int(total), tuple(ids), script_texts(ids, texts))

    def members(self, collection, field, value):
        keys = [self.keys.by(collection, field, value), self.keys.version(collection)]
        version, ids, texts = self.read_script("members", keys, [self.keys.record(collection, "")])
        return Page(int(version), len(ids), tuple(ids), script_texts(ids, texts))

    def owner(self, collection, field, normalised):
        keys = [
            self.keys.unique_bucket(collection, field, normalised),
            self.keys.version(collection),
            self.keys.unique(collection, field),
        ]
        version, ids, texts = self.read_script("owner", keys, [normalised, self.keys.record(collection, "")])
        return Page(int(version), len(ids), tuple(ids), script_texts(ids, texts))

    def index_after(self, collection, score, record_id, limit):
        keys = [self.keys.creation(collection), self.keys.index(collection)]
        start = "" if score == float("-inf") else int(score)
        found, extra = [], 0
        while True:
            reply = self.read_script("after", keys, [start, limit + extra])
            pairs = [(member, int(float(s))) for member, s in _pairs(reply)]
            found = [(m, s) for m, s in pairs if (s, m) > (score, record_id)]
            if found or len(pairs) < limit + extra:
                return found[:limit]
            extra += limit  # a page of ties at the cursor's score, all already seen: look further

    def fill_sort(self, collection, field, entries):
        payload = json.dumps([[i, int(v), "" if s is None else int(s)] for i, v, s in entries])
        keys = [self.keys.order(collection, field)]
        return int(self.read_script("sortfill", keys, [self.keys.record(collection, ""), payload, field]))

    def reference_keys(self, collection):
        return self.scan(self.keys.by_pattern(collection))

    def upgrade_references(self, keys):
        return int(self.read_script("refupgrade", list(keys), [])) if keys else 0

    def move_unique(self, collection, field, cursor, limit):
        cursor, moved, left = self.read_script("uniquemove", [self.keys.unique(collection, field)], [cursor, limit])
        return str(cursor), int(moved), int(left)

    def unique_to_move(self, collection, fields):
        found = self.pipeline([("EXISTS", self.keys.unique(collection, f)) for f in fields]) if fields else []
        return tuple(f for f, exists in zip(fields, found, strict=True) if int(exists))

    def sort_progress(self, collection, field):
        (ready, cursor), legacy = self.pipeline(
            [
                ("HMGET", self.keys.meta(), ready_flag(collection, field), fill_cursor(collection, field)),
                ("EXISTS", self.keys.index(collection)),
            ],
            transaction=True,
        )
        if field == CREATION_ORDER:  # complete once the previous layout's sorted set is gone
            ready = not int(legacy)
        if cursor:
            score, _, record_id = cursor.partition(":")
            cursor = (int(score), record_id)
        return bool(ready), cursor or None

    def save_sort_progress(self, collection, field, cursor, complete=False):
        meta = self.keys.meta()
        if complete and field == CREATION_ORDER:  # the previous layout's creation index goes
            self.pipeline(
                [("HDEL", meta, fill_cursor(collection, field)), ("UNLINK", self.keys.index(collection))],
                transaction=True,
            )
        elif complete:  # the previous layout's sort index and its flags go: the paged one replaces them
            self.pipeline(
                [
                    ("HSET", meta, ready_flag(collection, field), "1"),
                    ("HDEL", meta, fill_cursor(collection, field), *previous_flags(collection, field)),
                    ("UNLINK", self.keys.sort(collection, field)),
                ],
                transaction=True,
            )
        else:
            self.call("HSET", meta, fill_cursor(collection, field), f"{cursor[0]}:{cursor[1]}")

    def read_script(self, operation, keys, args):
        """A read-only script (no replica acknowledgement to wait for)."""
        return self.evalsha(operation, keys, args)


def ready_flag(collection, field):
    """The meta field saying the paged sort index of `field` is complete."""
    return f"ordered:{collection}:{field}"


def fill_cursor(collection, field):
    """The meta field holding the build's cursor (a new name: the previous layout's build cursor,
    if one was left, says nothing of the paged index)."""
    return f"orderfill:{collection}:{field}"


def previous_flags(collection, field):
    """The previous layout's meta fields for that index: its completeness flag and build cursor."""
    return (f"sorted:{collection}:{field}", f"sortfill:{collection}:{field}")


def script_texts(ids, texts):
    """A script's MGET result for ids, each text with its id (storage/document.py): Lua turns nil
    into false, and an empty table may come back empty."""
    texts = list(texts or [])
    texts += [None] * (len(ids) - len(texts))
    return tuple(with_id(i, t) if isinstance(t, str) else None for i, t in zip(ids, texts, strict=False))
