"""check-sessions: a collection's records in the backend vs this process's memory (the seed's third
route). Which fields identify a record, and which collections its references name, come from the
collection's spec, so any registered record type is compared the same way.

Read without refreshing memory first: the point is to see what this process would serve.
"""

import json

from storage.store import get_store


def compare(collection_name, limit=100):
    store = get_store()
    collection = store.collection(collection_name)
    memory_version, memory = collection.memory()
    backend_version, stored = _stored(store, collection_name)
    only_backend = sorted(set(stored) - set(memory))
    only_memory = sorted(set(memory) - set(stored))
    different = [
        {"id": i, "backend_version": stored[i].get("version"), "memory_version": memory[i].get("version")}
        for i in sorted(set(stored) & set(memory))
        if stored[i].get("version") != memory[i].get("version")
    ]
    loaded = memory_version is not None
    differences = len(only_backend) + (len(only_memory) + len(different) if loaded else 0)
    if loaded:
        summary = (
            f"Compared {len(stored)} {collection_name} in the backend (version {backend_version}) with "
            f"{len(memory)} in this process's memory (version {memory_version}): "
            + ("no difference" if differences == 0 else f"{differences} difference(s)")
        )
    else:
        summary = (
            f"Nothing compared: this process has not loaded {collection_name} yet, so only the backend's "
            f"{len(stored)} are listed (load it first, or ask a running server)"
        )
    return {
        "collection": collection_name,
        "compared": loaded,
        "summary": summary,
        "backend": {"count": len(stored), "version": backend_version},
        "memory": {"loaded": loaded, "count": len(memory), "version": memory_version},
        "consistent": differences == 0 if loaded else True,
        "differences": {
            "only_in_backend": only_backend[:limit] if loaded else [],
            "only_in_memory": only_memory[:limit],
            "different_versions": different[:limit],
            "counts": {
                "only_in_backend": len(only_backend) if loaded else 0,
                "only_in_memory": len(only_memory),
                "different_versions": len(different),
            },
        },
        collection_name: _listing(store, collection.spec, list(stored.values())[:limit]),
        "truncated": len(stored) > limit,
        "limit": limit,
        "note": "" if loaded else "This process has not loaded the collection yet: nothing to compare in memory.",
    }


def _stored(store, collection_name):
    """(version, {id: record}) as the backend holds them; unparseable records are left out."""
    version, ids = store.backend.snapshot_ids(collection_name)
    stored = {}
    for text in store.backend.get_many(collection_name, ids):
        record = _parsed(text)
        if record is not None and "id" in record:
            stored[record["id"]] = record
    return version, stored


def _listing(store, spec, records):
    """Each record as the fields that identify it: id, title, each reference with the title of the
    record it names (client_id -> client_name), the spec's listed fields, version."""
    titles = {name: _titles(store, target, [r.get(name) for r in records]) for name, target in spec.references.items()}
    rows = []
    for record in records:
        row = {"id": record.get("id")}
        if spec.title_field:
            row[spec.title_field] = record.get(spec.title_field)
        for name, found in titles.items():
            row[name] = record.get(name)
            row[title_key(store, name, spec.references[name])] = found.get(record.get(name))
        row.update({name: record.get(name) for name in spec.listed})
        row["version"] = record.get("version")
        rows.append(row)
    return rows


def title_key(store, field, target):
    """client_id naming a client whose title field is name -> client_name."""
    title = store.collection(target).spec.title_field or "id"
    return f"{field.removesuffix('_id')}_{title}"


def _titles(store, target, ids):
    ids = sorted({i for i in ids if i})
    title = store.collection(target).spec.title_field
    found = {}
    for record_id, text in zip(ids, store.backend.get_many(target, ids), strict=True):
        record = _parsed(text)
        found[record_id] = record.get(title) if record is not None and title else None
    return found


def _parsed(text):
    if text is None:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None
