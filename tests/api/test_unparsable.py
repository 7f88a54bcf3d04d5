"""A stored record that doesn't parse never breaks a response: its detail is a JSON error naming it
and verify_redis; lists and counts serve the other records and flag the one left out; health says so."""

import json
import logging

import pytest

from diagnostics import checks
from storage.cache import parse
from storage.errors import InvalidRecord
from storage.store import get_store
from tests.hand_edits import plant_unparsable
from tests.paged_edits import remove_entry

from .helpers import new_client

JUNK = "client_junk"


@pytest.fixture
def junk(api, api_store):
    """Two good clients and one key that holds no JSON, indexed like a record (a hand-made SET)."""
    good = [new_client(api, name=f"Good {n}", email=f"good{n}@example.org")["id"] for n in (1, 2)]
    plant_unparsable(api_store, "clients", JUNK)
    return good


def test_detail_of_an_unparsable_record_is_a_json_error_naming_it(api, junk):
    response = api.get(f"/api/clients/{JUNK}/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "unparsable_record" and body["id"] == JUNK
    assert JUNK in body["detail"] and "verify_redis" in body["detail"]
    with pytest.raises(InvalidRecord) as why:
        parse("not json")
    assert (
        body["collection"] == "clients"
        and f"clients {JUNK!r} is stored but does not parse ({why.value})" in body["detail"]
    )


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
    remove_entry(backend, backend.keys.creation("clients"), JUNK)
    backend.call("INCR", backend.keys.version("clients"))
    get_store().collection("clients").get(JUNK)  # a detail read of the now-absent record
    response = api.get("/api/clients/")
    assert "X-Storage-Unparsable" not in response
    assert get_store().collection("clients").unparsable == set()


def test_a_record_left_out_of_a_list_is_one_error_line_naming_it_and_verify_redis(api, junk, caplog):
    caplog.set_level(logging.ERROR, logger="storage")
    api.get("/api/clients/")
    (line,) = caplog.records
    assert line.levelname == "ERROR" and line.fields == {"collection": "clients", "id": JUNK}
    assert line.getMessage().startswith(f"Skipping clients {JUNK}: stored but does not parse (")
    assert line.getMessage().endswith("); run manage.py verify_redis")


def test_a_record_rewritten_valid_is_listed_again_and_no_longer_flagged(api, junk, api_store):
    api.get("/api/clients/")  # loaded, the junk left out
    backend = api_store.backend
    keys = backend.keys
    repaired = json.loads(backend.call("GET", keys.record("clients", junk[0]))) | {"id": JUNK, "name": "Repaired"}
    backend.call("SET", keys.record("clients", JUNK), json.dumps(repaired))
    version = backend.call("INCR", keys.version("clients"))
    backend.call("ZADD", keys.changes("clients"), version, JUNK)  # as a write logs its change
    response = api.get("/api/clients/")
    assert JUNK in [r["id"] for r in response.json()["results"]]
    assert "X-Storage-Unparsable" not in response
    assert get_store().collection("clients").unparsable == set()


def test_a_detail_read_of_an_unparsable_record_is_one_error_line_and_enough_for_health(api, junk, caplog):
    caplog.set_level(logging.ERROR, logger="storage")
    detail = api.get(f"/api/clients/{JUNK}/").json()["detail"]
    (line,) = [r for r in caplog.records if r.name == "storage"]  # besides Django's own line for a 500
    assert (line.levelname, line.getMessage(), line.fields) == ("ERROR", detail, {"collection": "clients", "id": JUNK})
    result = checks.run_checks([checks.DataInRedis()])[0]
    assert result.values["collections"]["clients"]["unparsable"] == [JUNK]


def test_a_record_rewritten_valid_and_read_by_id_is_no_longer_flagged(api, junk, api_store):
    assert api.get(f"/api/clients/{JUNK}/").status_code == 500
    backend = api_store.backend
    keys = backend.keys
    repaired = json.loads(backend.call("GET", keys.record("clients", junk[0]))) | {"id": JUNK, "name": "Repaired"}
    backend.call("SET", keys.record("clients", JUNK), json.dumps(repaired))
    assert api.get(f"/api/clients/{JUNK}/").json()["name"] == "Repaired"
    assert get_store().collection("clients").unparsable == set()
