"""A response sent from the render cache is flagged as the response built for it would be: records
left out because they don't parse (X-Storage-Unparsable), memory served while Redis can't be
reached (X-Storage-Stale); on a kept 200 and on a 304 alike. The flags come from what the request
read, not from the kept bytes, so a kept page must not lose them."""

import pytest

from config.api import render_cache
from storage.backends.redis import RedisBackend
from tests.api.conftest import ALL_PERMS
from tests.api.helpers import new_client
from tests.fault_proxy import FaultProxy
from tests.paged_edits import add_entry

JUNK = "client_junk"
TIMEOUT = 0.15


@pytest.fixture
def editor(make_user, as_user):
    render_cache.cache.clear()
    return as_user(make_user("editor", ALL_PERMS))


@pytest.fixture
def proxy(redis_server, prefix, use_store):
    """The store reaches Redis through a fault proxy, serving stale memory when it can't (production's
    setting)."""
    proxy = FaultProxy(redis_server.port)
    url = f"redis://127.0.0.1:{proxy.port}/0"
    use_store(RedisBackend(url, prefix, socket_timeout=TIMEOUT, connect_timeout=TIMEOUT), stale_reads=True)
    yield proxy
    proxy.close()


def test_a_kept_list_page_and_its_304_keep_the_unparsable_flag(redis_store, editor, serialised):
    good = [new_client(editor, name=f"Good {n}")["id"] for n in (1, 2)]
    backend, keys = redis_store.backend, redis_store.backend.keys
    backend.call("SET", keys.record("clients", JUNK), "not json")
    add_entry(backend, keys.creation("clients"), JUNK, 1)
    backend.call("INCR", keys.version("clients"))
    built = editor.get("/api/clients/")
    assert built.status_code == 200 and built["X-Storage-Unparsable"] == f"clients:{JUNK}"
    assert sorted(c["id"] for c in built.json()["results"]) == sorted(good)
    serialised.clear()
    kept = editor.get("/api/clients/")
    assert kept.content == built.content and serialised == []  # sent from the render cache
    assert kept["X-Storage-Unparsable"] == f"clients:{JUNK}"
    unchanged = editor.get("/api/clients/", headers={"If-None-Match": built["ETag"]})
    assert unchanged.status_code == 304 and unchanged["X-Storage-Unparsable"] == f"clients:{JUNK}"


def test_kept_responses_and_304s_served_while_redis_is_down_are_flagged_stale(proxy, editor, serialised):
    created = new_client(editor)
    detail, listing = f"/api/clients/{created['id']}/", "/api/clients/"
    built = {url: editor.get(url) for url in (detail, listing)}
    assert all(r.status_code == 200 and "X-Storage-Stale" not in r for r in built.values())
    serialised.clear()
    proxy.set_mode("refuse")
    for url, fresh in built.items():
        kept = editor.get(url)
        assert kept.status_code == 200 and kept.content == fresh.content, url
        assert kept["X-Storage-Stale"] == "true", url
        unchanged = editor.get(url, headers={"If-None-Match": fresh["ETag"]})
        assert unchanged.status_code == 304 and unchanged["X-Storage-Stale"] == "true", url
    assert serialised == []  # every one of them from the render cache or answered before rendering
    proxy.set_mode("pass")
    for url, fresh in built.items():
        again = editor.get(url, headers={"If-None-Match": fresh["ETag"]})
        assert again.status_code == 304 and "X-Storage-Stale" not in again, url
