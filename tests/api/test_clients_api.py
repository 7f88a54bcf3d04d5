"""Client endpoints on real Redis: CRUD, headers, conditional requests, list parameters."""

import pytest

from clients.models import Client
from clients.views import ClientViewSet
from tests.api.helpers import new_client, new_session, post_json


def test_create_returns_201_with_location_etag_and_ignores_read_only_fields(api):
    response = post_json(
        api,
        "/api/clients/",
        {
            "name": "  Jeanne Dupont  ",
            "email": "J@Example.org",
            "tags": [" vip ", "paris"],
            "id": "client_forged",
            "version": 42,
            "created_at": "1999-01-01T00:00:00Z",
            "updated_at": "1999-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("client_") and body["id"] != "client_forged"
    assert body["version"] == 1 and not body["created_at"].startswith("1999")
    assert body["name"] == "Jeanne Dupont" and body["tags"] == ["vip", "paris"] and body["is_active"] is True
    assert response["ETag"] == '"1"'
    assert response["Location"] == f"http://testserver/api/clients/{body['id']}/"
    stored = Client.storage().get(body["id"])
    assert stored["name"] == "Jeanne Dupont" and stored["version"] == 1


def test_retrieve_has_etag_and_if_none_match_gives_304(api):
    created = new_client(api)
    url = f"/api/clients/{created['id']}/"
    response = api.get(url)
    assert response.status_code == 200 and response.json() == created and response["ETag"] == '"1"'
    not_modified = api.get(url, headers={"If-None-Match": '"1"'})
    assert not_modified.status_code == 304 and not_modified["ETag"] == '"1"' and not_modified.content == b""
    assert api.get(url, headers={"If-None-Match": 'W/"1"'}).status_code == 304  # weak comparison
    assert api.get(url, headers={"If-None-Match": '"7", "1"'}).status_code == 304
    assert api.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert api.get(url, headers={"If-None-Match": '"2"'}).status_code == 200


def test_retrieve_is_one_round_trip(api, api_store, monkeypatch):
    created = new_client(api)
    calls = backend_calls(api_store.backend, monkeypatch)
    assert api.get(f"/api/clients/{created['id']}/").status_code == 200
    assert [name for name, _ in calls] == ["get"]


def test_put_and_patch_update_and_bump_the_etag(api):
    created = new_client(api, email="a@example.org", tags=["x"])
    url = f"/api/clients/{created['id']}/"
    put = api.put(url, {"name": "Jeanne Martin", "email": "b@example.org"}, content_type="application/json")
    assert put.status_code == 200 and put["ETag"] == '"2"'
    assert put.json()["name"] == "Jeanne Martin" and put.json()["version"] == 2
    patch = api.patch(url, {"is_active": False, "version": 99, "id": "client_x"}, content_type="application/json")
    assert patch.status_code == 200 and patch["ETag"] == '"3"'
    body = patch.json()
    assert body["is_active"] is False and body["name"] == "Jeanne Martin" and body["id"] == created["id"]
    assert body["version"] == 3 and body["created_at"] == created["created_at"]


def test_if_match_current_version_writes_and_stale_gives_412_with_current_etag(api):
    created = new_client(api)
    url = f"/api/clients/{created['id']}/"
    ok = api.patch(url, {"name": "B"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = api.patch(url, {"name": "C"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale["ETag"] == '"2"'
    assert stale.json()["version"] == 2 and stale.json()["code"] == "version_conflict"
    assert api.get(url).json()["name"] == "B"  # nothing written
    weak = api.put(url, {"name": "D"}, content_type="application/json", headers={"If-Match": 'W/"2"'})
    assert weak.status_code == 412  # If-Match uses the strong comparison
    assert api.put(url, {"name": "D"}, content_type="application/json", headers={"If-Match": "*"}).status_code == 200


def test_update_without_if_match_reapplies_on_a_concurrent_write(api, monkeypatch):
    created = new_client(api, phone="123")
    url = f"/api/clients/{created['id']}/"
    original_save = Client.save
    raced = []

    def racing_save(self, *args, **kwargs):
        if not raced:  # another process writes between our read and our write
            raced.append(True)
            other = Client.objects.get(pk=self.pk)
            other.phone = "999"
            original_save(other)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Client, "save", racing_save)
    response = api.patch(url, {"name": "Renamed"}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Renamed" and body["phone"] == "999" and body["version"] == 3


def test_delete_204_then_404(api):
    created = new_client(api)
    url = f"/api/clients/{created['id']}/"
    response = api.delete(url)
    assert response.status_code == 204 and response.content == b""
    assert api.get(url).status_code == 404
    assert Client.storage().get(created["id"]) is None


def test_delete_honours_if_match(api):
    created = new_client(api)
    url = f"/api/clients/{created['id']}/"
    stale = api.delete(url, headers={"If-Match": '"5"'})
    assert stale.status_code == 412 and stale["ETag"] == '"1"' and stale.json()["version"] == 1
    assert api.get(url).status_code == 200
    assert api.delete(url, headers={"If-Match": '"1"'}).status_code == 204


def test_delete_client_with_sessions_is_409_with_count_unless_cascade(api):
    client = new_client(api)
    other = new_client(api, name="Other")
    for title in ("One", "Two"):
        new_session(api, client["id"], title=title)
    kept = new_session(api, other["id"])
    url = f"/api/clients/{client['id']}/"
    refused = api.delete(url)
    assert refused.status_code == 409
    assert refused.json()["count"] == 2 and refused.json()["code"] == "dependents_exist"
    assert api.get(url).status_code == 200
    assert api.delete(url + "?cascade=false").status_code == 409
    assert api.delete(url + "?cascade=true").status_code == 204
    assert api.get(url).status_code == 404
    listed = api.get("/api/sessions/").json()
    assert [s["id"] for s in listed["results"]] == [kept["id"]]


def test_list_is_paginated_newest_first_by_default(api):
    ids = [new_client(api, name=f"C{i}")["id"] for i in range(5)]
    page = api.get("/api/clients/?limit=2&offset=1")
    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 5
    assert [c["id"] for c in body["results"]] == [ids[3], ids[2]]
    assert body["next"] == "http://testserver/api/clients/?limit=2&offset=3"
    assert body["previous"] == "http://testserver/api/clients/?limit=2"
    assert len(api.get("/api/clients/").json()["results"]) == 5  # default limit 50


def test_default_limit_is_50_and_500_is_accepted(api, api_store):
    collection = Client.storage()
    for i in range(55):
        collection.create({"name": f"C{i}", "email": "", "phone": "", "notes": "", "tags": [], "is_active": True})
    assert len(api.get("/api/clients/").json()["results"]) == 50
    assert len(api.get("/api/clients/?limit=500").json()["results"]) == 55


def test_search_ordering_and_is_active_filter(api):
    new_client(api, name="Alice Martin", email="alice@example.org")
    new_client(api, name="bob", email="ROBERT@MARTIN.example", is_active=False)
    new_client(api, name="Carol", email="carol@example.org")

    def names(query):
        response = api.get("/api/clients/" + query)
        assert response.status_code == 200, response.content
        return [c["name"] for c in response.json()["results"]]

    assert names("?search=martin&ordering=name") == ["Alice Martin", "bob"]  # name or email, any case
    assert names("?ordering=name") == ["Alice Martin", "bob", "Carol"]
    assert names("?ordering=-name") == ["Carol", "bob", "Alice Martin"]
    assert names("?ordering=created_at") == ["Alice Martin", "bob", "Carol"]
    assert names("") == ["Carol", "bob", "Alice Martin"]
    assert names("?is_active=false") == ["bob"]
    assert names("?is_active=true&ordering=name") == ["Alice Martin", "Carol"]
    assert names("?search=") == ["Carol", "bob", "Alice Martin"]


def test_list_costs_the_same_round_trips_whatever_the_page_size(api, api_store, monkeypatch):
    collection = Client.storage()
    for i in range(30):
        collection.create({"name": f"C{i}", "email": "", "phone": "", "notes": "", "tags": [], "is_active": True})
    api.get("/api/clients/")  # warm the cache
    calls = backend_calls(api_store.backend, monkeypatch)
    seen = []
    for query in ("?limit=1", "?limit=30", "?limit=10&search=C1&ordering=name"):
        calls.clear()
        assert api.get("/api/clients/" + query).status_code == 200
        seen.append([name for name, _ in calls])
    assert seen == [["changes_since"]] * 3  # one check of what changed, whatever the page


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_name_rules(api, name):
    response = post_json(api, "/api/clients/", {"name": name})
    assert response.status_code == 400 and "name" in response.json()


def test_missing_name_and_bad_fields_are_400_per_field(api):
    response = post_json(
        api,
        "/api/clients/",
        {"email": "not-an-email", "phone": "1" * 33, "notes": "n" * 10_001, "is_active": "maybe"},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "email", "phone", "notes", "is_active"}


@pytest.mark.parametrize(
    "tags",
    [["x"] * 21, [""], ["   "], ["t" * 51], "vip", [1], {"a": 1}],
)
def test_tags_rules(api, tags):
    response = post_json(api, "/api/clients/", {"name": "A", "tags": tags})
    assert response.status_code == 400 and "tags" in response.json()


def test_twenty_tags_of_fifty_characters_are_accepted(api):
    tags = [f"{i:02d}" + "t" * 48 for i in range(20)]
    assert new_client(api, tags=tags)["tags"] == tags


def test_duplicate_email_ignoring_case_is_400_on_email(api):
    new_client(api, email="jeanne@example.org")
    response = post_json(api, "/api/clients/", {"name": "Other", "email": "JEANNE@example.org "})
    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert "already exists" in response.json()["email"][0]
    assert Client.storage().count() == 1


def test_each_request_gets_a_fresh_queryset(api):
    view = ClientViewSet()
    first, second = view.get_queryset(), view.get_queryset()
    assert first is not second and first is not ClientViewSet.queryset
    assert list(first) == [] and new_client(api) and len(list(view.get_queryset())) == 1


def test_a_put_reads_the_record_once_and_writes_it_once(api, api_store, monkeypatch):
    """The instance the view loaded is the one saved, its version the expected one: no re-read."""
    created = new_client(api)
    calls = backend_calls(api_store.backend, monkeypatch)
    url = f"/api/clients/{created['id']}/"
    response = api.put(url, {"name": "Renamed"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert [name for name, _ in calls] == ["get", "write"]
    assert calls[1][1][0].expected_version == 1


def backend_calls(backend, monkeypatch):
    """The (name, args) of every read or write the backend is asked for from now on."""
    calls = []
    for name in ("get", "get_many", "version", "snapshot_ids", "changes_since", "count", "ids_by", "write"):
        original = getattr(backend, name)
        monkeypatch.setattr(backend, name, lambda *a, _n=name, _o=original, **k: calls.append((_n, a)) or _o(*a, **k))
    return calls
