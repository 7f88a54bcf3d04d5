"""Hostile ids and values: glob characters, `:` and `{}` (key-namespace escape), `../`,
10 kB ids, non-UTF-8 bytes, lone surrogates, deeply nested JSON, 20 MB bodies, huge limit / offset,
NUL bytes. Each bad one gets a 4xx (never a 5xx); odd but valid text is stored as data. Afterwards
every key in the test Redis and every file in the data directory is listed: nothing was written
outside the key prefix or the data directory."""

import json
from pathlib import Path

import pytest

from tests.api.conftest import ALL_PERMS
from tests.api.helpers import new_client, new_session
from tests.conftest import make_backend
from tests.figures import record

ESCAPES = ["a*b", "a?b", "[ab]", "{x}", "a:b", "app}:clients:x", "..", "../../etc/passwd", "x" * 10_000]
URL_IDS = [
    "a*b",
    "a%3Fb",
    "%5Bab%5D",
    "%7Bx%7D",
    "a:b",
    "%7Bapp%7D:clients:x",
    "..%2F..%2Fetc%2Fpasswd",
    "..",
    "x" * 10_000,
    "%ff%fe",
    "a%00b",
    "%ud800",
    "client_" + "%e9" * 3,
]
TALLY = {"inputs": 0, "by_status": {}}


def tried(response, *allowed, label=""):
    TALLY["inputs"] += 1
    code = str(response.status_code)
    TALLY["by_status"][code] = TALLY["by_status"].get(code, 0) + 1
    assert response.status_code < 500, response.content[:300]
    if allowed:
        assert response.status_code in allowed, (label, response.status_code, response.content[:300])
    return response


def deep(depth):
    return "[" * depth + "]" * depth


def hostile_bodies(client_id):
    """{"any"|"client"|"session": [(raw body, content type)]}: each must be refused with a 4xx."""
    js = "application/json"
    start = '"title": "t", "starts_at": "2026-12-01T10:00:00Z"'
    return {
        "any": [
            (b'{"name": "\xff\xfe bad bytes", "title": "\xff"}', js),
            ('{"name": "n", "tags": ' + deep(50_000) + "}", js),
            (deep(100_000), js),
            ("{" * 100_000, js),
            ('{"name": ' + "9" * 5000 + ', "title": ' + "9" * 5000 + "}", js),
            (b"\x00\x01\x02", "application/octet-stream"),
        ],
        "client": [
            ('{"name": "nul \\u0000 inside"}', js),
            ('{"name": "lone \\ud800 surrogate"}', js),
            ('{"name": "n", "tags": [' + ",".join(['"t"'] * 5000) + "]}", js),
            ('{"name": "n", "is_active": 1e999}', js),
            ('{"name": "' + "n" * 10_000 + '"}', js),
            ('{"name": {"$gt": ""}}', js),
            ('{"name": ["a"]}', js),
            ('{"name": "n", "email": "a@b.c\\u0000"}', js),
        ],
        "session": [
            ('{"client_id": "../x", ' + start + "}", js),
            ('{"client_id": "{app}:clients:x", ' + start + "}", js),
            ('{"client_id": "' + client_id + '*", ' + start + "}", js),
            ('{"client_id": "' + "c" * 10_000 + '", ' + start + "}", js),
            ('{"client_id": "' + client_id + '", "title": "t\\u0000", "starts_at": "2026-12-01T10:00:00Z"}', js),
            ('{"client_id": "' + client_id + '", "title": "t", "starts_at": "9999999-01-01"}', js),
            ('{"client_id": "' + client_id + '", ' + start + ', "duration_minutes": 1e308}', js),
            ('{"client_id": "' + client_id + '", ' + start + ', "status": "*"}', js),
        ],
    }


QUERIES = [
    "limit=" + "9" * 400,
    "offset=" + "9" * 400,
    "limit=1e9",
    "offset=-0x10",
    "limit=%00",
    "ordering=name%00",
    "ordering=%2A",
]
CLIENT_QUERIES = ["is_active=%ff", "search=" + "*" * 201, "search=a%00b"]
SESSION_QUERIES = ["client_id=" + "c" * 10_000, "status=%2A", "starts_after=%00", "starts_before=9999999-01-01"]


def odd_text_is_stored_as_data(http):
    """Odd but valid text is data: stored verbatim, under the prefix, readable back."""
    for text in ESCAPES[:-1]:
        made = tried(
            http.post("/api/clients/", {"name": text[:200], "notes": text}, content_type="application/json"), 201
        )
        assert http.get(f"/api/clients/{made.json()['id']}/").json()["notes"] == text
    for text in ("*", "{x}", "a:b", "../", "[a-z]", "%"):
        listed = tried(http.get("/api/clients/", {"search": text}), 200)
        assert all(text.lower() in (r["name"] + r["email"]).lower() for r in listed.json()["results"])


def hostile_ids_are_refused(http):
    """404, whatever the method, without a round trip (tests/api/test_errors.py)."""
    for record_id in URL_IDS:
        for method in ("get", "put", "patch", "delete"):
            call = getattr(http, method)
            tried(call(f"/api/clients/{record_id}/", {"name": "x"}, content_type="application/json"), 400, 404)
        tried(http.get(f"/api/sessions/{record_id}/"), 400, 404)
        tried(http.get(f"/api/clients/{record_id}/sessions/"), 400, 404)
        tried(http.get("/api/sessions/", {"client_id": record_id}), 200, 400)


def write_endpoints(client, session):
    """{"any"|"client"|"session": [(method, url)]}: every write that takes a body."""
    endpoints = {
        "client": [
            ("post", "/api/clients/"),
            ("put", f"/api/clients/{client['id']}/"),
            ("patch", f"/api/clients/{client['id']}/"),
        ],
        "session": [
            ("post", "/api/sessions/"),
            ("put", f"/api/sessions/{session['id']}/"),
            ("patch", f"/api/sessions/{session['id']}/"),
        ],
    }
    endpoints["any"] = endpoints["client"] + endpoints["session"]
    return endpoints


def hostile_bodies_are_refused(http, client, session):
    endpoints = write_endpoints(client, session)
    for kind, bodies in hostile_bodies(client["id"]).items():
        for body, content_type in bodies:
            for method, url in endpoints[kind]:
                response = getattr(http, method)(url, body, content_type=content_type)
                tried(response, 400, 413, label=(method, url, body[:80]))


def bodies_over_the_limit_are_refused_before_parsing(http, client):
    huge = b'{"name": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    tried(http.post("/api/clients/", huge, content_type="application/json"), 413)
    tried(http.put(f"/api/clients/{client['id']}/", huge, content_type="application/json"), 413)


def hostile_queries_and_headers_are_refused(http, client):
    for query in QUERIES + CLIENT_QUERIES:
        tried(http.get(f"/api/clients/?{query}"), 400, label=query[:80])
    for query in QUERIES + SESSION_QUERIES:
        tried(http.get(f"/api/sessions/?{query}"), 400, label=query[:80])
    for header in ('"1\x00"', '"' + "9" * 10_000 + '"', "*, *", "W/", '"1", garbage'):
        tried(
            http.patch(
                f"/api/clients/{client['id']}/",
                {"notes": "n"},
                content_type="application/json",
                headers={"If-Match": header},
            ),
            400,
            412,
        )
    tried(http.get("/api/database/verify-redis", {"limit": "9" * 400}), 400, 403)


def only_the_valid_records_were_written(api_store, client, session):
    """The two records made first and the valid-text ones, the first two unchanged."""
    clients = api_store.collection("clients").all()
    assert len(clients) == 1 + len(ESCAPES) - 1
    assert api_store.collection("clients").get(client["id"])["version"] == 1
    assert api_store.collection("sessions").get(session["id"])["version"] == 1


def run_hostile_requests(http, api_store):
    TALLY.update(inputs=0, by_status={})
    client = new_client(http)
    session = new_session(http, client["id"])
    odd_text_is_stored_as_data(http)
    hostile_ids_are_refused(http)
    hostile_bodies_are_refused(http, client, session)
    bodies_over_the_limit_are_refused_before_parsing(http, client)
    hostile_queries_and_headers_are_refused(http, client)
    only_the_valid_records_were_written(api_store, client, session)


@pytest.fixture
def editor(make_user, as_user):
    return as_user(make_user("editor", ALL_PERMS + ["view_client"]))


def test_hostile_input_on_redis_stays_under_the_key_prefix(redis_server, prefix, use_store, editor):
    before = set(redis_server.client().keys("*"))
    store = use_store(make_backend("redis", prefix, redis_server=redis_server))
    run_hostile_requests(editor, store)
    written = set(redis_server.client().keys("*")) - before
    assert written and all(key.startswith(f"{{{prefix}}}:") for key in written), sorted(written)[:20]
    ids = [key.split(":")[-1] for key in written if key.startswith(f"{{{prefix}}}:clients:client_")]
    assert len(ids) == len(ESCAPES)
    record("hostile_input", backend="redis", keys_written=len(written), **TALLY)


def test_hostile_input_on_json_files_stays_in_the_data_directory(tmp_path, prefix, use_store, editor):
    data_dir = tmp_path / "data"
    outside = tmp_path / "outside"
    outside.mkdir()
    store = use_store(make_backend("jsonfile", prefix, tmp_path=data_dir))
    run_hostile_requests(editor, store)
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert files == [Path("data", prefix, name) for name in (".lock", "clients.json", "sessions.json")], files
    assert not any(outside.iterdir())
    assert json.loads((data_dir / prefix / "clients.json").read_text())["version"] == len(ESCAPES)
    record("hostile_input_jsonfile", backend="jsonfile", files=len(files), **TALLY)
