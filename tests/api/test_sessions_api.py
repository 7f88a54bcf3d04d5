"""Session endpoints on real Redis: CRUD, the client reference, filters, a client's sessions."""

import pytest

from sessions_app.models import Session
from tests.api.helpers import new_client, new_session, post_json


def test_create_session_and_defaults(api):
    client = new_client(api)
    response = post_json(
        api,
        "/api/sessions/",
        {"client_id": client["id"], "title": " Intro ", "starts_at": "2026-12-01T11:00:00+01:00", "version": 9},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_id"] == client["id"] and body["title"] == "Intro"
    assert body["starts_at"] == "2026-12-01T10:00:00Z"  # stored and served as UTC
    assert body["duration_minutes"] == 60 and body["status"] == "scheduled" and body["version"] == 1
    assert response["ETag"] == '"1"' and response["Location"].endswith(f"/api/sessions/{body['id']}/")
    assert Session.storage().get(body["id"])["starts_at"] == "2026-12-01T10:00:00.000000Z"


def test_missing_client_is_400_on_client_id_and_nothing_is_written(api):
    response = post_json(
        api, "/api/sessions/", {"client_id": "client_missing", "title": "X", "starts_at": "2026-12-01T10:00:00Z"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["client_id"] and "does not exist" in response.json()["client_id"][0]
    assert Session.storage().count() == 0


def test_client_id_is_checked_atomically_by_the_write_not_by_a_read(api, api_store, monkeypatch):
    reads = []
    backend = api_store.backend
    original = backend.get
    monkeypatch.setattr(backend, "get", lambda *a, **k: reads.append(a) or original(*a, **k))
    response = post_json(
        api, "/api/sessions/", {"client_id": "client_missing", "title": "X", "starts_at": "2026-12-01T10:00:00Z"}
    )
    assert response.status_code == 400 and reads == []


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "../etc"},
        {"client_id": "c" * 65},
        {"title": ""},
        {"title": "t" * 201},
        {"starts_at": "yesterday"},
        {"starts_at": None},
        {"duration_minutes": 0},
        {"duration_minutes": 1441},
        {"duration_minutes": "sixty"},
        {"status": "done"},
        {"location": "l" * 201},
        {"notes": "n" * 10_001},
    ],
)
def test_session_field_rules(api, changes):
    client = new_client(api)
    body = {"client_id": client["id"], "title": "X", "starts_at": "2026-12-01T10:00:00Z", **changes}
    response = post_json(api, "/api/sessions/", body)
    assert response.status_code == 400
    assert list(response.json()) == list(changes)


def test_session_update_moves_it_to_another_client(api):
    first, second = new_client(api), new_client(api, name="Other")
    session = new_session(api, first["id"])
    url = f"/api/sessions/{session['id']}/"
    moved = api.patch(url, {"client_id": second["id"]}, content_type="application/json", headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and moved["ETag"] == '"2"' and moved.json()["client_id"] == second["id"]
    assert api.get(f"/api/clients/{first['id']}/sessions/").json()["count"] == 0
    assert api.get(f"/api/clients/{second['id']}/sessions/").json()["count"] == 1
    bad = api.patch(url, {"client_id": "client_gone"}, content_type="application/json")
    assert bad.status_code == 400 and list(bad.json()) == ["client_id"]


def test_session_retrieve_304_put_412_and_delete(api):
    session = new_session(api, new_client(api)["id"])
    url = f"/api/sessions/{session['id']}/"
    assert api.get(url)["ETag"] == '"1"'
    assert api.get(url, headers={"If-None-Match": '"1"'}).status_code == 304
    full = {"client_id": session["client_id"], "title": "New", "starts_at": "2026-12-02T10:00:00Z"}
    stale = api.put(url, full, content_type="application/json", headers={"If-Match": '"0"'})
    assert stale.status_code == 412 and stale["ETag"] == '"1"' and stale.json()["version"] == 1
    assert api.put(url, full, content_type="application/json").json()["title"] == "New"
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


@pytest.fixture
def agenda(api):
    alice, bob = new_client(api, name="Alice"), new_client(api, name="Bob")
    made = {
        "a1": new_session(api, alice["id"], title="a1", starts_at="2026-12-03T09:00:00Z"),
        "a2": new_session(api, alice["id"], title="a2", starts_at="2026-12-01T09:00:00Z", status="completed"),
        "b1": new_session(api, bob["id"], title="b1", starts_at="2026-12-02T09:00:00Z", status="cancelled"),
    }
    return alice, bob, made


def titles(api, url):
    response = api.get(url)
    assert response.status_code == 200, response.content
    return [s["title"] for s in response.json()["results"]]


def test_sessions_filters_and_ordering(api, agenda):
    alice, bob, _ = agenda
    assert titles(api, "/api/sessions/") == ["a2", "b1", "a1"]  # default: starts_at
    assert titles(api, "/api/sessions/?ordering=-starts_at") == ["a1", "b1", "a2"]
    assert titles(api, "/api/sessions/?ordering=created_at") == ["a1", "a2", "b1"]
    assert titles(api, "/api/sessions/?ordering=-created_at") == ["b1", "a2", "a1"]
    assert titles(api, f"/api/sessions/?client_id={alice['id']}") == ["a2", "a1"]
    assert titles(api, "/api/sessions/?status=cancelled") == ["b1"]
    assert titles(api, "/api/sessions/?starts_after=2026-12-02T09:00:00Z") == ["b1", "a1"]
    assert titles(api, "/api/sessions/?starts_before=2026-12-02T09:00:00Z") == ["a2"]
    after_before = "?starts_after=2026-12-01T10:30:00%2B01:00&starts_before=2026-12-03T00:00:00Z"
    assert titles(api, "/api/sessions/" + after_before) == ["b1"]


def test_a_clients_sessions(api, agenda):
    alice, bob, _ = agenda
    assert titles(api, f"/api/clients/{alice['id']}/sessions/") == ["a2", "a1"]
    assert titles(api, f"/api/clients/{alice['id']}/sessions/?status=completed") == ["a2"]
    assert titles(api, f"/api/clients/{alice['id']}/sessions/?ordering=-starts_at&limit=1") == ["a1"]
    assert titles(api, f"/api/clients/{bob['id']}/sessions/") == ["b1"]
    missing = api.get("/api/clients/client_nobody/sessions/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert api.get(f"/api/clients/{alice['id']}/sessions/?ordering=name").status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "status=done",
        "ordering=title",
        "starts_after=tomorrow",
        "starts_before=2026-13-01T00:00:00Z",
        "client_id=a*b",
        "limit=0",
        "offset=-1",
    ],
)
def test_bad_session_list_parameters_are_400(api, query):
    response = api.get("/api/sessions/?" + query)
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()
