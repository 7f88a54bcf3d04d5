"""Storage-layer benchmarks, in process: our Collection against the hand-written baselines of
bench/raw.py, on redis, on REST (through tests/upstash_server.py) and on jsonfile."""

import itertools
import random
import uuid

from storage.store import Store, set_store, specs

from . import loader
from .timing import compare, sample, stats

CLIENTS = "clients"


def row(backend, op, size, ours, base, baseline, target=None):
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
    }


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


def bench_reads(setup, counts, results):
    kind, size, clients, raw, rng = setup.kind, setup.size, setup.clients, setup.raw, setup.rng
    ids = setup.ids
    pick = itertools.cycle([rng.choice(ids) for _ in range(1000)]).__next__
    ours, base = compare(lambda: clients.get(pick()), lambda: raw.get_parse(pick()), counts["detail"])
    results.append(row(kind, "detail read", size, ours, base, f"{raw.name} GET + json.loads", "detail"))

    clients.all()  # the first list fills this process's memory
    seed_count = max(3, counts["seed"] * 10_000 // max(size, 10_000))
    ours, base = compare(
        clients.all, lambda: raw.list_all(ids), counts["list"], base_count=seed_count, rounds=3, warmup=1
    )
    results.append(row(kind, "list, unchanged", size, ours, base, "seed: fetch all + parse", "list"))

    queryset_page(setup, counts, results, ours)

    def change_one():
        record_id = pick()
        setup.writer.update(record_id, {**loader.client_fields(rng.randint(0, 10**9)), "email": ""})

    after, unchanged = compare(clients.all, clients.all, counts["change"], setup=change_one)
    results.append(row(kind, "list after one change", size, after, unchanged, "our unchanged list", "change"))
    return ours


def queryset_page(setup, counts, results, listed):
    """What the admin and the API list through: Client.objects.order_by("-created_at")[:50]."""
    from clients.models import Client

    previous = set_store(setup.store)
    try:
        page = sample(lambda: list(Client.objects.order_by("-created_at")[:50]), counts["change"])
    finally:
        set_store(previous)
    results.append(
        row(setup.kind, "model QuerySet page of 50, newest first", setup.size, page, listed, "our unchanged list", None)
    )


def bench_writes(setup, counts, results):
    kind, clients, raw = setup.kind, setup.clients, setup.raw
    doc = clients.create_write(loader.client_fields(7))[1]
    serial = itertools.count()

    def create():
        i = next(serial)
        clients.create({**loader.client_fields(i), "email": f"new{i}.{setup.prefix}@example.com"})

    def raw_set():
        raw.set(next(serial) % 1000, doc)

    ours, base = compare(create, raw_set, counts["write"])
    results.append(row(kind, "create", setup.size, ours, base, f"{raw.name} SET", "write"))

    if raw.indexed_set is not None:
        ours, base = compare(create, lambda: raw.indexed_set(next(serial) % 1000, doc), counts["write"])
        results.append(row(kind, "create", setup.size, ours, base, "MULTI: SET + 4 index writes", None))

    target = setup.ids[0]
    fields = loader.client_fields(0)
    ours, base = compare(lambda: clients.update(target, fields), raw_set, counts["write"])
    results.append(row(kind, "update", setup.size, ours, base, f"{raw.name} SET", "write"))


def run_backend(kind, make_backend, raw_for, load, sizes, counts, results, log):
    for position, size in enumerate(sizes):
        log(f"{kind}: loading {size:,} clients")
        setup = Setup(kind, make_backend, raw_for, load, size)
        try:
            log(f"{kind}: reads at {size:,}")
            bench_reads(setup, counts, results)
            if position == 0:
                log(f"{kind}: writes")
                bench_writes(setup, counts, results)
        finally:
            setup.close()


def client_spec():
    return specs()[CLIENTS]
