"""Responses Redis says haven't changed are not rebuilt: list ETags and 304 before any serialising,
rendered JSON kept per process by record version / collection version and query, never older
than the version read in the same request, only for JSON, bounded by bytes."""

import pytest

from clients.models import Client
from config.api import render_cache
from config.api.render_cache import RenderCache
from tests.api.helpers import new_client, post_json


@pytest.fixture
def api(redis_store, make_user, as_user):
    from tests.api.conftest import ALL_PERMS

    render_cache.cache.clear()
    return as_user(make_user("editor", ALL_PERMS))


def test_list_has_a_weak_etag_and_if_none_match_gives_304_without_serialising(api, serialised):
    for i in range(3):
        new_client(api, name=f"C{i}")
    serialised.clear()
    first = api.get("/api/clients/?limit=2")
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('W/"') and len(serialised) == 2
    serialised.clear()
    again = api.get("/api/clients/?limit=2", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    assert serialised == []
    assert api.get("/api/clients/?limit=2", headers={"If-None-Match": tag.removeprefix("W/")}).status_code == 304
    assert api.get("/api/clients/?limit=3", headers={"If-None-Match": tag}).status_code == 200  # another query


def test_list_etag_names_the_normalised_query(api):
    new_client(api)
    a = api.get("/api/clients/?limit=5&ordering=name")["ETag"]
    assert api.get("/api/clients/?ordering=name&limit=5")["ETag"] == a
    assert api.get("/api/clients/?ordering=-name&limit=5")["ETag"] != a
    assert api.get("/api/clients/?ordering=name&limit=5", headers={"Accept": "text/html"})["ETag"] != a


def test_a_write_moves_the_list_etag_and_the_next_list_shows_it(api):
    new_client(api, name="Before")
    first = api.get("/api/clients/")
    tag = first["ETag"]
    created = new_client(api, name="After")
    changed = api.get("/api/clients/", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert created["id"] in [c["id"] for c in changed.json()["results"]]


def test_an_unchanged_list_page_is_sent_from_the_render_cache(api, serialised):
    for i in range(3):
        new_client(api, name=f"C{i}")
    first = api.get("/api/clients/?limit=2")
    serialised.clear()
    second = api.get("/api/clients/?limit=2")
    assert second.status_code == 200 and second.content == first.content and serialised == []
    assert second["ETag"] == first["ETag"] and second["Content-Type"] == "application/json"
    assert "Accept" in second["Vary"]


def test_a_list_is_never_older_than_the_version_read_in_the_same_request(api, serialised):
    created = new_client(api, name="Old name")
    api.get("/api/clients/")
    # A write through another process (its own Collection on the same backend): only Redis knows.
    other = type(Client.storage())(Client.storage().spec, Client.storage().backend)
    other.update(created["id"], {**_fields(created), "name": "New name"})
    listed = api.get("/api/clients/").json()["results"]
    assert [c["name"] for c in listed] == ["New name"]


def test_an_unchanged_detail_is_sent_from_the_render_cache_and_a_new_version_is_rebuilt(api, serialised):
    created = new_client(api)
    url = f"/api/clients/{created['id']}/"
    first = api.get(url)
    serialised.clear()
    assert api.get(url).content == first.content and serialised == []
    other = type(Client.storage())(Client.storage().spec, Client.storage().backend)
    other.update(created["id"], {**_fields(created), "name": "Renamed elsewhere"})
    fresh = api.get(url)
    assert fresh.json()["name"] == "Renamed elsewhere" and fresh["ETag"] == '"2"' and serialised == [created["id"]]


def test_only_json_is_kept_the_browsable_api_is_rendered_each_time(api, serialised):
    created = new_client(api)
    serialised.clear()
    counts = []
    for _ in range(2):
        assert api.get(f"/api/clients/{created['id']}/", headers={"Accept": "text/html"}).status_code == 200
        counts.append(len(serialised))
    assert counts[0] > 0 and counts[1] == 2 * counts[0]  # the second page was built again
    before = len(render_cache.cache)
    api.get("/api/clients/", headers={"Accept": "text/html"})
    assert len(render_cache.cache) == before


def test_errors_and_writes_are_not_kept(api):
    assert api.get("/api/clients/?limit=0").status_code == 400
    assert api.get("/api/clients/client_missing/").status_code == 404
    post_json(api, "/api/clients/", {"name": "X"})
    assert len(render_cache.cache) == 0


def test_the_render_cache_is_bounded_by_bytes_least_recently_used_out():
    cache = RenderCache(max_bytes=10)
    cache.put("a", "application/json", b"12345")
    cache.put("b", "application/json", b"12345")
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", "application/json", b"123")
    assert cache.get("b") is None and cache.get("a") and cache.get("c") and cache.size == 8
    cache.put("huge", "application/json", b"x" * 11)
    assert cache.get("huge") is None and cache.size == 8


def _fields(record):
    return {k: v for k, v in record.items() if k not in ("id", "version", "created_at", "updated_at")}
