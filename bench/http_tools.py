"""The API bench's tools: wrk runs, gunicorn servers, the PostgreSQL it creates databases on, the
environment of a child server, a worker's RSS."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "api.lua"
CONNECTIONS = 16  # wrk threads, one connection each
PATCH_EACH = 4  # records each wrk thread patches in a run, round robin, fresh ones every run
# PostgreSQL for the ORM baselines (trust auth on loopback); BENCH_PG_* override for another server.
PG = {
    "host": os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
    "port": int(os.environ.get("BENCH_PG_PORT", "5432")),
    "user": os.environ.get("BENCH_PG_USER", "postgres"),
}


def wrk_binary():
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("the API benchmark needs wrk on PATH: apt-get install wrk (or skip it with --skip-api)")
    return found


def postgres_error():
    try:
        import psycopg

        with psycopg.connect(dbname="postgres", connect_timeout=3, **PG):
            return None
    except Exception as exc:  # any failure means "not reachable" for the bench
        return f"{type(exc).__name__}: {str(exc).strip()[:120]}"


def postgres(statement):
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as connection:
        connection.execute(statement)


def child_env(extra):
    skipped = ("DJANGO_", "STORAGE_", "REDIS_", "KV_", "DATABASE_URL", "SECRET_KEY", "DEBUG", "LOG_", "GUNICORN_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def get(port, path, token, timeout=60):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http to loopback)
        return response.status, response.read()


class Gunicorn:
    def __init__(self, app, env, workers=2):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}"]
            + ["--log-level", "warning", "--timeout", "120", app],
            cwd=ROOT,
            env=env,
        )

    def wait(self, path, token):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if get(self.port, path, token)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 90 s")

    def workers(self):
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def rss(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def wrk(port, mode, directory, token, seconds, patch_first=0, timeout="10s"):
    command = [wrk_binary(), "-t", str(CONNECTIONS), "-c", str(CONNECTIONS), "-d", f"{seconds}s"]
    command += ["--timeout", timeout, "-s", str(SCRIPT), f"http://127.0.0.1:{port}", "--"]
    command += [mode, directory, token, uuid.uuid4().hex[:8], str(patch_first), str(PATCH_EACH)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return json.loads(output.strip().splitlines()[-1])
