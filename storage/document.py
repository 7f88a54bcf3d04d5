"""A record's JSON text, built in one place: the id and the writable fields, then the system fields
version, created_at and updated_at. The update script splices the same text (it never re-encodes a
record), so what Python caches is byte for byte what the backend stores, but for the id: the
backends that speak Redis commands store the text without it (the key names the record, and the id
was 12-15% of a record's bytes in Redis) and put it back on every read (with_id)."""

from .jsontext import dumps

# The fields the store sets on every record (never taken from a caller): the one declaration that
# the model, its serializers, the admin and the import derive from.
SYSTEM_FIELDS = ("id", "version", "created_at", "updated_at")
_SYSTEM = frozenset(SYSTEM_FIELDS)


def head(record_id, fields):
    """The start of a record's JSON text: id and the writable fields, without the closing brace.
    The script (or create) appends version, created_at and updated_at: document()."""
    if not _SYSTEM.isdisjoint(fields):  # what a caller sends back of a record it read
        fields = {k: v for k, v in fields.items() if k not in _SYSTEM}
    return dumps({"id": record_id, **fields})[:-1]


def document(head_text, version, created_at, updated_at):
    """The stored JSON text of a record, exactly as the update script builds it."""
    return f'{head_text},"version":{int(version)},"created_at":{dumps(created_at)},"updated_at":{dumps(updated_at)}}}'


def without_id(record_id, text):
    """The text the Redis backends store: the record's text less its leading id member."""
    start = f'{{"id":"{record_id}"'
    if not text.startswith(start):
        return text
    rest = text[len(start) :]
    return "{" + rest[1:] if rest.startswith(",") else "{" + rest


def with_id(record_id, stored):
    """The record's text with its id first, from the text a Redis backend stored: as it is when the
    id is there already (written before ids were left out, or by hand), as it is when it is no
    JSON object with members (what parse() refuses, left for it to say why); else the id first."""
    if stored is None or not stored.startswith('{"') or stored.startswith('{"id":'):
        return stored
    return f'{{"id":"{record_id}",{stored[1:]}'
