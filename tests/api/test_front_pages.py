"""The landing page at / and the API root at /api/: public, and every link they give answers."""

import pytest
from django.test import Client as HttpClient


@pytest.fixture
def anonymous(redis_store, db):
    return HttpClient()


def test_landing_page_links_to_the_admin_the_docs_and_health_and_names_the_backend(anonymous):
    response = anonymous.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    for href in ('href="/admin/"', 'href="/api/docs/"', 'href="/api/health"', 'href="/api/"'):
        assert href in text, href
    assert "Records are kept in <strong>Redis</strong>" in text
    assert "127.0.0.1" not in text  # the host is for staff only


def test_landing_page_shows_staff_where_the_records_are(redis_store, make_user, as_user, redis_server):
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save()
    text = as_user(staff).get("/").content.decode()
    assert f"127.0.0.1:{redis_server.port}" in text


def test_every_landing_page_link_answers(anonymous):
    import re

    text = anonymous.get("/").content.decode()
    for href in re.findall(r'href="(/[^"]*)"', text):
        response = anonymous.get(href, follow=True)
        assert response.status_code == 200, href


def test_api_root_lists_the_endpoints_as_json_for_anyone(anonymous):
    response = anonymous.get("/api/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["clients"] == "http://testserver/api/clients/"
    assert body["sessions"] == "http://testserver/api/sessions/"
    assert body["docs"] == "http://testserver/api/docs/" and body["health"] == "http://testserver/api/health"
    for name in ("schema", "docs", "redoc", "health"):
        assert anonymous.get(body[name]).status_code == 200, name


def test_api_root_is_browsable(anonymous):
    response = anonymous.get("/api/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and b"/api/clients/" in response.content


def test_api_root_is_not_in_the_openapi_document(anonymous):
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/" not in schema["paths"]


def test_landing_page_tells_staff_why_storage_is_degraded(redis_store, make_user, as_user, monkeypatch):
    from config import views

    # what storage.startup records when DEBUG fell back to JSON files
    info = {"configured_backend": "redis", "configured_target": "redis://127.0.0.1:1/0", "reason": "refused"}
    monkeypatch.setattr(views, "fallback", lambda: info)
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save()
    text = as_user(staff).get("/").content.decode()
    assert "Storage is degraded: the configured redis backend at redis://127.0.0.1:1/0 could not be reached" in text
