"""Real API server processes for the multi-process tests: gunicorn (sync workers) on a free
loopback port, production settings (DEBUG off), REDIS_URL pointing at a test redis-server, one
SQLite file shared by the servers for users and tokens."""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = secrets.token_urlsafe(50)
MAKE_USER = """
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token
user = User.objects.create_user("writer", password="pw-writer-123")
user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["clients", "sessions_app"]))
print(Token.objects.create(user=user).key)
"""


def server_env(redis_url, prefix, db_path, timeout=0.5, **extra):
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "REDIS_URL": redis_url,
        "STORAGE_KEY_PREFIX": prefix,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STORAGE_SOCKET_TIMEOUT": str(timeout),
        "STORAGE_CONNECT_TIMEOUT": str(timeout),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def prepare_database(env):
    """Django's tables and one user with every record permission; returns its API token."""
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)
    assert migrated.returncode == 0, migrated.stderr
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c", MAKE_USER], **run)
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


class ApiServer:
    def __init__(self, env, workers=2, log_dir=None):
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_dir or "/tmp") / f"api-server-{self.port}.log"
        self.process = None

    def start(self):
        log = open(self.log_path, "w")  # the child writes to it until it exits
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", str(self.workers), "--timeout", "60", "--graceful-timeout", "2", "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.url}/api/health/live", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the API server did not start: {self.log()}")

    def log(self):
        return self.log_path.read_text()[-3000:] if self.log_path.exists() else ""

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
