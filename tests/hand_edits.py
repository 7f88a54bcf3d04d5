"""Stored states no write of the current code produces, made by hand on any backend: what an
operator's edit of the data, a bulk load or an older writer leaves behind. The write scripts and
the JSON backend must both cope with them the same way."""

import json
import os

from storage.backends.jsonfile import JsonFileBackend
from tests.paged_edits import add_entry, remove_entry


def edit_file(backend, collection, change):
    """Rewrite a JSON backend's collection file through change(state), replacing the file (a new
    inode, as an editor saving it would), so the backend re-reads it."""
    path = backend.dir / f"{collection}.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    change(state)
    edited = path.with_suffix(".edited")
    edited.write_text(json.dumps(state), encoding="utf-8")
    os.replace(edited, path)


def rewrite_record(backend, collection, record_id, change):
    """Replace the stored record by change(its parsed document)."""
    if isinstance(backend, JsonFileBackend):
        edit_file(backend, collection, lambda state: change(state["records"][record_id]))
        return
    key = backend.keys.record(collection, record_id)
    doc = json.loads(backend.call("GET", key))
    change(doc)
    backend.call("SET", key, json.dumps(doc))


def add_reference_member(backend, collection, field, value, record_id):
    """Name record_id in the reference index (field = value) of collection, record or not."""
    if isinstance(backend, JsonFileBackend):
        edit_file(backend, collection, lambda s: s["by"].setdefault(field, {}).setdefault(value, []).append(record_id))
        return
    backend.call("HSET", backend.keys.by(collection, field, value), record_id, "1")


def drop_from_list_index(backend, collection, record_id):
    """Take the record out of its collection's list index (the record itself stays)."""
    if isinstance(backend, JsonFileBackend):
        edit_file(backend, collection, lambda state: state["index"].pop(record_id))
        return
    remove_entry(backend, backend.keys.creation(collection), record_id)


def store_record(backend, collection, doc):
    """Overwrite the stored record as it is, bypassing the writes (data an older version left)."""
    if isinstance(backend, JsonFileBackend):
        edit_file(backend, collection, lambda state: state["records"].__setitem__(doc["id"], doc))
        return
    backend.call("SET", backend.keys.record(collection, doc["id"]), json.dumps(doc))


def drop_record_text(backend, collection, record_id):
    """Remove a stored record and nothing else, as a hand edit or a partial restore leaves it."""
    if isinstance(backend, JsonFileBackend):
        edit_file(backend, collection, lambda state: state["records"].pop(record_id))
        return
    backend.call("DEL", backend.keys.record(collection, record_id))


def plant_unparsable(store, collection, record_id):
    """A Redis key that holds no JSON, indexed like a record of the collection (a hand-made SET)."""
    backend = store.backend
    backend.call("SET", backend.keys.record(collection, record_id), "not json")
    add_entry(backend, backend.keys.creation(collection), record_id, 1)
    backend.call("INCR", backend.keys.version(collection))


def drop_paged_index(backend, base):
    """Delete every key of a paged sort index (storage/scripts/pages.lua) under `base`."""
    keys = [k for k in backend.scan(base.replace("{", "\\{").replace("}", "\\}") + ":*")]
    if keys:
        backend.call("DEL", *keys)
