"""Start and stop a real gunicorn (config/gunicorn.conf.py) on a free loopback port, with the
production environment README documents. Used by tests/test_serving.py; reusable for tests that run
several servers against one Redis."""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
HTTPS = {"X-Forwarded-Proto": "https"}  # as behind the TLS proxy (SECURE_SSL_REDIRECT is on)


def production_env(tmp_path, redis_url, **extra):
    """The variables README documents for production, and nothing from the test settings."""
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="app.example.org,127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://app.example.org",
        REDIS_URL=redis_url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    env.update(extra)
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def children_of(pid):
    """Pids of the processes whose parent is pid (gunicorn's workers)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


class GunicornServer:
    def __init__(self, env, log_path, workers=2):
        self.port = free_port()
        self.env = dict(env, HOST="127.0.0.1", PORT=str(self.port), WEB_CONCURRENCY=str(workers))
        self.workers = workers
        self.log_path = log_path
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path="/admin/login/"):
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [Path(sys.executable).parent / "gunicorn", "--config", "config/gunicorn.conf.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait_for(lambda: httpx.get(self.url + ready_path, headers=HTTPS).status_code == 200):
            raise RuntimeError(f"gunicorn did not serve {ready_path}: {self.log()[-2000:]}")
        if not wait_for(lambda: len(self.worker_pids()) == self.workers):
            raise RuntimeError(f"gunicorn did not start {self.workers} workers: {self.log()[-2000:]}")
        return self

    def worker_pids(self):
        return children_of(self.process.pid)

    def reload(self):
        self.process.send_signal(signal.SIGHUP)

    def log(self):
        return Path(self.log_path).read_text()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
