"""Helpers shared by the diagnostics tests: records through storage, raw keys, command runs."""

import io
import json

from django.core.management import call_command

from storage.keys import KeyLayout
from storage.store import get_store
from tests.test_storage_contract import session_fields


def make_client(name="Jeanne Dupont", email="jeanne@example.com"):
    fields = {"name": name, "email": email, "phone": "", "notes": "", "tags": ["vip"], "is_active": True}
    return get_store().collection("clients").create(fields)


def make_session(client_id, title="Intro"):
    return get_store().collection("sessions").create(session_fields(client_id, title))


def keys(prefix):
    return KeyLayout(prefix)


class TTY(io.StringIO):
    def isatty(self):
        return True


def run(command, *args, tty=False):
    """(exit code, stdout, stderr) of a management command run in this process."""
    out, err = (TTY() if tty else io.StringIO()), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def run_json(command, *args):
    code, out, err = run(command, *args, "--format", "json")
    return code, json.loads(out), err


def kinds(report):
    return {(p["kind"], p["collection"]) for p in report["problems"]}


def unique_buckets(raw, k, collection, field):
    """{key: {value: id}} of the buckets of a unique index (not the previous layout's single hash)."""
    return {key: raw.hgetall(key) for key in raw.scan_iter(match=f"{k.unique(collection, field)}:*")}


def unique_entries(raw, k, collection, field):
    """{value: id} of a unique index, its buckets and the previous layout's single hash together."""
    entries = raw.hgetall(k.unique(collection, field))
    for found in unique_buckets(raw, k, collection, field).values():
        entries.update(found)
    return entries


def to_previous_layout(raw, k, collection, field):
    """Move a unique index's entries from its buckets into one hash, as an older version wrote it."""
    for key, entries in unique_buckets(raw, k, collection, field).items():
        raw.hset(k.unique(collection, field), mapping=entries)
        raw.delete(key)
