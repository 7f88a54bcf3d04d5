"""The API over HTTP: each system served by gunicorn (2 sync workers) on 127.0.0.1, loaded by `wrk`
(bench/api.lua) with one connection per wrk thread, for a fixed time per run, in rounds that
alternate the systems.

Systems: this project (on the bench's redis-server), the baseline app of bench/baseline/ over the
ORM on PostgreSQL (127.0.0.1:5432, its own database, created and dropped here), the same on a copy
of that database behind a django-redis cache-aside, and the framework's ceiling (a token-
authenticated DRF view returning a constant, same gunicorn settings). Without PostgreSQL (the smoke
test) the ORM runs on SQLite instead and the report says so.

Also, on the project: a fresh gunicorn worker's first list page, and its RSS after paging through
the whole clients collection with STORAGE_CACHE_MAX_RECORDS set in its environment."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from . import loader
from .http_tools import (
    CONNECTIONS,
    PATCH_EACH,
    PG,
    ROOT,
    Gunicorn,
    child_env,
    get,
    postgres,
    postgres_error,
    rss,
    wrk,
    wrk_binary,
)

DETAIL = "GET /api/clients/{id}/"
CONSTANT = "GET /api/ceiling/ (constant)"
LIST = "GET /api/clients/?limit=50"
FILTERED = "GET /api/sessions/?client_id={id}"
POST = "POST /api/clients/"
PATCH = "PATCH /api/clients/{id}/ with If-Match"
MIXED = "mixed: 60 % detail, 20 % list, 10 % filtered, 5 % PATCH, 5 % POST"
ENDPOINTS = {DETAIL: "detail", CONSTANT: "constant", LIST: "list", FILTERED: "filtered", POST: "post"}
ENDPOINTS |= {PATCH: "patch", MIXED: "mixed"}
RECORD_ENDPOINTS = [e for e in ENDPOINTS if e != CONSTANT]
CACHE_MAX_RECORDS = 10_000  # STORAGE_CACHE_MAX_RECORDS of the fresh worker
PAGE_THROUGH = 500  # the API's largest page, for the fresh worker's walk through the collection
OURS = "this project (Redis)"
ORM_PG = "ORM on PostgreSQL"
CACHED = "PostgreSQL + django-redis cache-aside"
ORM_SQLITE = "ORM on SQLite"
CEILING = "framework ceiling (DRF constant view)"
SECRET = "bench-secret-key-not-for-production-0123456789abcdefghijklmnop"


class System:
    """One system under test: its data prepared (or shared with `data_of`), its own gunicorn."""

    def __init__(self, name, app, env, prepare=None, endpoints=RECORD_ENDPOINTS, data_of=None, database=None):
        self.name, self.app, self.env, self.prepare = name, app, env, prepare
        self.endpoints, self.data_of, self.database = endpoints, data_of, database
        self.server = None
        self.patched = 0
        self.runs = {endpoint: [] for endpoint in endpoints}

    def start(self, directory, clients, sessions, log):
        self.directory = directory if self.data_of is None else self.data_of.directory
        if self.prepare:
            log(f"api: {self.name}: loading {clients:,} clients and {sessions:,} sessions")
            command = [sys.executable, "-m", self.prepare, str(clients), str(sessions), directory]
            subprocess.run(command, cwd=ROOT, env=self.env, check=True)
        self.token = Path(self.directory, "token.txt").read_text().strip()
        self.first_id = Path(self.directory, "ids.txt").read_text().split("\n", 1)[0]

    def serve(self, warmup):
        self.server = Gunicorn(self.app, self.env)
        path = "/api/ceiling/" if CONSTANT in self.endpoints else f"/api/clients/{self.first_id}/"
        self.server.wait(path, self.token)
        # Warm-up, untimed: both workers open their connections and fill their caches.
        for endpoint in self.endpoints if warmup else ():
            if ENDPOINTS[endpoint] in ("detail", "constant", "list", "filtered"):
                wrk(self.server.port, ENDPOINTS[endpoint], self.directory, self.token, 1, timeout="60s")

    def run(self, endpoint, seconds):
        mode = ENDPOINTS[endpoint]
        measured = wrk(self.server.port, mode, self.directory, self.token, seconds, self.patched)
        if mode in ("patch", "mixed"):
            self.patched += CONNECTIONS * PATCH_EACH  # the next run patches records still at version 1
        self.runs[endpoint].append(measured)

    def result(self, endpoint):
        """Medians of the rounds (req/s, p50, p99); requests and errors summed."""
        runs = self.runs[endpoint]
        kinds = {}
        for run in runs:
            for kind, count in run["error_kinds"].items():
                kinds[kind] = kinds.get(kind, 0) + count
        return {
            "requests": sum(run["requests"] for run in runs),
            "errors": sum(run["errors"] for run in runs),
            "error_kinds": {k: v for k, v in kinds.items() if v},
            "rps": statistics.median(run["rps"] for run in runs),
            "median": statistics.median(run["p50"] for run in runs),
            "p99": statistics.median(run["p99"] for run in runs),
            "rounds": [round(run["rps"], 1) for run in runs],
        }

    def stop(self):
        if self.server is not None:
            self.server.stop()
            self.server = None


def fresh_worker(system, log):
    """A new gunicorn (1 worker) of the project on the loaded data: the first list page once the
    worker answers (its first request is a detail GET: Django, the token and Redis connected, no
    collection listed), then every page of the collection; RSS before and after."""
    env = {**system.env, "STORAGE_CACHE_MAX_RECORDS": str(CACHE_MAX_RECORDS)}
    server = Gunicorn(system.app, env, workers=1)
    try:
        server.wait(f"/api/clients/{system.first_id}/", system.token)
        (worker,) = server.workers()
        idle = rss(worker)
        started = time.perf_counter()
        status, body = get(server.port, "/api/clients/?limit=50", system.token)
        first = time.perf_counter() - started
        count = json.loads(body)["count"]
        log(f"api: fresh worker: first page {first:.2f} s; paging through {count:,} clients")
        started = time.perf_counter()
        for offset in range(0, count, PAGE_THROUGH):
            get(server.port, f"/api/clients/?limit={PAGE_THROUGH}&offset={offset}", system.token)
        walked = time.perf_counter() - started
        return {
            "records": count,
            "first_page_seconds": first,
            "idle_rss": idle,
            "rss_after_paging": rss(worker),
            "paging_seconds": walked,
            "pages": -(-count // PAGE_THROUGH),
            "cache_max_records": CACHE_MAX_RECORDS,
        }
    finally:
        server.stop()


def build_systems(redis_server, root, use_postgres):
    prefix = f"api{uuid.uuid4().hex[:8]}"
    ours_env = child_env(
        {
            "REDIS_URL": redis_server.url,
            "STORAGE_KEY_PREFIX": prefix,
            "SECRET_KEY": SECRET,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{root}/ours/django.sqlite3",  # Django's own tables (users, tokens)
        }
    )
    ours = System(OURS, "config.wsgi:application", ours_env, "bench.prepare_project")
    app, prepare = "bench.baseline.wsgi:application", "bench.baseline.prepare"
    baseline = child_env({"DJANGO_SETTINGS_MODULE": "bench.baseline.settings"})
    databases = []
    if use_postgres:
        database = f"bench_{uuid.uuid4().hex[:10]}"
        databases = [database, f"{database}_cache"]
        pg = {"BASELINE_DB": "postgres", "BASELINE_PG_HOST": PG["host"], "BASELINE_PG_PORT": str(PG["port"])}
        pg["BASELINE_PG_USER"] = PG["user"]
        orm = System(ORM_PG, app, {**baseline, **pg, "BASELINE_PG_NAME": database}, prepare, database=database)
        cache_env = {**baseline, **pg, "BASELINE_PG_NAME": databases[1]}
        cache_env["BASELINE_CACHE_URL"] = redis_server.url.rsplit("/", 1)[0] + "/1"
        cached = System(CACHED, app, cache_env, data_of=orm, database=databases[1])
        systems = [ours, orm, cached]
    else:
        env = {**baseline, "BASELINE_DB": "sqlite", "BASELINE_SQLITE_PATH": f"{root}/orm/db.sqlite3"}
        orm = System(ORM_SQLITE, app, env, prepare)
        systems = [ours, orm]
    systems.append(System(CEILING, app, orm.env, endpoints=[CONSTANT], data_of=orm))
    return systems, databases


def require_enough_clients(clients, rounds):
    patched = rounds * 2 * CONNECTIONS * PATCH_EACH  # the PATCH and mixed runs patch fresh records each
    if clients < patched:
        raise ValueError(f"the API benchmark patches {patched} distinct clients: load at least that many")


def postgres_notes(problem):
    if not problem:
        return []
    return [
        f"{ORM_PG} and {CACHED}: not measured, PostgreSQL not reachable at {PG['host']}:{PG['port']} "
        f"({problem}); the ORM ran on SQLite instead, and no PostgreSQL number is reported"
    ]


def start_systems(systems, root, clients, sessions, log):
    """Each system's database created (a copy for those sharing another's data), its data loaded."""
    for system in systems:
        directory = os.path.join(root, {OURS: "ours"}.get(system.name, "orm"))
        os.makedirs(directory, exist_ok=True)
        if system.database and system.data_of is None:
            postgres(f'CREATE DATABASE "{system.database}"')
        if system.database and system.data_of is not None:  # a copy of the loaded database
            postgres(f'CREATE DATABASE "{system.database}" TEMPLATE "{system.data_of.database}"')
        system.start(directory, clients, sessions, log)


def measure_endpoints(systems, seconds, rounds, log):
    """{endpoint: {system: result}}. Every system is up at once; each endpoint runs in rounds that
    alternate the systems, so that a busy moment on this shared machine hits them all alike."""
    endpoints = {endpoint: {} for endpoint in ENDPOINTS}
    for endpoint in ENDPOINTS:
        serving = [s for s in systems if endpoint in s.endpoints]
        log(f"api: {endpoint}: {rounds} round(s) of {seconds} s across {len(serving)} system(s)")
        for _ in range(rounds):
            for system in serving:
                system.run(endpoint, seconds)
        for system in serving:
            endpoints[endpoint][system.name] = system.result(endpoint)
    return endpoints


def stop_systems_and_drop_databases(systems, databases):
    for system in systems:
        system.stop()
    for database in databases:
        postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def setup_text(clients, sessions, seconds, rounds):
    return (
        f"{clients:,} clients and {sessions:,} sessions (five per client for the first clients) loaded per system; "
        f"requests cycle over {min(clients, loader.IDS_FOR_LOAD):,} clients drawn at random over the collection; "
        "the framework's ceiling reads its token from the ORM baseline's database; "
        f"gunicorn with 2 sync workers on 127.0.0.1 per system; wrk with {CONNECTIONS} connections "
        f"(bench/api.lua), {seconds} s per run after a warm-up, {rounds} round(s) alternating the systems (all "
        "served at once); req/s, p50 and p99 are medians of the rounds; token authentication (DRF) everywhere; "
        "PATCH sends If-Match with the version the client last saw; the machine's cores are shared by gunicorn, "
        "the databases and wrk."
    )


def run_api(redis_server, seconds, clients, sessions, log, *, postgres_wanted=True, rounds=3, warmup=True):
    """{setup, endpoints: {endpoint: {system: result}}, fresh_worker, notes}."""
    wrk_binary()
    require_enough_clients(clients, rounds)
    problem = postgres_error() if postgres_wanted else "not requested"
    with tempfile.TemporaryDirectory(prefix="bench-api-") as root:
        systems, databases = build_systems(redis_server, root, not problem)
        try:
            start_systems(systems, root, clients, sessions, log)
            for system in systems:
                system.serve(warmup)
            endpoints = measure_endpoints(systems, seconds, rounds, log)
            for system in systems:
                system.stop()
            fresh = fresh_worker(systems[0], log)
        finally:
            stop_systems_and_drop_databases(systems, databases)
    return {
        "setup": setup_text(clients, sessions, seconds, rounds),
        "endpoints": endpoints,
        "fresh_worker": fresh,
        "notes": postgres_notes(problem),
        "clients": clients,
    }
