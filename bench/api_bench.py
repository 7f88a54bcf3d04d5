"""The API over HTTP: gunicorn (2 sync workers) on loopback for each system, the load generator
(bench/loadgen.py) in its own process, a fixed number of requests per endpoint.

Systems: this project (Redis; only when the REST API is in this build), and the baseline app
of bench/baseline/ over the ORM on SQLite, on PostgreSQL (127.0.0.1:5432; skipped with a note when
unreachable), and on PostgreSQL with django-redis as a cache-aside."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from tests.redis_server import free_port

from .timing import stats

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = {
    "GET /api/clients/{id}/": {"path": "/api/clients/{id}/", "ids": True},
    "GET /api/clients/?limit=50": {"path": "/api/clients/?limit=50"},
    "POST /api/clients/": {"path": "/api/clients/", "post": True},
}
CONCURRENCY = 4
ROUNDS = 3
# PostgreSQL for the ORM baselines (trust auth on loopback); BENCH_PG_* override for another server.
PG = {
    "host": os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("BENCH_PG_PORT", "5432")),
    "user": os.environ.get("BENCH_PG_USER", "postgres"),
}
OURS = "this project (Redis)"


def project_api_available():
    """The project's API is in this build when clients/views.py exists and is routed."""
    urls = (ROOT / "config" / "urls.py").read_text()
    return (ROOT / "clients" / "views.py").exists() and "api/" in urls


def postgres_error():
    try:
        import psycopg

        with psycopg.connect(dbname="postgres", connect_timeout=3, **PG):
            return None
    except Exception as exc:  # any failure means "not reachable" for the bench
        return f"{type(exc).__name__}: {str(exc).strip()[:120]}"


def postgres_database(action, name):
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as connection:
        if action == "create":
            connection.execute(f'CREATE DATABASE "{name}"')
        else:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child_env(extra):
    skipped = ("DJANGO_", "STORAGE_", "REDIS_", "KV_", "DATABASE_URL", "SECRET_KEY", "DEBUG", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


class Gunicorn:
    def __init__(self, app, env):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}"]
            + ["--log-level", "warning", app],
            cwd=ROOT,
            env=env,
        )

    def wait(self, path, token):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{self.port}{path}", headers={"Authorization": f"Token {token}"}
                )
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http to loopback)
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def load(port, endpoint, ids_file, token, requests, concurrency=CONCURRENCY):
    spec = ENDPOINTS[endpoint]
    command = [sys.executable, "-m", "bench.loadgen", "--port", str(port), "--path", spec["path"]]
    command += ["--requests", str(requests), "--concurrency", str(concurrency), "--token", token]
    if spec.get("ids"):
        command += ["--ids", ids_file]
    if spec.get("post"):
        command += ["--post"]
    output = subprocess.run(command, cwd=ROOT, env=child_env({}), capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


class System:
    """One system under test: its data prepared, served by its own gunicorn."""

    def __init__(self, name, app, env, prepare, database=None):
        self.name, self.app, self.env, self.prepare, self.database = name, app, env, prepare, database
        self.server = None
        self.runs = {endpoint: [] for endpoint in ENDPOINTS}

    def start(self, directory, size, log):
        if self.database:
            postgres_database("create", self.database)
        self.ids_file = os.path.join(directory, "ids.json")
        env = child_env({**self.env, "BASELINE_SQLITE_PATH": os.path.join(directory, "db.sqlite3")})
        env["DATABASE_URL"] = f"sqlite:///{directory}/django.sqlite3"  # Django's own tables (users, tokens)
        log(f"api: {self.name}: loading {size:,} clients")
        subprocess.run([sys.executable, "-m", self.prepare, str(size), self.ids_file], cwd=ROOT, env=env, check=True)
        self.token = json.load(open(self.ids_file))["token"]
        self.server = Gunicorn(self.app, env)
        self.server.wait("/api/clients/?limit=50", self.token)
        for endpoint in ENDPOINTS:  # warm-up: both workers fill their caches / connections
            if not ENDPOINTS[endpoint].get("post"):
                load(self.server.port, endpoint, self.ids_file, self.token, 20, concurrency=2)

    def run(self, endpoint, requests):
        self.runs[endpoint].append(load(self.server.port, endpoint, self.ids_file, self.token, requests))

    def result(self, endpoint):
        """The rounds of one endpoint merged: req/s over the summed time, percentiles over all."""
        runs = self.runs[endpoint]
        durations = [d for run in runs for d in run["durations"]]
        summary = stats(durations)
        return {
            "requests": len(durations),
            "errors": sum(run["errors"] for run in runs),
            "rps": len(durations) / sum(run["seconds"] for run in runs),
            "median": summary["median"],
            "p99": summary["p99"],
        }

    def stop(self):
        if self.server is not None:
            self.server.stop()
        if self.database:
            postgres_database("drop", self.database)


def run_api(redis_server, requests, size, log, *, postgres=True):
    """{setup, endpoints: {endpoint: {system: result}}, notes}. postgres=False leaves the PostgreSQL
    systems out (the smoke test: seconds, not minutes)."""
    systems, notes = [], []
    if project_api_available():
        prefix = f"api{uuid.uuid4().hex[:8]}"
        ours_env = {
            "REDIS_URL": redis_server.url,
            "STORAGE_KEY_PREFIX": prefix,
            "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdefghijklmnop",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
        }
        systems.append((OURS, "config.wsgi:application", ours_env, "bench.prepare_project"))
    else:
        notes.append(
            f"{OURS}: not available in this build — the REST API is not part of it "
            "(no clients/views.py routed under /api/). No number is reported for it."
        )
    baseline = {"DJANGO_SETTINGS_MODULE": "bench.baseline.settings"}
    app, prepare = "bench.baseline.wsgi:application", "bench.baseline.prepare"
    systems.append(("ORM on SQLite", app, {**baseline, "BASELINE_DB": "sqlite"}, prepare))
    problem = postgres_error() if postgres else "not requested"
    if problem:
        notes.append(
            f"ORM on PostgreSQL and cache-aside: skipped, PostgreSQL not reachable at {PG['host']}:{PG['port']} "
            f"({problem}); no number reported"
        )
    else:
        for name, cache in (("ORM on PostgreSQL", ""), ("ORM on PostgreSQL + django-redis cache-aside", "1")):
            database = f"bench_{uuid.uuid4().hex[:10]}"
            env = {**baseline, "BASELINE_DB": "postgres", "BASELINE_PG_NAME": database}
            env.update(BASELINE_PG_HOST=PG["host"], BASELINE_PG_PORT=str(PG["port"]), BASELINE_PG_USER=PG["user"])
            if cache:
                env["BASELINE_CACHE_URL"] = redis_server.url.replace("/0", "/1")
            systems.append((name, app, env, prepare, database))
    endpoints = {endpoint: {} for endpoint in ENDPOINTS}
    if not project_api_available():
        for endpoint in ENDPOINTS:
            endpoints[endpoint][OURS] = {"unavailable": "not available in this build"}
    systems = [System(*system) for system in systems]
    running = []
    with tempfile.TemporaryDirectory(prefix="bench-api-") as root:
        try:
            for number, system in enumerate(systems):
                directory = os.path.join(root, str(number))
                os.mkdir(directory)
                try:
                    system.start(directory, size, log)
                    running.append(system)
                except (RuntimeError, subprocess.CalledProcessError) as exc:
                    notes.append(f"{system.name}: failed to run ({exc}); no number reported")
                    for endpoint in ENDPOINTS:
                        endpoints[endpoint][system.name] = {"unavailable": "failed in this run"}
            # Every system is up at once; each endpoint runs in rounds that alternate the systems, so
            # that a busy moment on this shared machine hits them all alike.
            for endpoint in ENDPOINTS:
                log(f"api: {endpoint}, {ROUNDS} rounds across {len(running)} systems")
                for _ in range(ROUNDS):
                    for system in running:
                        system.run(endpoint, requests // ROUNDS)
                for system in running:
                    endpoints[endpoint][system.name] = system.result(endpoint)
        finally:
            for system in systems:
                system.stop()
    setup = (
        f"{size:,} clients loaded per system; gunicorn with 2 sync workers on 127.0.0.1; the load generator "
        f"(bench/loadgen.py) in its own process, {CONCURRENCY} threads, one connection per request, "
        f"{requests:,} requests per endpoint after a warm-up, in {ROUNDS} rounds alternating the systems (all "
        "served at once); token authentication (DRF) everywhere; "
        "the machine's 2 cores are shared by gunicorn, the databases and the load generator."
    )
    return {"setup": setup, "endpoints": endpoints, "notes": notes}
