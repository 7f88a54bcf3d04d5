"""Bulk loading for the benchmarks: realistic client and session records, written through the
real create script (the same EVALSHA a create sends), pipelined in batches; jsonfile through its
own write logic, saved once."""

import json
import time
from datetime import UTC, datetime, timedelta

from storage import scripts
from storage.backends import jsonfile_writes

BATCH = 2000
START = datetime(2026, 1, 1, tzinfo=UTC)
TAGS = ([], ["vip"], ["new", "referral"], [])


def client_fields(i):
    return {
        "name": f"Client {i} Dupont",
        "email": f"client{i}@example.com",
        "phone": f"+33 6 {i % 100:02d} {i // 100 % 100:02d} {i // 10000 % 100:02d} 00",
        "notes": "Prefers morning appointments." if i % 3 == 0 else "",
        "tags": TAGS[i % len(TAGS)],
        "is_active": i % 10 != 0,
    }


def session_fields(i, client_id):
    return {
        "client_id": client_id,
        "title": f"Session {i}",
        "starts_at": (START + timedelta(minutes=30 * i)).isoformat().replace("+00:00", "Z"),
        "duration_minutes": 60,
        "status": "scheduled",
        "location": "Paris",
        "notes": "",
    }


def stamp(i):
    """Distinct, increasing creation times (records are listed oldest first)."""
    return (START + timedelta(milliseconds=i)).isoformat(timespec="microseconds").replace("+00:00", "Z")


def load_redis(collection, client, make_fields, count, *, first=0, seconds=None):
    """Create `count` records of `collection` (redis or rest backend; `client` a redis-py client on
    the same Redis) through the create script, pipelined; with `seconds`, stop at the first batch
    boundary past that time. Returns (ids, seconds taken, json bytes)."""
    backend = collection.backend
    shas = {op: client.script_load(scripts.source(op)) for op in scripts.OPERATIONS}
    ids, json_bytes = [], 0
    started = time.perf_counter()
    for start in range(first, first + count, BATCH):
        if seconds is not None and time.perf_counter() - started > seconds:
            break
        pipe = client.pipeline(transaction=False)
        for i in range(start, min(first + count, start + BATCH)):
            write, doc = collection.create_write(make_fields(i), created_at=stamp(i))
            operation, keys, args = backend.script_call(write)
            pipe.evalsha(shas[operation], len(keys), *keys, *args)
            ids.append(write.record_id)
            json_bytes += len(doc.encode())
        for reply in pipe.execute():
            if reply[0] != "ok":
                raise RuntimeError(f"bulk load of {collection.name} failed: {reply!r}")
    return ids, time.perf_counter() - started, json_bytes


def load_jsonfile(collection, make_fields, count):
    """The same creates applied by jsonfile's own write logic in memory, saved once."""
    backend = collection.backend
    states = {}

    def state_of(name):
        if name not in states:
            states[name] = json.loads(json.dumps(backend._read(name)))
        return states[name]

    ids = []
    started = time.perf_counter()
    for i in range(count):
        write, _doc = collection.create_write(make_fields(i), created_at=stamp(i))
        reply, _touched = jsonfile_writes.apply(write, state_of)
        if reply[0] != "ok":
            raise RuntimeError(f"bulk load of {collection.name} failed: {reply!r}")
        state_of(collection.name)["ops"] = {}  # no retry can come: keep the file lean
        ids.append(write.record_id)
    with backend._locked():
        for name, state in states.items():
            backend._save(name, state)
    return ids, time.perf_counter() - started


SESSIONS_PER_OWNER = 5  # the API benchmarks' sessions belong to the first clients, five each


def owner_of(session_number):
    return session_number // SESSIONS_PER_OWNER


IDS_FOR_LOAD = 5000  # records the load generator cycles over: a working set spread over the collection


def write_ids(directory, token, client_ids, sessions):
    """What the load generator reads (bench/api.lua): token.txt, ids.txt (IDS_FOR_LOAD client ids
    drawn at random over the whole collection) and owners.txt (clients that have sessions)."""
    import os
    import random

    owners = client_ids[: -(-sessions // SESSIONS_PER_OWNER)][:IDS_FOR_LOAD] if sessions else client_ids[:1]
    shuffled = list(client_ids)
    random.Random(7).shuffle(shuffled)
    shuffled = shuffled[:IDS_FOR_LOAD]
    for name, text in (("token.txt", token), ("ids.txt", "\n".join(shuffled)), ("owners.txt", "\n".join(owners))):
        with open(os.path.join(directory, name), "w") as handle:
            handle.write(text + "\n")
