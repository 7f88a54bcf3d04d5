"""How far one Redis goes for this data (docs/scaling.md): records, memory per record, writes/s
through the storage layer, on one Redis and on a 3-master cluster. Starts its own servers.

    .venv/bin/python bench/capacity.py [--records 20000] [--seconds 3]
"""

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(DEBUG="true", STORAGE_BACKEND="jsonfile", LOG_LEVEL="ERROR", STORAGE_DATA_DIR=tempfile.mkdtemp())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from redis.cluster import key_slot  # noqa: E402

from storage.backends.redis import RedisBackend  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402
from tests.redis_topologies import Cluster  # noqa: E402

NOTES = "Prefers morning appointments; parking at the back; call before coming."


def client_fields(n):
    return {
        "name": f"Client Number {n}",
        "email": f"client{n}@example.org",
        "phone": "+33 6 12 34 56 78",
        "notes": NOTES,
        "tags": ["vip", "paris"],
        "is_active": True,
    }


def session_fields(client_id, n):
    return {
        "client_id": client_id,
        "title": f"Session {n}",
        "starts_at": "2026-12-01T10:00:00.000000Z",
        "duration_minutes": 60,
        "status": "scheduled",
        "location": "Office 2",
        "notes": NOTES,
    }


def collections(url, prefix):
    store = Store(RedisBackend(url, prefix))
    return store, store.collection("clients"), store.collection("sessions")


def fill(url, prefix, records):
    _, clients, sessions = collections(url, prefix)
    ids = []
    started = time.perf_counter()
    for n in range(records):
        ids.append(clients.create(client_fields(n))["id"])
    for n in range(records):
        sessions.create(session_fields(random.choice(ids), n))
    return 2 * records / (time.perf_counter() - started), ids


def writer(url, prefix, seconds, offset, queue):
    _, clients, _ = collections(url, prefix)
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        clients.create(client_fields(offset + done))
        done += 1
    queue.put(done)


def parallel_writes(url, prefixes, seconds):
    """Writes/s of len(prefixes) processes, process i writing to prefixes[i]."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(target=writer, args=(url, p, seconds, random.randrange(10**12) * 1000, queue))
        for i, p in enumerate(prefixes)
    ]
    for process in processes:
        process.start()
    total = sum(queue.get() for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


def usec_per_evalsha(client):
    stats = client.info("commandstats")
    return stats.get("cmdstat_evalsha", {}).get("usec_per_call", 0.0)


def options_from_command_line():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000, help="clients, and as many sessions")
    parser.add_argument("--seconds", type=float, default=3.0)
    return parser.parse_args()


def measure_memory(raw, before, ids, records, say):
    """used_memory after the fill, split into op keys and records, and the main keys' MEMORY USAGE."""
    after = raw.info("memory")["used_memory"]
    op_keys = [k for k in raw.scan_iter(match="{bench}:op:*", count=5000)]
    op_bytes = sum(raw.memory_usage(k) for k in op_keys[:200]) / max(1, min(200, len(op_keys)))
    total = after - before
    without_ops = total - op_bytes * len(op_keys)
    say(f"used_memory for {2 * records} records: {total / 1e6:.1f} MB with {len(op_keys)} op keys alive")
    say(f"  op key (kept 300 s per write): {op_bytes:.0f} B each")
    say(f"  per record, op keys expired: {without_ops / (2 * records):.0f} B")
    sample = ids[len(ids) // 2]
    for label, pattern in [
        ("client record", f"\\{{bench\\}}:clients:{sample}"),
        ("clients creation index (pages)", "\\{bench\\}:clients:order:created_at*"),
        ("clients changes (ZSET)", "\\{bench\\}:clients:changes"),
        ("clients unique:email (HASHes)", "\\{bench\\}:clients:unique:email*"),
    ]:
        used = sum(raw.memory_usage(k, samples=0) or 0 for k in raw.scan_iter(match=pattern, count=5000))
        say(f"  MEMORY USAGE {label}: {used:,} B")


def measure_reads(url, records, say):
    """A cold process loads the whole collection once; a warm cache costs one version round trip."""
    _, clients, _ = collections(url, "bench")
    started = time.perf_counter()
    clients.all()
    say(f"cold load of {records} clients into a new process: {time.perf_counter() - started:.2f} s")
    tracemalloc.start()
    kept = collections(url, "bench")[1]
    kept.all()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    say(f"  Python memory that cache holds, in each worker: {held / records:,.0f} B per record")
    started, rounds = time.perf_counter(), 0
    while time.perf_counter() - started < 1:
        clients.all()
        rounds += 1
    say(f"warm list (one version round trip): {rounds / (time.perf_counter() - started):,.0f} lists/s")


def measure_parallel_writes_on_one_redis(raw, url, seconds, say):
    raw.config_resetstat()
    for processes in (1, 2, 4):
        rate = parallel_writes(url, ["bench"] * processes, seconds)
        say(f"one Redis, one prefix, {processes} writer process(es): {rate:,.0f} writes/s")
    say(f"server time per write script under load: {usec_per_evalsha(raw):.1f} us")
    cpu = raw.info("cpu")
    say(f"redis-server CPU so far: {cpu['used_cpu_sys'] + cpu['used_cpu_user']:.1f} s")


def measure_one_redis(options, say):
    server = RedisServer().start()
    raw = server.client()
    try:
        before = raw.info("memory")["used_memory"]
        rate, ids = fill(server.url, "bench", options.records)
        say(f"sequential writes, one process, one connection: {rate:,.0f} writes/s")
        say(f"server time per write script (EVALSHA): {usec_per_evalsha(raw):.1f} us")
        measure_memory(raw, before, ids, options.records, say)
        measure_reads(server.url, options.records, say)
        measure_parallel_writes_on_one_redis(raw, server.url, options.seconds, say)
    finally:
        server.close()


def master_port_of(cluster, slot):
    return next(
        node.port
        for node in cluster.nodes
        for start, end, (_, port, *_), *_ in node.client().execute_command("CLUSTER", "SLOTS")
        if start <= slot <= end and int(port) == node.port
    )


def tenants_on_distinct_masters(cluster, count=3):
    """Tenant prefixes whose hash slots fall on `count` different masters."""
    owners, tenants = set(), []
    for n in range(1000):
        tenant = f"tenant{n}"
        owner = master_port_of(cluster, key_slot(f"{{{tenant}}}".encode()))
        if owner not in owners:
            owners.add(owner)
            tenants.append(tenant)
        if len(tenants) == count:
            break
    return tenants


def measure_cluster(options, say):
    cluster = Cluster().start()
    try:
        tenants = tenants_on_distinct_masters(cluster)
        for prefixes, label in [(["one"] * 3, "one prefix (one slot)"), (tenants, "3 tenant prefixes on 3 masters")]:
            rate = parallel_writes(cluster.url, prefixes, options.seconds)
            say(f"cluster, 3 writer processes, {label}: {rate:,.0f} writes/s")
        spread = [node.client().dbsize() for node in cluster.nodes]
        say(f"keys per master after both runs: {spread}")
    finally:
        cluster.close()


def main():
    options = options_from_command_line()
    out = []

    def say(line):
        print(line, flush=True)
        out.append(line)

    say(f"cores: {os.cpu_count()}, records: {options.records} clients + {options.records} sessions")
    measure_one_redis(options, say)
    measure_cluster(options, say)
    return out


if __name__ == "__main__":
    main()
