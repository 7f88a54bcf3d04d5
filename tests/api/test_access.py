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


# --- every endpoint, six roles; mass assignment ----------------------------------------

ROLES = ["anonymous", "no_permissions", "view_only", "full", "staff", "superuser"]
READ = {"anonymous": 401, "no_permissions": 403, "view_only": 200, "full": 200, "staff": 403, "superuser": 200}
STAFF_JSON = {"anonymous": 401, "no_permissions": 403, "view_only": 403, "full": 403, "staff": 200, "superuser": 200}
ADMIN_PAGE = {"anonymous": 302, "no_permissions": 302, "view_only": 302, "full": 302, "staff": 200, "superuser": 200}
REPAIR_PAGE = {**ADMIN_PAGE, "staff": 403}
PUBLIC = dict.fromkeys(ROLES, 200)


@pytest.fixture
def as_role(make_user, as_user, django_user_model):
    def login(role):
        if role == "anonymous":
            return HttpClient()
        if role == "superuser":
            return as_user(django_user_model.objects.create_superuser("root", password="pw-root-123"))
        if role == "staff":
            user = make_user("staff")
            user.is_staff = True
            user.save()
            return as_user(user)
        perms = {"no_permissions": [], "view_only": VIEW_PERMS, "full": ALL_PERMS}[role]
        return as_user(make_user(role, perms))

    return login


def other_endpoints():
    """(method, url, expected status by role) for every endpoint that is not a record endpoint."""
    return [
        ("get", "/api/schema/", PUBLIC),
        ("get", "/api/docs/", PUBLIC),
        ("get", "/api/redoc/", PUBLIC),
        ("get", "/api/health", PUBLIC),
        ("get", "/api/health/live", PUBLIC),
        ("get", "/api/health/ready", PUBLIC),
        ("get", "/api/auth/login/", PUBLIC),
        ("get", "/api/database/verify-redis", STAFF_JSON),
        ("get", "/api/database/check-sessions", STAFF_JSON),
        ("get", "/admin/", ADMIN_PAGE),
        ("get", "/admin/diagnostics/storage/", ADMIN_PAGE),
        ("get", "/admin/diagnostics/storage/repair/", REPAIR_PAGE),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix_on_every_endpoint(records, as_role, role):
    http = as_role(role)
    for method, url, expected in other_endpoints():
        response = getattr(http, method)(url)
        assert response.status_code == expected[role], (role, method, url, response.status_code)
        if url == "/api/health":
            assert ("target" in response.json()["backend"]) == (role in ("staff", "superuser"))
        if expected[role] == 302:
            assert response["Location"].startswith("/admin/login/")
    for method, url, body, is_write in requests_for(*records):
        response = call(http, method, url, body)
        wanted = READ[role]
        if is_write and role in ("view_only",):
            wanted = 403
        if wanted == 200:
            wanted = {"get": 200, "post": 201, "put": 200, "patch": 200, "delete": 204}[method]
        assert response.status_code == wanted, (role, method, url, response.content[:200])
    # the token endpoint answers anyone, and only with a token for right credentials
    assert http.post("/api/auth/token/", {"username": "x", "password": "y"}).status_code == 400


def test_mass_assignment_of_read_only_fields_is_ignored(api):
    forged = {
        "id": "client_forged",
        "version": 99,
        "created_at": "2000-01-01T00:00:00Z",
        "updated_at": "2000-01-01T00:00:00Z",
    }
    made = api.post("/api/clients/", {"name": "M", **forged}, content_type="application/json")
    assert made.status_code == 201
    client = made.json()
    assert client["id"] != "client_forged" and client["version"] == 1 and client["created_at"] > "2026"
    assert api.get("/api/clients/client_forged/").status_code == 404
    for method in ("put", "patch"):
        before = api.get(f"/api/clients/{client['id']}/").json()
        changed = call(api, method, f"/api/clients/{client['id']}/", {"name": "N", **forged})
        assert changed.status_code == 200
        after = changed.json()
        assert after["id"] == client["id"] and after["version"] == before["version"] + 1
        assert after["created_at"] == client["created_at"] and after["updated_at"] > "2026"
    session = api.post(
        "/api/sessions/",
        {
            "client_id": client["id"],
            "title": "T",
            "starts_at": "2026-12-01T10:00:00Z",
            **forged,
            "id": "session_forged",
        },
        content_type="application/json",
    ).json()
    assert session["id"] != "session_forged" and session["version"] == 1 and session["created_at"] > "2026"
    assert api.get("/api/sessions/session_forged/").status_code == 404
