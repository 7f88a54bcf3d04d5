"""A record's stored JSON text, built in one place: the id and the writable fields, then the system
fields version, created_at and updated_at. The update script splices the same text (it never
re-encodes a record), so what Python caches is byte for byte what the backend stores."""

from .jsontext import dumps

# The fields the store sets on every record (never taken from a caller): the one declaration that
# the model, its serializers, the admin and the import derive from.
SYSTEM_FIELDS = ("id", "version", "created_at", "updated_at")


def head(record_id, fields):
    """The start of a record's JSON text: id and the writable fields, without the closing brace.
    The script (or create) appends version, created_at and updated_at: document()."""
    body = {k: v for k, v in fields.items() if k not in SYSTEM_FIELDS}
    return dumps({"id": record_id, **body})[:-1]


def document(head_text, version, created_at, updated_at):
    """The stored JSON text of a record, exactly as the update script builds it."""
    return f'{head_text},"version":{int(version)},"created_at":{dumps(created_at)},"updated_at":{dumps(updated_at)}}}'
