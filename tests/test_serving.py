"""Production serving: `manage.py check --deploy` is clean with the documented production
variables, and gunicorn with config/gunicorn.conf.py serves the app and the admin's static files
(whitenoise), logs each request, and reloads its workers gracefully on SIGHUP."""

import httpx
import pytest

from tests.gunicorn_server import HTTPS, GunicornServer, manage, production_env, wait_for

pytestmark = pytest.mark.slow


def test_check_deploy_is_clean_with_the_production_variables(tmp_path, redis_server):
    result = manage(production_env(tmp_path, redis_server.url), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_debug_and_a_weak_key(tmp_path, redis_server):
    env = production_env(tmp_path, redis_server.url, DEBUG="true", SECRET_KEY="short")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stderr and "security.W009" in result.stderr


def test_gunicorn_serves_pages_and_static_files_and_reloads_gracefully(tmp_path, redis_server):
    env = production_env(tmp_path, redis_server.url)
    collected = manage(env, "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr
    server = GunicornServer(env, tmp_path / "gunicorn.log", workers=2)
    https = {**HTTPS, "Host": "app.example.org"}
    try:
        server.start()
        before = server.worker_pids()
        assert len(before) == 2

        page = httpx.get(f"{server.url}/admin/login/", headers=https)
        assert page.status_code == 200 and "Django administration" in page.text
        assert httpx.get(f"{server.url}/admin/login/", headers={"Host": "app.example.org"}).status_code == 301

        css = httpx.get(f"{server.url}/static/admin/css/base.css", headers={**https, "Accept-Encoding": "gzip"})
        assert css.status_code == 200 and css.headers["content-encoding"] == "gzip"  # whitenoise's copy
        assert "max-age" in css.headers["cache-control"]

        server.reload()  # graceful reload: new workers, then the old ones retire
        assert wait_for(lambda: server.worker_pids() and not server.worker_pids() & before)
        assert len(server.worker_pids()) == 2
        assert httpx.get(f"{server.url}/admin/login/", headers=https).status_code == 200
    finally:
        server.stop()
    output = server.log()
    assert '"GET /admin/login/ HTTP/1.1" 200' in output  # the access log
    assert "Handling signal: hup" in output
