"""At scale: clients and sessions in one Redis (100,000 and up to 1,000,000 in `make bench`),
loaded through the create script; memory per record, a new process's first list page, and the
detail, list page and list page after a change against their baselines."""

import json
import random
import subprocess
import sys
import uuid
from pathlib import Path

from storage.store import Store

from . import loader, memory
from .raw import RawRedis
from .storage_bench import bench_pages


def run_scale(client, url, make_backend, clients_n, sessions_n, counts, results, log, *, load_seconds=300):
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
    for name, ids in (("clients", client_ids), ("sessions", session_ids)):
        log(f"scale: first page of {len(ids):,} {name} in a new process")
        scale["cold"].append({"collection": name, "count": len(ids), **first_page(url, prefix, name)})
        store, other = Store(make_backend(prefix)), Store(make_backend(prefix))
        try:
            log(f"scale: reads on {len(ids):,} {name}")
            raw = RawRedis(client, store.backend.keys, name)
            bench_pages(f"redis, {name}", store, other.collection(name), raw, ids, counts, results, random.Random(1))
        finally:
            store.close()
            other.close()
    return scale


def first_page(url, prefix, collection):
    command = [sys.executable, "-m", "bench.first_page", url, prefix, collection]
    root = Path(__file__).resolve().parent.parent
    output = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True, timeout=600).stdout
    return json.loads(output.strip().splitlines()[-1])
