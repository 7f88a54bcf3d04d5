"""The key layout. Braces make the prefix a Redis Cluster hash tag: every key shares one slot."""

import hashlib
import re

ID_MAX_LENGTH = 64
ID_PATTERN = re.compile(rf"^[A-Za-z0-9_-]{{1,{ID_MAX_LENGTH}}}$")
ID_RULE = f"1-{ID_MAX_LENGTH} letters, digits, '_' or '-'"  # how messages state the id format
PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
RATE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
CREATION_ORDER = "created_at"  # the field of the creation index, a paged index like a sort index


def index_page(base, entry):
    """The page key that an entry of a paged index's directory names (storage/scripts/pages.lua
    pz_page_key: the entry ends with ' ' and the page number)."""
    return f"{base}:p:{entry.rpartition(' ')[2]}"


def valid_id(value):
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


class KeyLayout:
    def __init__(self, prefix):
        if not PREFIX_PATTERN.fullmatch(prefix or ""):
            raise ValueError(f"STORAGE_KEY_PREFIX {prefix!r} is invalid: use 1-64 letters, digits, '.', '_' or '-'")
        self.prefix = prefix
        self.root = "{" + prefix + "}"

    def record(self, collection, record_id):
        return f"{self.root}:{collection}:{record_id}"

    def creation(self, collection):
        """The creation index: a paged index (storage/scripts/pages.lua) of id -> created_at in ms,
        the collection's list order, count and cursor."""
        return self.order(collection, CREATION_ORDER)

    def index(self, collection):
        """The creation index of the previous layout (one ZSET id -> ms), read instead of the paged
        one while it is there; `manage.py build_indexes` moves it into the paged one and removes it."""
        return f"{self.root}:{collection}:index"

    def version(self, collection):
        return f"{self.root}:{collection}:version"

    def changes(self, collection):
        return f"{self.root}:{collection}:changes"

    def unique(self, collection, field):
        """The previous layout's unique index (one HASH normalised value -> id), still read until
        `manage.py build_indexes` moves it into the buckets, and the base of their keys."""
        return f"{self.root}:{collection}:unique:{field}"

    def unique_bucket(self, collection, field, normalised):
        """The unique index's HASH holding `normalised`: one of 4,096, by the first 3 hex digits of
        its sha1 (storage/scripts/prelude.lua unique_bucket), small enough to stay listpack-encoded."""
        bucket = hashlib.sha1(normalised.encode(), usedforsecurity=False).hexdigest()[:3]
        return f"{self.unique(collection, field)}:{bucket}"

    def by(self, collection, field, value):
        return f"{self.root}:{collection}:by:{field}:{value}"

    def order(self, collection, field):
        """A paged sort index (storage/scripts/pages.lua) of id -> score (a time in ms): a list order
        other than creation, served by index. Its keys: this base and ':dir', ':p:<n>', ':n', ':next'."""
        return f"{self.root}:{collection}:order:{field}"

    def sort(self, collection, field):
        """The sort index of the previous layout (one ZSET id -> score), which `manage.py
        build_indexes` replaces by the paged one and removes."""
        return f"{self.root}:{collection}:sort:{field}"

    def meta(self):
        return f"{self.root}:meta"

    def op(self, op_id):
        return f"{self.root}:op:{op_id}"

    def rate(self, name):
        """A rate-limit counter (config/ratelimit.py makes the names: never raw user input)."""
        if not RATE_NAME_PATTERN.fullmatch(name or ""):
            raise ValueError(f"invalid rate-limit counter name {name!r}")
        return f"{self.root}:rate:{name}"

    def canary(self, token):
        return f"{self.root}:canary:{token}"

    def collection_pattern(self, collection):
        """A SCAN pattern matching every key of one collection (diagnostics only)."""
        return f"{_escape(self.root)}:{_escape(collection)}:*"

    def classify(self, collection, key):
        """(family, detail) of a key of `collection`: ("record", id), ("index"|"version"|"changes",
        None), ("unique", field) (a bucket or the previous layout's single hash), ("by", (field,
        value)), ("sort"|"order", field); None when the key is not the collection's."""
        base = f"{self.root}:{collection}:"
        if not key.startswith(base):
            return None
        rest = key[len(base) :]
        if rest in ("index", "version", "changes"):
            return rest, None
        if rest.startswith("sort:"):
            return "sort", rest[len("sort:") :]
        if rest.startswith("order:"):
            return "order", rest[len("order:") :].partition(":")[0]
        if rest.startswith("unique:"):
            return "unique", rest[len("unique:") :].partition(":")[0]
        if rest.startswith("by:"):
            field, _, value = rest[len("by:") :].partition(":")
            return "by", (field, value)
        return "record", rest

    def by_pattern(self, collection):
        """A SCAN pattern matching every reference index key of one collection (build_indexes)."""
        return f"{_escape(self.root)}:{_escape(collection)}:by:*"

    def pattern(self):
        """A SCAN pattern matching every key of this prefix (diagnostics only, never a request)."""
        return f"{_escape(self.root)}:*"


def _escape(text):
    """Escape SCAN / KEYS glob characters."""
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)
