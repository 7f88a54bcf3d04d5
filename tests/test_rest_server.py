"""The REST backend through the local Upstash-compatible server to a real redis-server: tokens,
read-only tokens, the sync token, NOSCRIPT, faults and recovery; and the server's own protocol."""

import base64
import json
import secrets
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from storage import retry
from storage.backends.rest import RestBackend
from storage.collection import Collection
from storage.errors import ConfigurationError, StorageUnavailable
from tests.test_storage_contract import CLIENTS, client_fields
from tests.upstash_server import UpstashServer


@pytest.fixture
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(retry, "DELAYS", (0, 0))


def keys_under(redis_server, prefix):
    return sorted(redis_server.client().scan_iter(match=f"{{{prefix}}}:*"))


def test_a_refused_token_is_a_configuration_error(rest_server, prefix):
    backend = RestBackend(rest_server.url, "wrong-token", prefix)
    with pytest.raises(ConfigurationError, match="refused the token"):
        backend.ping()


def test_read_only_token_reads_but_the_first_write_says_why_it_fails(redis_server, rest_server, prefix):
    user, password = f"ro-{prefix}", secrets.token_hex(8)
    # Upstash's read-only token: read commands only (and the transactions that group them).
    redis_server.client().acl_setuser(
        user, enabled=True, passwords=[f"+{password}"], keys=["*"], commands=["+@read", "+@transaction", "+ping"]
    )
    backend = RestBackend(rest_server.url, rest_server.add_token(user, password), prefix)
    clients = Collection(CLIENTS, backend)
    assert clients.all() == ()  # reads work
    with pytest.raises(ConfigurationError, match="read-only token"):
        clients.create(client_fields())
    assert keys_under(redis_server, prefix) == []
    assert clients.all() == ()
    written = Collection(CLIENTS, RestBackend(rest_server.url, rest_server.token, prefix)).create(client_fields())
    assert [r["id"] for r in clients.all()] == [written["id"]]  # a cached list catches up with read commands


def test_sync_token_of_each_reply_is_sent_with_the_next_request(rest_server, prefix):
    backend = RestBackend(rest_server.url, rest_server.token, prefix)
    first = len(rest_server.received_sync_tokens)
    backend.call("SET", f"{{{prefix}}}:k", "v")
    given = backend.sync_token
    assert given and given.startswith("sync-")
    assert backend.call("GET", f"{{{prefix}}}:k") == "v"
    assert rest_server.received_sync_tokens[first:] == [None, given]


def test_a_write_after_script_flush_loads_the_script_with_eval(redis_server, rest_store):
    clients = rest_store.collection("clients")
    clients.create(client_fields(name="Before"))
    redis_server.client().script_flush()
    record = clients.create(client_fields(name="After"))
    assert clients.get(record["id"])["name"] == "After"


def test_a_503_then_success_applies_the_write_once(rest_server, rest_store, no_retry_delay):
    clients = rest_store.collection("clients")
    rest_server.fail_next(503, "<html>Service Unavailable</html>", "text/html")
    record = clients.create(client_fields())
    assert record["version"] == 1
    assert clients.count() == 1 and clients.backend.version("clients") == 1


def test_a_write_whose_reply_was_lost_is_retried_and_applied_once(rest_server, rest_store, no_retry_delay):
    clients = rest_store.collection("clients")
    record = clients.create(client_fields())
    rest_server.fail_next(502, "<html>Bad Gateway</html>", "text/html", after_running=True)
    updated = clients.update(record["id"], client_fields(name="Once"), expected_version=1)
    assert updated["version"] == 2  # the retry recognised its own write: no false conflict
    assert clients.backend.version("clients") == 2
    assert clients.get(record["id"])["name"] == "Once"


def test_threads_sharing_one_rest_backend_lose_no_write(rest_store):
    clients = rest_store.collection("clients")

    def create_five(n):
        return [clients.create(client_fields(name=f"T{n}-{i}"))["id"] for i in range(5)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = [i for batch in pool.map(create_five, range(8)) for i in batch]
    assert len(set(ids)) == 40
    assert clients.count() == 40 and clients.backend.version("clients") == 40
    assert sorted(r["id"] for r in Collection(CLIENTS, clients.backend).all()) == sorted(ids)


def test_redis_down_behind_the_api_is_unavailable_then_heals(own_redis_server, prefix, no_retry_delay):
    server = UpstashServer(own_redis_server.port).start()
    try:
        clients = Collection(CLIENTS, RestBackend(server.url, server.token, prefix))
        clients.create(client_fields())
        own_redis_server.kill()
        with pytest.raises(StorageUnavailable):
            clients.create(client_fields(name="Lost"))
        own_redis_server.start()
        clients.create(client_fields(name="Back"))
        assert [r["name"] for r in clients.all()] == ["Back"]  # kill -9 without persistence: a new, empty Redis
    finally:
        server.close()


def b64(text):
    return base64.b64encode(text.encode()).decode()


def test_the_local_server_speaks_the_documented_protocol(rest_server, prefix):
    key = f"{{{prefix}}}:p"
    auth = {"Authorization": f"Bearer {rest_server.token}"}
    encoded = dict(auth, **{"Upstash-Encoding": "base64"})
    with httpx.Client(base_url=rest_server.url) as http:
        assert http.post("/", json=["PING"]).status_code == 401
        assert http.post("/", json=["SET", key, "v"], headers=encoded).json() == {"result": "OK"}
        assert http.post("/", json=["GET", key], headers=encoded).json() == {"result": b64("v")}
        assert http.post("/", json=["GET", key], headers=auth).json() == {"result": "v"}
        failed = http.post("/", json=["INCR", key], headers=auth)
        assert failed.status_code == 400 and failed.json()["error"].startswith("ERR ")
        piped = http.post("/pipeline", json=[["INCR", key], ["GET", key]], headers=encoded)
        assert piped.status_code == 200
        assert piped.json()[0]["error"].startswith("ERR ") and piped.json()[1] == {"result": b64("v")}
        atomic = http.post("/multi-exec", json=[["SET", key, "w"], ["INCR", key], ["LRANGE", key, 0, 1]], headers=auth)
        assert atomic.status_code == 200 and atomic.json()[0] == {"result": "OK"}
        assert atomic.json()[1]["error"].startswith("ERR ") and atomic.json()[2]["error"].startswith("WRONGTYPE")
        aborted = http.post("/multi-exec", json=[["SET", key, "x"], ["NOSUCHCOMMAND"]], headers=auth)
        assert aborted.status_code == 400 and aborted.json()["error"].startswith("EXECABORT")
        assert http.post("/", json=["GET", key], headers=auth).json() == {"result": "w"}  # nothing of the aborted one
        nested = http.post("/", json=["EVAL", "return {'a', {'b', 1}}", 0], headers=encoded)
        assert nested.json() == {"result": [b64("a"), [b64("b"), 1]]}
        assert http.post("/", content=b"not json", headers=auth).status_code == 400
        assert "upstash-sync-token" in failed.headers
        assert json.loads(http.post("/", json=["PING"], headers=encoded).content) == {"result": b64("PONG")}


def test_the_rate_counter_counts_reads_and_starts_at_zero(rest_server, prefix):
    backend = RestBackend(rest_server.url, rest_server.token, prefix)
    assert backend.counted("login") == 0 and backend.hits("login") == (0, 0)
    assert [backend.hit("login", 60)[0] for _ in range(2)] == [1, 2]
    count, left = backend.hits("login")
    assert backend.counted("login") == count == 2 and 0 < left <= 60
