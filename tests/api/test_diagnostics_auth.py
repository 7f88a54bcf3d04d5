"""The diagnostic routes authenticate as the REST API does: token, Basic and session; DRF's 401
with a challenge a client knows (Token) for missing or wrong credentials, 403 for non-staff, and
every route in the OpenAPI document (health public)."""

import base64

import pytest
from django.test import Client as HttpClient
from rest_framework.authtoken.models import Token

STAFF_ROUTES = ["/api/database/verify-redis", "/api/database/check-sessions"]
PUBLIC_ROUTES = ["/api/health", "/api/health/live", "/api/health/ready"]


@pytest.fixture
def users(redis_store, django_user_model):
    staff = django_user_model.objects.create_user("ops", password="pw-ops-0123456789", is_staff=True)
    plain = django_user_model.objects.create_user("plain", password="pw-plain-0123456789")
    return staff, plain


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def by_scheme(scheme, user, password):
    """A test client and the headers that authenticate `user` with `scheme`."""
    http = HttpClient()
    if scheme == "token":
        return http, {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    if scheme == "basic":
        return http, basic(user.username, password)
    http.force_login(user)
    return http, {}


@pytest.mark.parametrize("scheme", ["token", "basic", "session"])
@pytest.mark.parametrize("url", STAFF_ROUTES)
def test_staff_routes_accept_each_scheme_of_the_api(users, scheme, url):
    staff, _plain = users
    http, headers = by_scheme(scheme, staff, "pw-ops-0123456789")
    response = http.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("scheme", ["token", "basic", "session"])
@pytest.mark.parametrize("url", STAFF_ROUTES)
def test_staff_routes_refuse_a_non_staff_user_with_403(users, scheme, url):
    _staff, plain = users
    http, headers = by_scheme(scheme, plain, "pw-plain-0123456789")
    response = http.get(url, headers=headers)
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Token wrong-token"}, basic("ops", "wrong-password")],
    ids=["none", "wrong-token", "wrong-password"],
)
@pytest.mark.parametrize("url", STAFF_ROUTES)
def test_staff_routes_answer_drf_401_with_a_known_challenge(users, headers, url):
    response = HttpClient().get(url, headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"  # the API's first scheme, never "Session"
    assert response.json()["detail"]


@pytest.mark.parametrize("url", PUBLIC_ROUTES)
def test_public_routes_answer_anyone_and_still_check_credentials_sent(users, url):
    assert HttpClient().get(url).status_code == 200
    wrong = HttpClient().get(url, headers={"Authorization": "Token wrong-token"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == "Token"


def test_health_shows_the_backend_target_to_staff_by_token(users):
    staff, plain = users
    for user, shown in ((staff, True), (plain, False)):
        http, headers = by_scheme("token", user, "")
        assert ("target" in http.get("/api/health", headers=headers).json()["backend"]) is shown


def test_diagnostic_routes_are_in_the_openapi_document(db):
    schema = HttpClient().get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    for url in STAFF_ROUTES + PUBLIC_ROUTES:
        assert "get" in schema["paths"][url], url
    health = schema["paths"]["/api/health"]["get"]
    assert {} in health["security"]  # public: no credentials needed
    staff = schema["paths"]["/api/database/verify-redis"]["get"]
    assert {} not in staff["security"]
    assert {"200", "401", "403"} <= set(staff["responses"])
    assert any(p["name"] == "limit" for p in staff["parameters"])
