"""gunicorn settings for production (`make serve`). Read from the environment, documented in README.

Each worker is its own process with its own connection pool and memory cache; they stay coherent
through Redis (every read checks the collection version first). Graceful reload: `kill -HUP <pid of
the master>` starts new workers with the new code and settings, then retires the old ones after
their current requests.
"""

import multiprocessing
import os
import subprocess  # nosec B404 - runs our own settings check
import sys
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from config.problems import EXIT_CODE, PREFIX, Problems, SettingsError, report  # noqa: E402 - needs ROOT on the path

# The same .env as the settings (values already in the environment win).
_env_file = Path(os.environ.get("DJANGO_ENV_FILE") or ROOT / ".env")
if _env_file.is_file():
    environ.Env.read_env(_env_file)

# gunicorn's own variables and the Django settings are checked here, in the master, before any
# worker starts: every problem on one line each, exit code 2, no traceback.
problems = Problems()


def _int(name, default):
    return problems.read(environ.Env().int, name, default=default)


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - a container listens on every interface; HOST narrows it

# Workers: GUNICORN_WORKERS, else WEB_CONCURRENCY (Heroku, Render...), else 2 x cores + 1.
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = _int("GUNICORN_THREADS", 1)

# A request may take at most one storage call's retries (3 attempts of STORAGE_SOCKET_TIMEOUT plus
# the delays): the default 30 s leaves a wide margin before a worker is killed as stuck.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then (memory hygiene); a new worker rebuilds its cache from Redis.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# No preload: each worker imports the app and opens its own connections after the fork. (A preloaded
# app would be safe too: redis-py pools start afresh in a forked child, see tests/test_fork_safety.py.)
preload_app = False

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
SHM = "/dev/shm"  # noqa: S108 - worker heartbeats in memory, not on a possibly slow disk
if os.path.isdir(SHM):
    worker_tmp_dir = SHM

# gunicorn's control socket (gunicornc) defaults to one path per user: two servers on one host would
# share it. Off unless GUNICORN_CONTROL_SOCKET names a path for this server.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
if not control_socket:
    del control_socket


def _settings_problems():
    """The Django settings checked in a child process: the master itself never imports them, so
    that workers forked after a reload (HUP) read the new settings."""
    check = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "config.problems"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if check.returncode == 0:
        return []
    lines = check.stderr.splitlines()
    found = [line.removeprefix(PREFIX) for line in lines if line.startswith(PREFIX)]
    return found or lines[-1:] or [f"the settings could not be loaded (exit code {check.returncode})"]


problems.extend(_settings_problems())
if problems:
    report(SettingsError(problems))
    sys.exit(EXIT_CODE)
