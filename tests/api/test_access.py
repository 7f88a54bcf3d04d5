"""Authentication (session, basic, token) and the permission matrix: anonymous, view only, all
four permissions, superuser."""

import base64

import pytest
from django.test import Client as HttpClient
from rest_framework.authtoken.models import Token

from tests.api.conftest import ALL_PERMS
from tests.api.helpers import new_client, new_session

VIEW_PERMS = ["view_client", "view_session"]


@pytest.fixture
def records(api):
    client = new_client(api)
    return client, new_session(api, client["id"])


def requests_for(client, session):
    """(method, url, body, is_write) for every record endpoint."""
    c, s = f"/api/clients/{client['id']}/", f"/api/sessions/{session['id']}/"
    new_c = {"name": "New"}
    new_s = {"client_id": client["id"], "title": "T", "starts_at": "2026-12-01T10:00:00Z"}
    return [
        ("get", "/api/clients/", None, False),
        ("get", c, None, False),
        ("get", c + "sessions/", None, False),
        ("get", "/api/sessions/", None, False),
        ("get", s, None, False),
        ("post", "/api/clients/", new_c, True),
        ("put", c, new_c, True),
        ("patch", c, new_c, True),
        ("post", "/api/sessions/", new_s, True),
        ("put", s, new_s, True),
        ("patch", s, {"title": "U"}, True),
        ("delete", s, None, True),
        ("delete", c + "?cascade=true", None, True),
    ]


def call(http, method, url, body, **extra):
    if body is None:
        return getattr(http, method)(url, **extra)
    return getattr(http, method)(url, body, content_type="application/json", **extra)


@pytest.mark.parametrize("who", ["anonymous", "view_only", "all_four", "superuser"])
def test_permission_matrix(records, make_user, as_user, who):
    if who == "anonymous":
        http = HttpClient()
    elif who == "superuser":
        http = as_user(make_user("root", superuser=True))
    else:
        http = as_user(make_user(who, VIEW_PERMS if who == "view_only" else ALL_PERMS))
    for method, url, body, is_write in requests_for(*records):
        response = call(http, method, url, body)
        if who == "anonymous":
            expected = 401
        elif who == "view_only" and is_write:
            expected = 403
        else:
            expected = {"get": 200, "post": 201, "put": 200, "patch": 200, "delete": 204}[method]
        assert response.status_code == expected, (who, method, url, response.content)
        if expected == 401:
            assert response["WWW-Authenticate"] == "Token"
            assert response.json()["code"] == "not_authenticated"
        if expected == 403:
            assert response.json()["code"] == "permission_denied"


def test_each_permission_is_checked_on_its_own_record_type(records, make_user, as_user):
    client, session = records
    only_clients = as_user(make_user("clients_only", ["view_client", "add_client"]))
    assert only_clients.get("/api/clients/").status_code == 200
    assert only_clients.get("/api/sessions/").status_code == 403
    assert only_clients.get(f"/api/clients/{client['id']}/sessions/").status_code == 403  # needs view_session too
    body = {"name": "X"}
    assert only_clients.post("/api/clients/", body, content_type="application/json").status_code == 201
    assert only_clients.delete(f"/api/clients/{client['id']}/").status_code == 403
    only_sessions = as_user(make_user("sessions_only", ["view_session"]))
    assert only_sessions.get(f"/api/clients/{client['id']}/sessions/").status_code == 403  # needs view_client too
    assert only_sessions.get(f"/api/sessions/{session['id']}/").status_code == 200


def test_token_authentication(api, make_user):
    user = make_user("robot", VIEW_PERMS)
    token = Token.objects.create(user=user)
    http = HttpClient()
    assert http.get("/api/clients/", headers={"Authorization": f"Token {token.key}"}).status_code == 200
    wrong = http.get("/api/clients/", headers={"Authorization": "Token not-a-real-token"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == "Token"


def test_basic_authentication(api, make_user):
    make_user("basic", VIEW_PERMS)
    http = HttpClient()
    good = base64.b64encode(b"basic:pw-basic").decode()
    assert http.get("/api/clients/", headers={"Authorization": f"Basic {good}"}).status_code == 200
    bad = base64.b64encode(b"basic:wrong").decode()
    assert http.get("/api/clients/", headers={"Authorization": f"Basic {bad}"}).status_code == 401


def test_session_authentication_enforces_csrf_on_writes(api, make_user):
    make_user("browser", ALL_PERMS)
    http = HttpClient(enforce_csrf_checks=True)
    assert http.login(username="browser", password="pw-browser")
    assert http.get("/api/clients/").status_code == 200
    refused = http.post("/api/clients/", {"name": "X"}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]


def test_browsable_api_renders_for_a_logged_in_user(api):
    client = new_client(api)
    page = api.get(f"/api/clients/{client['id']}/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and b"Jeanne Dupont" in page.content and b"<html" in page.content
    assert api.get("/api/sessions/", headers={"Accept": "text/html"}).status_code == 200
    assert HttpClient().get("/api/auth/login/").status_code == 200  # the browsable API's login page


def test_options_needs_the_view_permission(api, make_user, as_user):
    assert api.options("/api/clients/").status_code == 200
    assert as_user(make_user("nobody")).options("/api/clients/").status_code == 403
