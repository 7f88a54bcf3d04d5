"""Production serving (issue 7): `manage.py check --deploy` is clean with the documented production
variables, and gunicorn with config/gunicorn.conf.py serves the app and the admin's static files
(whitenoise), logs each request, and reloads its workers gracefully on SIGHUP."""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def production_env(tmp_path, redis_url, **extra):
    """The variables README documents for production, and nothing from the test settings."""
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
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


def test_check_deploy_is_clean_with_the_production_variables(tmp_path, redis_server):
    result = manage(production_env(tmp_path, redis_server.url), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_debug_and_a_weak_key(tmp_path, redis_server):
    env = production_env(tmp_path, redis_server.url, DEBUG="true", SECRET_KEY="short")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stderr and "security.W009" in result.stderr


def workers_of(pid):
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


def test_gunicorn_serves_pages_and_static_files_and_reloads_gracefully(tmp_path, redis_server):
    port = free_port()
    env = production_env(tmp_path, redis_server.url, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="2")
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    log = open(tmp_path / "gunicorn.log", "w+")
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "--config", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https", "Host": "app.example.org"}  # as behind the TLS proxy
    try:
        assert wait_for(lambda: httpx.get(f"{base}/admin/login/", headers=https).status_code == 200)
        assert wait_for(lambda: len(workers_of(server.pid)) == 2)
        before = workers_of(server.pid)

        page = httpx.get(f"{base}/admin/login/", headers=https)
        assert page.status_code == 200 and "Django administration" in page.text
        assert httpx.get(f"{base}/admin/login/", headers={"Host": "app.example.org"}).status_code == 301  # to https

        css = httpx.get(f"{base}/static/admin/css/base.css", headers={**https, "Accept-Encoding": "gzip"})
        assert css.status_code == 200 and css.headers["content-encoding"] == "gzip"  # whitenoise's copy
        assert "max-age" in css.headers["cache-control"]

        server.send_signal(signal.SIGHUP)  # graceful reload: new workers, then the old ones retire
        assert wait_for(lambda: workers_of(server.pid) and not workers_of(server.pid) & before)
        assert len(workers_of(server.pid)) == 2
        assert httpx.get(f"{base}/admin/login/", headers=https).status_code == 200
    finally:
        server.terminate()
        server.wait(30)
        log.seek(0)
        output = log.read()
        log.close()
    assert '"GET /admin/login/ HTTP/1.1" 200' in output  # the access log
    assert "Handling signal: hup" in output.lower() or "hang up" in output.lower()
