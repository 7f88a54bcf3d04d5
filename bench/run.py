"""`python -m bench.run [--quick] [--tiny]`: every benchmark in one run, then the report.

--quick: about three minutes: every figure at smaller sizes (20,000 clients and 50,000 sessions
at scale, 10,000 clients over HTTP, 1 s per API run).
--tiny: seconds, for the smoke test (tests/test_bench_smoke.py); writes into --out; the ORM runs
on SQLite there (no PostgreSQL needed).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from storage.backends.jsonfile import JsonFileBackend  # noqa: E402
from storage.backends.redis import RedisBackend  # noqa: E402
from storage.backends.rest import RestBackend  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

from . import loader, memory, report, storage_bench  # noqa: E402
from .raw import RawFile, RawRedis, RawRest  # noqa: E402

PROFILES = {
    "full": {
        "redis": [10_000, 100_000],
        "rest": [5_000],
        "jsonfile": [1_000, 10_000],
        "counts": {"detail": 5000, "list": 2000, "change": 300, "write": 2000},
        "rest_counts": {"detail": 1000, "list": 300, "change": 100, "write": 500},
        "file_counts": {"detail": 300, "list": 300, "change": 50, "write": 50},
        "scale": (100_000, 1_000_000),
        "scale_load_seconds": 420,
        "api": {"seconds": 3, "clients": 100_000, "sessions": 100_000, "rounds": 3, "warmup": True},
    },
    "quick": {
        "redis": [10_000],
        "rest": [2_000],
        "jsonfile": [1_000],
        "counts": {"detail": 2000, "list": 600, "change": 100, "write": 500},
        "rest_counts": {"detail": 300, "list": 100, "change": 30, "write": 100},
        "file_counts": {"detail": 300, "list": 100, "change": 20, "write": 20},
        "scale": (20_000, 50_000),
        "scale_load_seconds": 120,
        "api": {"seconds": 1, "clients": 10_000, "sessions": 10_000, "rounds": 3, "warmup": True},
    },
    "tiny": {
        "redis": [200],
        "rest": [100],
        "jsonfile": [100],
        "counts": {"detail": 20, "list": 20, "change": 5, "write": 10},
        "rest_counts": {"detail": 10, "list": 10, "change": 3, "write": 5},
        "file_counts": {"detail": 10, "list": 10, "change": 3, "write": 5},
        "scale": (300, 600),
        "scale_load_seconds": 60,
        "api": {"seconds": 1, "clients": 200, "sessions": 100, "rounds": 1, "warmup": False, "postgres": False},
    },
}


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine(server):
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    found = {"cpus": os.cpu_count(), "cpu": cpu, "redis": server.client().info("server")["redis_version"]}
    found["load_start"] = os.getloadavg()[0]
    try:
        import psycopg

        from .http_tools import PG

        with psycopg.connect(dbname="postgres", connect_timeout=3, **PG) as db:
            found["postgres"] = db.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001 (not installed or not reachable: the report says so)
        found["postgres"] = f"not reachable ({type(exc).__name__})"
    return found


def run_redis(server, profile, run):
    client = server.client()

    def load(collection, size):
        ids, _, measured = memory.load_and_measure(client, collection, loader.client_fields, size)
        run["memory"].append({**measured, "run": "storage benchmarks"})
        return ids

    storage_bench.run_backend(
        "redis",
        lambda prefix: RedisBackend(server.url, prefix),
        lambda backend: RawRedis(server.client(), backend.keys, "clients"),
        load,
        profile["redis"],
        profile["counts"],
        run["storage"],
        log,
        server=client,
    )
    run["commandstats"] = client.info("commandstats")


def run_rest(server, profile, run):
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.rest_server", str(server.port)], stdout=subprocess.PIPE, text=True
    )
    try:
        url, token = process.stdout.readline().split()
        client = server.client()
        storage_bench.run_backend(
            "rest",
            lambda prefix: RestBackend(url, token, prefix, timeout=30),
            lambda backend: RawRest(url, token, backend.keys, "clients"),
            lambda collection, size: loader.load_redis(collection, client, loader.client_fields, size)[0],
            profile["rest"],
            profile["rest_counts"],
            run["storage"],
            log,
        )
    finally:
        process.terminate()
        process.wait(10)


def run_jsonfile(profile, run):
    with tempfile.TemporaryDirectory(prefix="bench-jsonfile-") as directory:
        storage_bench.run_backend(
            "jsonfile",
            lambda prefix: JsonFileBackend(directory, prefix),
            lambda backend: RawFile(str(backend._path("clients"))),
            lambda collection, size: loader.load_jsonfile(collection, loader.client_fields, size)[0],
            profile["jsonfile"],
            profile["file_counts"],
            run["storage"],
            log,
        )


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tiny", action="store_true", help="seconds; for the smoke test")
    parser.add_argument("--out", help="results directory (default bench/results)")
    parser.add_argument("--skip-api", action="store_true")
    return parser.parse_args(argv)


def new_run(name):
    """The run's record, filled by each benchmark in turn."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d-%H%M") + ("" if name == "full" else f"-{name}"),
        "quick": name != "full",
        "profile": name,
        "storage": [],
        "memory": [],
        "notes": [],
    }


def run_scale_bench(server, profile, run):
    from .scale_bench import run_scale

    clients_n, sessions_n = profile["scale"]
    run["scale"] = run_scale(
        server.client(),
        server.url,
        lambda prefix: RedisBackend(server.url, prefix),
        clients_n,
        sessions_n,
        profile["counts"],
        run["storage"],
        log,
        load_seconds=profile["scale_load_seconds"],
    )
    run["memory"] += [{**m, "run": "scale"} for m in run["scale"]["memory"]]


def run_api_bench(server, profile, run):
    from .api_bench import run_api

    api = dict(profile["api"])
    run["api"] = run_api(
        server,
        api.pop("seconds"),
        api.pop("clients"),
        api.pop("sessions"),
        log,
        postgres_wanted=api.pop("postgres", True),
        **api,
    )


def run_every_benchmark(profile, run, skip_api):
    server = RedisServer().start()
    try:
        run["machine"] = machine(server)
        run_redis(server, profile, run)
        run_rest(server, profile, run)
        run_jsonfile(profile, run)
        if profile["scale"]:
            run_scale_bench(server, profile, run)
        if skip_api:
            run["api_skipped"] = "--skip-api"
        else:
            run_api_bench(server, profile, run)
    finally:
        server.close()


def main(argv=None):
    args = parse_arguments(argv)
    name = "tiny" if args.tiny else "quick" if args.quick else "full"
    if args.out:
        report.RESULTS = Path(args.out)
    started = time.perf_counter()
    run = new_run(name)
    if not args.skip_api:
        from .http_tools import wrk_binary

        wrk_binary()  # fail now, not after the storage benchmarks, when wrk is missing
    run_every_benchmark(PROFILES[name], run, args.skip_api)
    run["seconds"] = time.perf_counter() - started
    run["machine"]["load_end"] = os.getloadavg()[0]
    report.print_table(run)
    path = report.write(run)
    log(f"report written to {path}")
    return run


if __name__ == "__main__":
    main()
