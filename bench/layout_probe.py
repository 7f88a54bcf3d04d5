"""`python -m bench.layout_probe [--clients N] [--sessions N]`: Redis memory per record of today's key
layout and of candidate alternatives, each as a ratio to the record's JSON size.

Why: to weigh a layout change before any storage code changes. The target is Redis memory per record
<= 2x its JSON; this probe measured which parts of the cost another layout would remove, and chose
the layout in use since 2026-12-07 (paged creation index, unique buckets, reference hashes: 1.96x and
1.95x in `make bench`). Its "today" variants are the layout before that, kept for the comparison.

How: on a redis-server of its own (default config, as the benchmarks), each variant of each part is
written alone after a FLUSHALL, by raw redis-py commands in pipelines (never through the storage code,
never into the project's data). Its cost is the settled INFO used_memory delta over the record count,
as a ratio to the record's whole JSON (id included, built as storage/document.py does). Parts alone
need not add up, so the layouts "today" and "compact" (the cheapest variant of each part) are measured
whole. "encoding": OBJECT ENCODING of the first / last key written (a paged index: page / directory).
Left out: operation-id keys (300 s expiry), the version counter and meta hash (bytes per collection).
"""

import argparse
import hashlib
import time
from collections import defaultdict, namedtuple
from itertools import chain
from operator import attrgetter

from ulid import ULID

from storage.cache import epoch_ms
from storage.document import document, head
from tests.redis_server import RedisServer

from . import loader

ROOT = "{app}"
CHUNK = 200  # members per multi-member command
PIPELINE_ARGS = 20_000  # a pipeline is sent once it holds this many arguments
PAGE = 100  # entries per index page: pages stay listpack-encoded (zset-max-listpack-entries 128)
CHANGES_MAX = 10_000  # the changes ZSET is trimmed back to this (storage/backends/commands.py)
PER_CLIENT = loader.SESSIONS_PER_OWNER  # sessions per client, wrapping past the last client

Rec = namedtuple("Rec", "id json ms email owner starts_ms")


def bucket(text):
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:3]


def without_id(rec):
    prefix = f'{{"id":"{rec.id}",'
    assert rec.json.startswith(prefix)
    return "{" + rec.json[len(prefix) :]


def make_records(clients, sessions):
    def make(prefix, i, fields, email=None, owner=None, starts_ms=None):
        record_id = f"{prefix}_{ULID()}"
        text = document(head(record_id, fields), 1, loader.stamp(i), loader.stamp(i))
        return Rec(record_id, text, epoch_ms(loader.stamp(i)), email, owner, starts_ms)

    made = []
    for i in range(clients):
        fields = loader.client_fields(i)  # the email as clients.models.normalise_email indexes it:
        made.append(make("client", i, fields, email=fields["email"].strip().casefold()))
    for i in range(sessions):
        fields = loader.session_fields(i, made[(i // PER_CLIENT) % clients].id)
        made.append(make("session", i, fields, owner=fields["client_id"], starts_ms=epoch_ms(fields["starts_at"])))
    return made[:clients], made[clients:]


# Writers: each yields the commands (tuples) that build one part of a layout.
def chunked(command, key, items):
    """`command *key` then the items (tuples) flattened, CHUNK items per command."""
    for start in range(0, len(items), CHUNK):
        yield (command, *key, *chain.from_iterable(items[start : start + CHUNK]))


def grouped(command, keyed):
    """keyed: (key, item) pairs; one key's items go to that key."""
    groups = defaultdict(list)
    for key, item in keyed:
        groups[key].append(item)
    for key, items in groups.items():
        yield from chunked(command, [key], items)


def bucketed(base, items):
    """items (field, value) in 4096 HASHes, by the first 3 hex digits of sha1(field)."""
    return grouped("HSET", ((f"{base}:{bucket(field)}", (field, value)) for field, value in items))


def paged(key, pairs):
    """pairs (score, member) in consecutive pages of PAGE, plus a directory ZSET (page -> first score)."""
    pairs = sorted(pairs)
    yield from grouped("ZADD", ((f"{key}:page:{n // PAGE}", pair) for n, pair in enumerate(pairs)))
    yield from chunked("ZADD", [f"{key}:pages"], [(pairs[n][0], n // PAGE) for n in range(0, len(pairs), PAGE)])


def index_variants(key, pairs, paged_today=False):
    one = lambda: chunked("ZADD", [key], pairs)  # noqa: E731
    pages = lambda: paged(key, pairs)  # noqa: E731
    if paged_today:  # the sort index is paged since 2026-12-07 (storage/scripts/pages.lua)
        return {f"pages of {PAGE} + directory (today)": pages, "one ZSET (before 2026-12-07)": one}
    return {"one ZSET (today)": one, f"pages of {PAGE} + directory": pages}


def parts(coll, recs):
    """{part: {variant: writer}}; the first variant of each part is today's layout."""
    base = f"{ROOT}:{coll}"

    def strings(text):
        return lambda: chunked("MSET", [], [(f"{base}:{r.id}", text(r)) for r in recs])

    def buckets(text):
        return lambda: bucketed(f"{base}:b", [(r.id, text(r)) for r in recs])

    found = {
        "records": {
            "string per record, no id in JSON (today)": strings(without_id),
            "string per record, with its id (before 2026-12-07)": strings(attrgetter("json")),
            "4096 HASH buckets": buckets(attrgetter("json")),
            "4096 HASH buckets, no id in JSON": buckets(without_id),
        },
        "creation index": index_variants(f"{base}:index", [(r.ms, r.id) for r in recs]),
    }
    if coll == "clients":
        emails, key = [(r.email, r.id) for r in recs], f"{base}:unique:email"
        found["unique email"] = {
            "one HASH (today)": lambda: chunked("HSET", [key], emails),
            "4096 HASH buckets": lambda: bucketed(key, emails),
        }
    else:
        found["sort index starts_at"] = index_variants(
            f"{base}:order:starts_at", [(r.starts_ms, r.id) for r in recs], paged_today=True
        )
        by = [(f"{base}:by:client_id:{r.owner}", r.id) for r in recs]
        found["by client_id"] = {
            "SET per client (today)": lambda: grouped("SADD", ((key, (i,)) for key, i in by)),
            "HASH per client (id -> '')": lambda: grouped("HSET", ((key, (i, "")) for key, i in by)),
            "ZSET per client (score 0)": lambda: grouped("ZADD", ((key, (0, i)) for key, i in by)),
        }
    changes = [(n + 1, r.id) for n, r in enumerate(recs)][-CHANGES_MAX:]
    found[f"changes (capped at {CHANGES_MAX:,})"] = {
        "one ZSET (today)": lambda: chunked("ZADD", [f"{base}:changes"], changes)
    }
    return found


def used_memory(client):
    """INFO used_memory once the keyspace's dict is done rehashing (until then it holds two tables)
    and two readings 100 ms apart agree (connection buffers released)."""
    last = None
    for _ in range(1200):
        time.sleep(0.1)
        if "rehashing target" in client.execute_command("DEBUG", "HTSTATS", "0"):
            continue
        now = int(client.info("memory")["used_memory"])
        if now == last:
            return now
        last = now
    raise RuntimeError("used_memory did not settle in 120 s")


def measure(server, admin, writers):
    """Bytes used by the keys `writers` build, on an empty Redis; and the first / last key's encoding."""
    admin.flushall()
    before = used_memory(admin)
    conn = server.client()
    pipe, args, keys = conn.pipeline(transaction=False), 0, []
    for command in chain.from_iterable(write() for write in writers):
        pipe.execute_command(*command)
        keys[1:] = [command[1]]  # keys: [first, last]
        args += len(command)
        if args >= PIPELINE_ARGS:
            pipe.execute()
            args = 0
    pipe.execute()
    conn.close()
    encodings = dict.fromkeys(admin.object("encoding", k) for k in keys)
    return used_memory(admin) - before, "/".join(encodings)


def probe(server, admin, coll, recs):
    count = len(recs)
    json_size = sum(len(r.json.encode()) for r in recs) / count
    bare_size = sum(len(without_id(r).encode()) for r in recs) / count
    print(f"\n{coll}: {count:,} records, JSON {json_size:.1f} B/record ({bare_size:.1f} B without the id)")
    print(f"{'part: variant':<58} {'B/record':>9} {'x JSON':>7}  encoding")

    def line(label, used, encoding=""):
        print(f"{label:<58} {used / count:>9.1f} {used / count / json_size:>6.2f}x  {encoding}".rstrip())

    today, compact = [], []
    for part, variants in parts(coll, recs).items():
        costs = {}
        for variant, writer in variants.items():
            costs[variant], encoding = measure(server, admin, [writer])
            line(f"{part}: {variant}", costs[variant], encoding)
        best = min(costs, key=costs.get)
        today.append(next(iter(variants.values())))
        compact.append(variants[best])
        print(f"  -> compact uses: {best}")
    line("LAYOUT today", measure(server, admin, today)[0])
    line("LAYOUT compact (cheapest variant of each part)", measure(server, admin, compact)[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    options = parser.parse_args()
    started = time.perf_counter()
    clients, sessions = make_records(options.clients, options.sessions)
    server = RedisServer().start()
    try:
        admin = server.client()
        print(f"Redis {admin.info('server')['redis_version']}, default config; listpack limits:")
        print("  " + ", ".join(f"{k} {v}" for k, v in sorted(admin.config_get("*listpack*").items())))
        owners = len({r.owner for r in sessions}) or 1
        print(f"{options.clients:,} clients, {options.sessions:,} sessions ({len(sessions) / owners:.1f} per owner)")
        probe(server, admin, "clients", clients)
        probe(server, admin, "sessions", sessions)
    finally:
        server.close()
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
