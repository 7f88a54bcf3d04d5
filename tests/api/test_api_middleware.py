"""/api/ requests with Token or Basic credentials skip Django's session, authentication and
messages middleware; everything else (session logins, the admin, the browsable API) keeps them."""

import base64

import pytest
from django.test import Client as HttpClient
from rest_framework.authtoken.models import Token

from config.api import middleware
from tests.api.conftest import ALL_PERMS


@pytest.fixture
def user(redis_store, make_user):
    return make_user("robot", ALL_PERMS)


@pytest.fixture
def session_touches(monkeypatch):
    """How many requests went through the session middleware."""
    seen = []
    original = middleware.SessionMiddleware.process_request
    monkeypatch.setattr(
        middleware.SessionMiddleware, "process_request", lambda self, request: seen.append(1) or original(self, request)
    )
    return seen


def test_token_and_basic_requests_skip_the_session_middleware(user, session_touches):
    token = Token.objects.create(user=user).key
    http = HttpClient(enforce_csrf_checks=True)
    assert http.get("/api/clients/", headers={"Authorization": f"Token {token}"}).status_code == 200
    basic = "Basic " + base64.b64encode(b"robot:pw-robot").decode()
    created = http.post(
        "/api/clients/", {"name": "N"}, content_type="application/json", headers={"Authorization": basic}
    )
    assert created.status_code == 201  # no CSRF token needed: DRF checks CSRF for sessions only
    assert session_touches == []


def test_session_requests_keep_the_middleware_and_its_csrf_check(user, session_touches):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(user)
    assert http.get("/api/clients/").status_code == 200
    refused = http.post("/api/clients/", {"name": "N"}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert len(session_touches) == 2


def test_other_schemes_and_other_paths_keep_the_middleware(user, session_touches):
    token = Token.objects.create(user=user).key
    assert HttpClient().get("/api/clients/", headers={"Authorization": "Bearer x"}).status_code == 401
    HttpClient().get("/admin/login/", headers={"Authorization": f"Token {token}"})
    assert len(session_touches) == 2
