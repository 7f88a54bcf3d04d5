"""Two gunicorn servers (2 workers each, 4 processes with 4 memory caches) on one Redis: a write
through one is read through the other on the very next request."""

import httpx
import pytest

from tests.gunicorn_server import HTTPS, GunicornServer, manage, production_env


@pytest.fixture
def two_servers(deployment):
    return deployment[0]


@pytest.fixture
def deployment(tmp_path, redis_server, prefix):
    """(the two servers' clients, the environment a management command runs in)."""
    env = production_env(tmp_path, redis_server.url, STORAGE_KEY_PREFIX=prefix)
    assert manage(env, "migrate", "--noinput").returncode == 0
    created = manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token; "
        "u = User.objects.create_superuser('ops', password='pw-ops-0123456789'); "
        "print(Token.objects.create(user=u).key)",
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    servers = [GunicornServer(env, tmp_path / f"gunicorn-{i}.log", workers=2).start() for i in range(2)]
    headers = {**HTTPS, "Authorization": f"Token {token}"}
    # No keep-alive: each request opens a connection, so either worker of a server may answer it.
    limits = httpx.Limits(max_keepalive_connections=0)
    clients = [httpx.Client(base_url=s.url, headers=headers, timeout=10, limits=limits) for s in servers]
    yield clients, env
    for client in clients:
        client.close()
    for server in servers:
        server.stop()


def test_a_write_through_one_server_is_read_through_the_other_at_once(two_servers):
    one, two = two_servers
    for i in range(15):
        created = one.post("/api/clients/", json={"name": f"Client {i}", "email": f"c{i}@example.org"})
        assert created.status_code == 201, created.text
        record_id = created.json()["id"]
        assert two.get(f"/api/clients/{record_id}/").json()["name"] == f"Client {i}"
        assert record_id in [c["id"] for c in two.get("/api/clients/?limit=500").json()["results"]]

        updated = two.patch(f"/api/clients/{record_id}/", json={"name": f"Renamed {i}"})
        assert updated.status_code == 200
        assert one.get(f"/api/clients/{record_id}/").json()["name"] == f"Renamed {i}"
        listed = {c["id"]: c["name"] for c in one.get("/api/clients/?limit=500").json()["results"]}
        assert listed[record_id] == f"Renamed {i}"

        session = two.post(
            "/api/sessions/", json={"client_id": record_id, "title": "Intro", "starts_at": "2026-12-01T10:00:00Z"}
        )
        assert session.status_code == 201, session.text
        assert one.delete(f"/api/clients/{record_id}/").status_code == 409  # the session, seen by the other
        assert one.delete(f"/api/clients/{record_id}/?cascade=true").status_code == 204
        assert two.get(f"/api/clients/{record_id}/").status_code == 404
        assert record_id not in [c["id"] for c in two.get("/api/clients/?limit=500").json()["results"]]
        assert two.get(f"/api/sessions/?client_id={record_id}").json()["count"] == 0


def test_lists_and_304s_follow_a_write_on_the_other_server_at_once(two_servers):
    one, two = two_servers
    for i in range(10):
        url = "/api/clients/?limit=500&ordering=name"
        before = one.get(url)
        tag = before.headers["ETag"]
        # The same collection version and query: the same list ETag on every server and worker.
        assert two.get(url, headers={"If-None-Match": tag}).status_code == 304
        assert one.get(url, headers={"If-None-Match": tag}).status_code == 304

        created = two.post("/api/clients/", json={"name": f"Listed {i}", "email": f"l{i}@example.org"})
        assert created.status_code == 201, created.text
        record_id = created.json()["id"]
        for server in (one, two):  # a kept page or a 304 for the old version would miss the record
            after = server.get(url, headers={"If-None-Match": tag})
            assert after.status_code == 200 and after.headers["ETag"] != tag
            assert record_id in [c["id"] for c in after.json()["results"]]

        detail = f"/api/clients/{record_id}/"
        assert one.get(detail).json()["name"] == f"Listed {i}"  # kept by one's workers
        assert two.get(detail, headers={"If-None-Match": '"1"'}).status_code == 304
        renamed = two.patch(detail, json={"name": f"Renamed {i}"}, headers={"If-Match": '"1"'})
        assert renamed.status_code == 200
        for server in (one, two):
            fresh = server.get(detail, headers={"If-None-Match": '"1"'})
            assert (
                fresh.status_code == 200 and fresh.json()["name"] == f"Renamed {i}" and fresh.headers["ETag"] == '"2"'
            )
            assert [c["name"] for c in server.get(url).json()["results"] if c["id"] == record_id] == [f"Renamed {i}"]


def test_a_token_deleted_by_another_process_is_refused_by_every_worker_at_once(deployment):
    clients, env = deployment
    for client in clients:
        for _ in range(4):  # every worker has the token cached
            assert client.get("/api/clients/").status_code == 200
    deleted = manage(
        env, "shell", "-c", "from rest_framework.authtoken.models import Token; Token.objects.all().delete()"
    )
    assert deleted.returncode == 0, deleted.stderr
    for client in clients:
        for _ in range(4):
            refused = client.get("/api/clients/")
            assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Token"
