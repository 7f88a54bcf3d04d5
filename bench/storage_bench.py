"""Storage-layer benchmarks, in process: our Collection and the model API (what the API lists
through) against the hand-written baselines of bench/raw.py, on redis, on REST (through
tests/upstash_server.py) and on jsonfile. Every figure is a ratio to its baseline in the same run."""

import itertools
import random
import uuid
from dataclasses import replace

from storage import scripts
from storage.store import Store, set_store

from . import loader
from .timing import compare, stats

CLIENTS = "clients"
PAGE = 50


def row(backend, op, size, ours, base, baseline, target=None, **extra):
    """One result: our samples and the baseline's, as stats and ratios (ours / baseline)."""
    mine, theirs = stats(ours), stats(base)
    return {
        "group": "storage",
        "backend": backend,
        "op": op,
        "size": size,
        "ours": mine,
        "baseline_name": baseline,
        "baseline": theirs,
        "ratio_median": mine["median"] / theirs["median"],
        "ratio_p99": mine["p99"] / theirs["p99"],
        "target": target,
        **extra,
    }


def model_of(collection):
    if collection == CLIENTS:
        from clients.models import Client

        return Client
    from sessions_app.models import Session

    return Session


def list_page(model):
    """What the API does for ?limit=50: a fresh QuerySet, its count, then the first page."""
    queryset = model.objects.all()
    queryset.count()
    return list(queryset[:PAGE])


def bench_pages(label, store, writer, raw, ids, counts, results, rng):
    """Detail read, unchanged list page and list page after one change (by another store) on one
    loaded collection, each against its baseline."""
    collection = store.collection(raw.collection)
    model = model_of(raw.collection)
    size = len(ids)
    pick = itertools.cycle([rng.choice(ids) for _ in range(1000)]).__next__
    ours, base = compare(lambda: collection.get(pick()), lambda: raw.get_parse(pick()), counts["detail"])
    results.append(row(label, "detail read", size, ours, base, f"{raw.name} GET + json.loads", "detail"))

    previous = set_store(store)
    try:
        list_page(model)  # the first page fills this process's memory (measured apart, in a new process)
        page, detail = compare(lambda: list_page(model), lambda: collection.get(pick()), counts["list"])
        results.append(row(label, f"list page of {PAGE}, unchanged", size, page, detail, "our detail read", "page"))

        def change_one():
            record = writer.get(pick())
            writer.update(record["id"], dict(record))

        after, unchanged = compare(
            lambda: list_page(model), lambda: list_page(model), counts["change"], setup=change_one
        )
        results.append(
            row(label, f"list page of {PAGE} after one change", size, after, unchanged, "our unchanged page", "change")
        )
    finally:
        set_store(previous)


class Setup:
    """A collection of `size` clients on one backend: the store we measure, a second store (another
    process's writes), the raw baseline, and the loaded ids."""

    def __init__(self, kind, make_backend, raw_for, load, size):
        self.kind, self.size = kind, size
        self.prefix = f"bench{uuid.uuid4().hex[:8]}"
        self.store = Store(make_backend(self.prefix))
        self.other = Store(make_backend(self.prefix))
        self.clients = self.store.collection(CLIENTS)
        self.writer = self.other.collection(CLIENTS)
        self.ids = load(self.clients, size)
        self.raw = raw_for(self.store.backend)
        self.rng = random.Random(size)

    def close(self):
        self.store.close()
        self.other.close()


class RoundTrips:
    """Counts what redis-py sends (one send per command, one per pipeline: a round trip each) and,
    with `server`, the commands Redis ran (INFO commandstats delta, the INFO itself left out)."""

    def __init__(self, server=None):
        self.server, self.sends = server, 0

    def __enter__(self):
        from redis.connection import AbstractConnection

        self.before = self.commands() if self.server else {}  # before counting: the INFO is ours
        original = self.original = AbstractConnection.send_packed_command
        counter = self

        def counting(connection, command, check_health=True):
            counter.sends += 1
            return original(connection, command, check_health)

        AbstractConnection.send_packed_command = counting
        return self

    def __exit__(self, *exc):
        from redis.connection import AbstractConnection

        AbstractConnection.send_packed_command = self.original
        self.after = self.commands() if self.server else {}

    def commands(self):
        found = self.server.info("commandstats")
        return {k.removeprefix("cmdstat_"): v["calls"] for k, v in found.items() if k != "cmdstat_info"}

    def executed(self):
        return {k: v - self.before.get(k, 0) for k, v in self.after.items() if v - self.before.get(k, 0)}


def count_trips(operation, count, server):
    with RoundTrips(server) as trips:
        for _ in range(count):
            operation()
    commands = trips.executed()
    return {
        "round_trips": trips.sends / count,
        "commands": sum(commands.values()) / count,
        "by_command": {k: v / count for k, v in sorted(commands.items())},
    }


def bench_writes(setup, counts, results, server=None):
    kind, clients, raw = setup.kind, setup.clients, setup.raw
    doc = clients.create_write(loader.client_fields(7))[1]
    serial = itertools.count()

    def create():
        i = next(serial)
        clients.create({**loader.client_fields(i), "email": f"new{i}.{setup.prefix}@example.com"})

    def raw_set():
        raw.set(next(serial) % 1000, doc)

    ours, base = compare(create, raw_set, counts["write"])
    results.append(row(kind, "create", setup.size, ours, base, f"{raw.name} SET"))
    if raw.indexed_set is not None:
        ours, base = compare(create, lambda: raw.indexed_set(next(serial) % 1000, doc), counts["write"])
        trips = count_trips(create, 50, server) if server else {}
        results.append(row(kind, "create", setup.size, ours, base, "MULTI: SET + 4 index writes", "create", **trips))

    target = setup.ids[0]
    fields = loader.client_fields(0)

    def update():
        clients.update(target, fields)

    ours, base = compare(update, raw_set, counts["write"])
    trips = count_trips(update, 50, server) if server and raw.indexed_set is not None else {}
    results.append(row(kind, "update", setup.size, ours, base, f"{raw.name} SET", "update", **trips))

    if raw.indexed_set is not None:  # the floor under ours: each script sent by hand, no Python around it
        count = counts["write"] + 10

        def new_create(i):
            return clients.create_write({**loader.client_fields(i), "email": f"floor{i}.{setup.prefix}@example.com"})[0]

        creates = script_alone(setup.store.backend, raw.client, map(new_create, range(count)))
        ours, base = compare(creates, lambda: raw.indexed_set(next(serial) % 1000, doc), counts["write"])
        results.append(row(kind, "create script alone", setup.size, ours, base, "MULTI: SET + 4 index writes"))
        write = clients.build_write("update", target, fields, updated_at=loader.stamp(1))
        updates = script_alone(
            setup.store.backend, raw.client, (replace(write, op_id=uuid.uuid4().hex) for _ in range(count))
        )
        ours, base = compare(updates, raw_set, counts["write"])
        results.append(row(kind, "update script alone", setup.size, ours, base, f"{raw.name} SET"))


def script_alone(backend, client, writes):
    """A callable sending the next of `writes` (prepared before timing) as redis-py's EVALSHA of its
    script: what a write costs without the storage layer's Python."""
    prepared = iter([backend.script_call(write) for write in writes])
    shas = {op: client.script_load(scripts.source(op)) for op in ("create", "update")}

    def send():
        operation, keys, args = next(prepared)
        client.evalsha(shas[operation], len(keys), *keys, *args)

    return send


def run_backend(kind, make_backend, raw_for, load, sizes, counts, results, log, server=None):
    for position, size in enumerate(sizes):
        log(f"{kind}: loading {size:,} clients")
        setup = Setup(kind, make_backend, raw_for, load, size)
        try:
            log(f"{kind}: reads at {size:,}")
            bench_pages(kind, setup.store, setup.writer, setup.raw, setup.ids, counts, results, setup.rng)
            if position == 0:
                log(f"{kind}: writes")
                bench_writes(setup, counts, results, server)
        finally:
            setup.close()
