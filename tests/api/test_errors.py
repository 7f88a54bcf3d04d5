"""Bad input, impossible ids, body size, storage failures and JSON error pages under /api/."""

import pytest
from django.test import Client as HttpClient

from clients.models import Client
from clients.views import ClientViewSet
from tests.api.helpers import new_client, new_session, post_json
from tests.conftest import make_backend, need_redis_server
from tests.redis_server import RedisServer


def count_backend_calls(backend, monkeypatch):
    calls = []
    for name in ("get", "get_many", "version", "snapshot_ids", "changes_since", "count", "ids_by", "write"):
        original = getattr(backend, name)
        monkeypatch.setattr(backend, name, lambda *a, _n=name, _o=original, **k: calls.append(_n) or _o(*a, **k))
    return calls


def test_malformed_json_is_400(api):
    response = api.post("/api/clients/", '{"name": "x",', content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]
    assert response.json()["code"] == "parse_error"


def test_wrong_content_type_is_400(api):
    response = api.post("/api/clients/", "name=x", content_type="text/plain")
    assert response.status_code == 400
    assert "Unsupported media type" in response.json()["detail"]
    assert response.json()["code"] == "unsupported_media_type"


def test_json_body_that_is_not_an_object_is_400(api):
    response = api.post("/api/clients/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "limit=-1",
        "limit=0",
        "limit=501",
        "limit=99999999999999999999",
        "limit=ten",
        "offset=-5",
        "offset=x",
        "ordering=email",
        "ordering=-updated_at",
        "is_active=maybe",
        "search=" + "s" * 201,
    ],
)
def test_bad_client_list_parameters_are_400_with_a_message(api, query):
    response = api.get("/api/clients/?" + query)
    assert response.status_code == 400
    name = query.split("=")[0]
    assert isinstance(response.json()[name][0], str) and response.json()[name][0]


@pytest.mark.parametrize("record_id", ["a*b", "c" * 65, "..", "a.b", "%2e%2e%2fetc", "client%00x", "é"])
def test_impossible_ids_are_404_without_touching_redis(api, api_store, monkeypatch, record_id):
    calls = count_backend_calls(api_store.backend, monkeypatch)
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api, method)(f"/api/clients/{record_id}/", {"name": "x"}, content_type="application/json")
        assert response.status_code == 404, (method, record_id)
        assert response.json()["code"] == "not_found"
    assert api.get(f"/api/sessions/{record_id}/").status_code == 404
    assert api.get(f"/api/clients/{record_id}/sessions/").status_code == 404
    assert calls == []


def test_body_over_one_mebibyte_is_413_before_parsing(api, monkeypatch):
    parsed = []
    monkeypatch.setattr("rest_framework.parsers.JSONParser.parse", lambda *a, **k: parsed.append(1))
    big = '{"name": "' + "x" * (1024 * 1024) + '"}'
    response = api.post("/api/clients/", big, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
    assert parsed == [] and Client.storage().count() == 0


@pytest.mark.parametrize("length", ["-1", "abc"])
def test_bad_content_length_is_400(api, length):
    response = api.generic("POST", "/api/clients/", b"{}", content_type="application/json", CONTENT_LENGTH=length)
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_body_just_under_the_limit_reaches_validation(api):
    body = '{"name": "' + "x" * (1024 * 1024 - 100) + '"}'
    response = api.post("/api/clients/", body, content_type="application/json")
    assert response.status_code == 400 and "name" in response.json()  # too long a name, but parsed


def test_malformed_conditional_headers_and_cascade_are_400(api):
    client = new_client(api)
    url = f"/api/clients/{client['id']}/"
    assert api.get(url, headers={"If-None-Match": "1"}).status_code == 400
    bad_match = api.patch(url, {"name": "x"}, content_type="application/json", headers={"If-Match": "version 1"})
    assert bad_match.status_code == 400 and "If-Match" in bad_match.json()["detail"]
    bad_cascade = api.delete(url + "?cascade=maybe")
    assert bad_cascade.status_code == 400 and "cascade" in bad_cascade.json()
    assert api.get(url).json()["name"] == "Jeanne Dupont"


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/nothing-here/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert api.get("/not-api/").get("Content-Type", "").startswith("text/html")


def test_unexpected_error_is_json_500_with_debug_off(api_store, make_user, monkeypatch, settings):
    assert settings.DEBUG is False

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ClientViewSet, "list", broken)
    http = HttpClient(raise_request_exception=False)
    http.force_login(make_user("admin", superuser=True))
    response = http.get("/api/clients/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert b"boom" not in response.content


def test_method_not_allowed_is_json_405(api):
    response = api.put("/api/clients/", {}, content_type="application/json")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


@pytest.fixture
def durable_redis():
    """A redis-server of this test's own, with an append-only file: it keeps its data across stop/start."""
    need_redis_server()
    server = RedisServer("--appendonly", "yes", "--appendfsync", "always").start()
    yield server
    server.close()


@pytest.fixture
def stoppable(durable_redis, prefix, use_store):
    def install(stale_reads=False):
        backend = make_backend("redis", prefix, redis_server=durable_redis, socket_timeout=0.5, connect_timeout=0.5)
        return use_store(backend, stale_reads=stale_reads)

    return install


def test_storage_unavailable_is_503_with_retry_after_and_nothing_half_written(api, stoppable, durable_redis):
    own_redis_server = durable_redis
    stoppable()
    client = new_client(api)
    own_redis_server.stop()
    for method, url, body in [
        ("get", "/api/clients/", None),
        ("get", f"/api/clients/{client['id']}/", None),
        ("post", "/api/clients/", {"name": "Lost"}),
        ("patch", f"/api/clients/{client['id']}/", {"name": "Lost"}),
        ("delete", f"/api/clients/{client['id']}/", None),
        ("post", "/api/sessions/", {"client_id": client["id"], "title": "T", "starts_at": "2026-12-01T10:00:00Z"}),
    ]:
        if body is None:
            response = getattr(api, method)(url)
        else:
            response = getattr(api, method)(url, body, content_type="application/json")
        assert response.status_code == 503, (method, url)
        assert response["Retry-After"] == "5"
        assert response.json()["code"] == "storage_unavailable" and response.json()["detail"]
    own_redis_server.start()
    listed = api.get("/api/clients/").json()
    assert [c["name"] for c in listed["results"]] == ["Jeanne Dupont"] and listed["results"][0]["version"] == 1
    assert api.get("/api/sessions/").json()["count"] == 0


def test_stale_fallback_is_flagged(api, stoppable, durable_redis):
    own_redis_server = durable_redis
    stoppable(stale_reads=True)
    client = new_client(api)
    fresh = api.get("/api/clients/")
    assert fresh.status_code == 200 and "X-Storage-Stale" not in fresh
    own_redis_server.stop()
    stale_list = api.get("/api/clients/")
    assert stale_list.status_code == 200 and stale_list["X-Storage-Stale"] == "true"
    assert stale_list.json()["results"][0]["id"] == client["id"]
    stale_one = api.get(f"/api/clients/{client['id']}/")
    assert stale_one.status_code == 200 and stale_one["X-Storage-Stale"] == "true"
    assert api.post("/api/clients/", {"name": "X"}, content_type="application/json").status_code == 503


def test_client_sessions_of_a_deleted_client_are_gone_after_cascade(api):
    client = new_client(api)
    new_session(api, client["id"])
    assert api.delete(f"/api/clients/{client['id']}/?cascade=true").status_code == 204
    assert api.get(f"/api/clients/{client['id']}/sessions/").status_code == 404
    assert post_json(api, "/api/sessions/", {"title": "x"}).status_code == 400


def test_a_full_disk_under_the_json_files_is_503_and_nothing_is_stored(
    tmp_path, prefix, use_store, make_user, as_user, monkeypatch
):
    from storage.backends import jsonfile
    from tests.api.conftest import ALL_PERMS

    use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    http = as_user(make_user("editor", ALL_PERMS))

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonfile.os, "fsync", full_disk)
    response = post_json(http, "/api/clients/", {"name": "Lost"})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The storage backend is unavailable; try again later.",
        "code": "storage_unavailable",
    }
    monkeypatch.undo()
    assert http.get("/api/clients/").json()["count"] == 0
