"""A stored record that doesn't parse never breaks a response: its detail is a JSON error naming it
and verify_redis; lists and counts serve the other records and flag the one left out; health says so."""

import pytest

from diagnostics import checks
from storage.store import get_store

from .helpers import new_client

JUNK = "client_junk"


@pytest.fixture
def junk(api, api_store):
    """Two good clients and one key that holds no JSON, indexed like a record (a hand-made SET)."""
    good = [new_client(api, name=f"Good {n}", email=f"good{n}@example.org")["id"] for n in (1, 2)]
    backend = api_store.backend
    keys = backend.keys
    backend.call("SET", keys.record("clients", JUNK), "not json")
    backend.call("ZADD", keys.index("clients"), 1, JUNK)
    backend.call("INCR", keys.version("clients"))
    return good


def test_detail_of_an_unparsable_record_is_a_json_error_naming_it(api, junk):
    response = api.get(f"/api/clients/{JUNK}/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "unparsable_record" and body["id"] == JUNK
    assert JUNK in body["detail"] and "verify_redis" in body["detail"]


def test_lists_and_counts_serve_the_other_records_flagged(api, junk):
    response = api.get("/api/clients/")
    assert response.status_code == 200
    body = response.json()
    assert sorted(r["id"] for r in body["results"]) == sorted(junk)
    assert body["count"] == 2
    assert response["X-Storage-Unparsable"] == f"clients:{JUNK}"
    # a list with nothing left out carries no flag
    assert "X-Storage-Unparsable" not in api.get("/api/sessions/")


def test_health_reports_the_unparsable_record(api, junk):
    api.get("/api/clients/")
    result = checks.run_checks([checks.DataInRedis()])[0]
    assert result.status == checks.WARNING
    assert JUNK in result.message and "do not parse" in result.message
    assert result.values["collections"]["clients"]["unparsable"] == [JUNK]
    assert checks.report([result])["status"] == "degraded"


def test_a_repaired_record_is_served_again_and_no_longer_flagged(api, junk, api_store):
    api.get("/api/clients/")
    backend = api_store.backend
    backend.call("DEL", backend.keys.record("clients", JUNK))
    backend.call("ZREM", backend.keys.index("clients"), JUNK)
    backend.call("INCR", backend.keys.version("clients"))
    get_store().collection("clients").get(JUNK)  # a detail read of the now-absent record
    response = api.get("/api/clients/")
    assert "X-Storage-Unparsable" not in response
    assert get_store().collection("clients").unparsable == set()
