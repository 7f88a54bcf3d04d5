"""Django's own database (users, tokens, sessions) keeps its connection between requests in each
worker (DATABASE_CONN_MAX_AGE): a request reuses the connection the previous one opened instead of
opening its own. With the setting at 0, the connection is closed when each request ends. Seen from
outside, in a real gunicorn worker: the SQLite file descriptors the worker holds after a response."""

import os
import time
from pathlib import Path

import httpx
import pytest

from tests.gunicorn_server import HTTPS, GunicornServer, manage, production_env, wait_for

PASSWORD = "pw-ops-0123456789"
SETTLE = 0.5  # long enough for the worker to finish the request after its response was read


def database_fds(pid, database):
    """The worker's open file descriptors on the database file, as {fd number: inode}."""
    fds = {}
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(entry) == str(database):
                fds[int(entry.name)] = os.stat(entry).st_ino
        except OSError:
            continue  # closed while listed
    return fds


@pytest.fixture
def serve(tmp_path, redis_server, prefix):
    """One gunicorn worker with DATABASE_CONN_MAX_AGE set as asked; an httpx client that logs in
    with Basic (a SQL query on every request: the user and its password)."""
    started = []

    def start(conn_max_age):
        env = production_env(tmp_path, redis_server.url, STORAGE_KEY_PREFIX=prefix)
        env["DATABASE_CONN_MAX_AGE"] = str(conn_max_age)
        assert manage(env, "migrate", "--noinput").returncode == 0
        script = "from django.contrib.auth.models import User; User.objects.create_superuser('ops', password=%r)"
        created = manage(env, "shell", "-c", script % PASSWORD)
        assert created.returncode == 0, created.stderr
        server = GunicornServer(env, tmp_path / "gunicorn.log", workers=1).start()
        started.append(server)
        (worker,) = server.worker_pids()
        client = httpx.Client(base_url=server.url, headers=HTTPS, auth=("ops", PASSWORD), timeout=10)
        return client, worker, tmp_path / "db.sqlite3"

    yield start
    for server in started:
        server.stop()


def test_two_consecutive_requests_share_the_workers_database_connection(serve):
    client, worker, database = serve(conn_max_age=600)
    assert client.get("/api/clients/").status_code == 200
    time.sleep(SETTLE)
    after_first = database_fds(worker, database)
    assert len(after_first) == 1, after_first  # kept open once the request ended
    assert client.get("/api/clients/").status_code == 200
    time.sleep(SETTLE)
    assert database_fds(worker, database) == after_first  # the same connection, no second one


def test_with_conn_max_age_0_the_connection_is_closed_after_each_request(serve):
    client, worker, database = serve(conn_max_age=0)
    for _ in range(2):
        assert client.get("/api/clients/").status_code == 200
        assert wait_for(lambda: database_fds(worker, database) == {}, timeout=5)
