"""check-sessions: the sessions in the backend vs this process's memory (the seed's third route).

Read without refreshing memory first: the point is to see what this process would serve.
"""

import json

from storage.store import get_store

SHOWN_FIELDS = ("id", "title", "client_id", "starts_at", "version")


def compare(collection_name="sessions", limit=100):
    store = get_store()
    collection = store.collection(collection_name)
    cache = collection.cache
    with cache.lock:
        memory = dict(cache.records)
        memory_version = cache.version
    backend_version, ids = store.backend.snapshot_ids(collection_name)
    stored = {}
    for text in store.backend.get_many(collection_name, ids):
        if text is None:
            continue
        try:
            record = json.loads(text)
        except ValueError:
            continue
        if isinstance(record, dict) and "id" in record:
            stored[record["id"]] = record
    only_backend = sorted(set(stored) - set(memory))
    only_memory = sorted(set(memory) - set(stored))
    different = [
        {"id": i, "backend_version": stored[i].get("version"), "memory_version": memory[i].get("version")}
        for i in sorted(set(stored) & set(memory))
        if stored[i].get("version") != memory[i].get("version")
    ]
    target = collection.spec.references.get("client_id", "clients")
    names = _client_names(store, target, [r.get("client_id") for r in list(stored.values())[:limit]])
    shown = [
        {k: record.get(k) for k in SHOWN_FIELDS} | {"client_name": names.get(record.get("client_id"))}
        for record in list(stored.values())[:limit]
    ]
    loaded = memory_version is not None
    differences = len(only_backend) + (len(only_memory) + len(different) if loaded else 0)
    return {
        "collection": collection_name,
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
        "sessions": shown,
        "truncated": len(stored) > limit,
        "limit": limit,
        "note": "" if loaded else "This process has not loaded the collection yet: nothing to compare in memory.",
    }


def _client_names(store, target, client_ids):
    ids = sorted({i for i in client_ids if i})
    names = {}
    for client_id, text in zip(ids, store.backend.get_many(target, ids), strict=True):
        try:
            names[client_id] = json.loads(text).get("name") if text else None
        except ValueError:
            names[client_id] = None
    return names
