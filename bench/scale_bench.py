"""At scale (make bench only): 100,000 clients and up to 1,000,000 sessions in one Redis, loaded
through the create script; memory per record, cold load of a new process, list page and detail
latency against the same baselines."""

import itertools
import os
import random
import time
import uuid

from storage.store import Store

from . import loader, memory
from .raw import RawRedis
from .storage_bench import row
from .timing import compare, sample

PAGE = 50


def rss_bytes():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_scale(client, make_backend, clients_n, sessions_n, counts, results, log, *, load_seconds=300):
    prefix = f"scale{uuid.uuid4().hex[:8]}"
    loading = Store(make_backend(prefix))
    log(f"scale: loading {clients_n:,} clients")
    client_ids, _, client_memory = memory.load_and_measure(
        client, loading.collection("clients"), loader.client_fields, clients_n
    )
    log(f"scale: loading up to {sessions_n:,} sessions ({load_seconds} s at most)")
    session_ids, _, session_memory = memory.load_and_measure(
        client,
        loading.collection("sessions"),
        lambda i: loader.session_fields(i, client_ids[i % len(client_ids)]),
        sessions_n,
        seconds=load_seconds,
    )
    loading.close()
    log(f"scale: {len(session_ids):,} sessions loaded in {session_memory['load_seconds']:.0f} s")
    scale = {"memory": [client_memory, session_memory], "cold": []}

    store, other = Store(make_backend(prefix)), Store(make_backend(prefix))
    for name, ids in (("clients", client_ids), ("sessions", session_ids)):
        scale["cold"].append(bench_collection(store, other, client, name, ids, counts, results))
    store.close()
    other.close()
    return scale


def bench_collection(store, other, client, name, ids, counts, results):
    """Cold load, detail, list page and list page after a change on one loaded collection."""
    collection = store.collection(name)
    raw = RawRedis(client, store.backend.keys, name)
    rss = rss_bytes()
    started = time.perf_counter()
    collection.all()
    cold = {
        "collection": name,
        "count": len(ids),
        "seconds": time.perf_counter() - started,
        "rss_per_record": (rss_bytes() - rss) / len(ids),
    }
    rng = random.Random(1)
    pick = itertools.cycle([rng.choice(ids) for _ in range(1000)]).__next__
    size, label = len(ids), f"redis, {name}"
    ours, base = compare(lambda: collection.get(pick()), lambda: raw.get_parse(pick()), counts["detail"])
    results.append(row(label, "detail read", size, ours, base, "redis-py GET + json.loads", "detail"))
    ours, base = compare(
        lambda: collection.all()[-PAGE:],
        lambda: raw.list_all(ids)[-PAGE:],
        counts["list"],
        base_count=3,
        rounds=3,
        warmup=1,
    )
    page = f"list page of {PAGE}"
    results.append(row(label, f"{page}, unchanged", size, ours, base, "seed: fetch all + parse", "list"))
    writer = other.collection(name)

    def change_one():
        record = writer.get(pick())
        writer.update(record["id"], dict(record))

    after = sample(lambda: collection.all()[-PAGE:], counts["change"], setup=change_one)
    results.append(row(label, f"{page} after one change", size, after, ours, "our unchanged list", "change"))
    return cold
