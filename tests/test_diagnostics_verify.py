"""verify_redis on a real Redis: every problem kind, injected by hand, is found; --repair fixes
what is safe; a second verify is clean."""

import pytest

from storage.backends.base import Fix
from storage.store import get_store
from tests.diag_helpers import keys, kinds, make_client, make_session, run, run_json, unique_entries
from tests.paged_edits import add_entry, entry_score, remove_entry


@pytest.fixture
def raw(redis_server):
    return redis_server.client()


@pytest.fixture
def data(redis_store, prefix):
    client = make_client()
    session = make_session(client["id"])
    return {"client": client["id"], "session": session["id"], "k": keys(prefix)}


def verify_json(*args):
    return run_json("verify_redis", *args)


def test_clean_store_is_consistent_and_lists_key_families(data):
    code, report, _ = verify_json()
    assert code == 0
    assert report["consistent"] is True
    clients = report["collections"]["clients"]
    assert clients["records"]["count"] == 1
    assert clients["index"] == {"present": True, "entries": 1}
    assert clients["unique"]["email"]["entries"] == 1
    assert report["collections"]["sessions"]["by"]["client_id"]["entries"] == 1
    assert data["k"].creation("clients") + ":dir" in report["keys"]["clients"]


def test_index_entry_without_record_is_found_and_repaired(data, raw):
    add_entry(raw, data["k"].creation("clients"), "client_ghost", 1)
    code, report, _ = verify_json()
    assert code == 1
    problem = next(p for p in report["problems"] if p["kind"] == "index_without_record")
    assert problem["ids"] == ["client_ghost"] and problem["fix"]
    code, result, _ = verify_json("--repair")
    assert code == 0
    assert result["applied"] == 1
    assert entry_score(raw, data["k"].creation("clients"), "client_ghost") is None
    assert verify_json()[0] == 0


def test_record_missing_from_its_indexes_is_found_and_reindexed(data, raw):
    k = data["k"]
    remove_entry(raw, k.creation("clients"), data["client"])
    raw.hdel(k.unique_bucket("clients", "email", "jeanne@example.com"), "jeanne@example.com")
    raw.hdel(k.by("sessions", "client_id", data["client"]), data["session"])
    code, report, _ = verify_json()
    assert code == 1
    assert {("record_not_indexed", "clients"), ("record_not_indexed", "sessions")} <= kinds(report)
    assert verify_json("--repair")[0] == 0
    assert entry_score(raw, k.creation("clients"), data["client"]) is not None
    assert raw.hget(k.unique_bucket("clients", "email", "jeanne@example.com"), "jeanne@example.com") == data["client"]
    assert raw.hexists(k.by("sessions", "client_id", data["client"]), data["session"])
    assert get_store().collection("clients").count() == 1
    assert verify_json()[0] == 0


def test_session_whose_client_is_gone_is_reported_then_deleted_with_delete_orphans(data, raw):
    k = data["k"]
    raw.delete(k.record("clients", data["client"]))  # the client vanished behind the scripts' back
    code, report, _ = verify_json()
    assert code == 1
    dangling = next(p for p in report["problems"] if p["kind"] == "dangling_reference")
    assert dangling["ids"] == [data["session"]]
    assert "--delete-orphans" in dangling["fix"]
    code, result, _ = verify_json("--repair")
    assert code == 1  # the orphan is reported, not deleted
    assert raw.exists(k.record("sessions", data["session"]))
    assert {p["kind"] for p in result["after"]["problems"]} == {"dangling_reference"}
    code, result, _ = verify_json("--repair", "--delete-orphans")
    assert code == 0
    assert not raw.exists(k.record("sessions", data["session"]))
    assert verify_json()[0] == 0


@pytest.mark.parametrize("layout", ["buckets", "previous"])
def test_unique_entry_pointing_nowhere_is_found_and_dropped(data, raw, layout):
    k = data["k"]

    def where(value):  # the value's bucket, or the previous layout's single hash
        return k.unique_bucket("clients", "email", value) if layout == "buckets" else k.unique("clients", "email")

    raw.hset(where("ghost@example.com"), "ghost@example.com", "client_ghost")
    raw.hset(where("old@example.com"), "old@example.com", data["client"])  # a value the record no longer has
    code, report, _ = verify_json()
    problem = next(p for p in report["problems"] if p["kind"] == "unique_without_record")
    assert code == 1 and problem["count"] == 2
    assert verify_json("--repair")[0] == 0
    assert unique_entries(raw, k, "clients", "email") == {"jeanne@example.com": data["client"]}


def test_reference_index_entry_pointing_nowhere_is_found_and_dropped(data, raw):
    k = data["k"]
    raw.hset(k.by("sessions", "client_id", data["client"]), "session_ghost", "1")
    code, report, _ = verify_json()
    assert code == 1 and ("by_without_record", "sessions") in kinds(report)
    assert verify_json("--repair")[0] == 0
    assert raw.hkeys(k.by("sessions", "client_id", data["client"])) == [data["session"]]


def test_record_that_does_not_parse_is_reported_not_deleted(data, raw):
    k = data["k"]
    raw.set(k.record("clients", "client_bad"), "{not json")
    add_entry(raw, k.creation("clients"), "client_bad", 1)
    code, report, _ = verify_json()
    problem = next(p for p in report["problems"] if p["kind"] == "unparseable_record")
    assert code == 1 and problem["ids"] == ["client_bad"]
    assert report["collections"]["clients"]["records"]["unparseable"] == 1
    code, _, _ = verify_json("--repair")
    assert code == 1
    assert raw.get(k.record("clients", "client_bad")) == "{not json"  # never deleted automatically
    raw.delete(k.record("clients", "client_bad"))
    assert verify_json("--repair")[0] == 0  # then the dangling index entry goes
    assert verify_json()[0] == 0


def test_dry_run_changes_nothing(data, raw):
    add_entry(raw, data["k"].creation("clients"), "client_ghost", 1)
    code, result, _ = verify_json("--repair", "--dry-run")
    assert code == 1
    assert result["actions"][0]["result"] == "would apply"
    assert entry_score(raw, data["k"].creation("clients"), "client_ghost") == 1


def test_a_fix_planned_on_an_old_version_is_skipped(data, raw):
    """Repairs are atomic and re-check the record: a record written since the verify wins."""
    backend = get_store().backend
    remove_entry(raw, data["k"].creation("clients"), data["client"])
    stale = Fix("reindex", "clients", data["client"], expected_version=99, score=1)
    assert backend.repair(stale) == "changed"
    assert entry_score(raw, data["k"].creation("clients"), data["client"]) is None
    unindex_live_record = Fix("unindex", "clients", data["client"])  # planned as if it had no record
    assert backend.repair(unindex_live_record) == "changed"


def test_a_unique_entry_taken_over_since_the_verify_is_not_dropped(data, raw):
    """drop_unique was planned on an entry pointing nowhere; if a record took that value since, the
    entry names it now and stays (the repair re-checks whom the entry names)."""
    backend = get_store().backend
    unique = data["k"].unique_bucket("clients", "email", "jeanne@example.com")
    raw.hset(unique, "jeanne@example.com", data["client"])
    planned = Fix("drop_unique", "clients", "client_ghost", field="email", value="jeanne@example.com")
    assert backend.repair(planned) == "changed"
    assert raw.hget(unique, "jeanne@example.com") == data["client"]


def test_a_reindex_never_indexes_a_record_that_is_not_there_or_whose_value_is_taken(data, raw):
    backend, k = get_store().backend, data["k"]
    ghost = Fix("reindex", "clients", "client_ghost", expected_version=-1, score=1, unique=(("email", "g@x.org"),))
    assert backend.repair(ghost) == "changed"  # planned with no record: nothing to index
    assert (
        entry_score(raw, k.creation("clients"), "client_ghost") is None
        and unique_entries(raw, k, "clients", "email").get("g@x.org") is None
    )
    other = get_store().collection("clients").create({"name": "Other", "email": "other@example.com"})
    remove_entry(raw, k.creation("clients"), data["client"])
    taken = Fix(
        "reindex", "clients", data["client"], expected_version=1, score=1, unique=(("email", "other@example.com"),)
    )
    assert backend.repair(taken) == f"conflict: its email belongs to {other['id']}"
    assert raw.hget(k.unique_bucket("clients", "email", "other@example.com"), "other@example.com") == other["id"]
    assert entry_score(raw, k.creation("clients"), data["client"]) is None  # all or nothing


def test_repair_bumps_the_collection_version_so_caches_notice(data, raw):
    clients = get_store().collection("clients")
    clients.all()
    before = clients.cache.version
    add_entry(raw, data["k"].creation("clients"), "client_ghost", 1)
    assert verify_json("--repair")[0] == 0
    assert int(raw.get(data["k"].version("clients"))) == before + 1


def test_text_report_names_problem_and_fix(data, raw):
    add_entry(raw, data["k"].creation("clients"), "client_ghost", 1)
    code, out, _ = run("verify_redis")
    assert code == 1
    assert "[FAIL] Index entries without a record" in out and "client_ghost" in out and "fix:" in out


def test_limit_caps_the_ids_listed(data, raw):
    for i in range(5):
        add_entry(raw, data["k"].creation("clients"), f"client_ghost{i}", i)
    code, report, _ = verify_json("--limit", "2")
    problem = next(p for p in report["problems"] if p["kind"] == "index_without_record")
    assert problem["count"] == 5 and len(problem["ids"]) == 2 and problem["truncated"] is True
    assert run("verify_redis", "--limit", "zero")[0] == 2


def test_could_not_run_when_redis_is_down(own_redis_server, prefix, use_store):
    from tests.conftest import make_backend

    use_store(make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5, connect_timeout=0.5))
    own_redis_server.stop()
    code, out, _ = run_json("verify_redis")
    assert code == 2 and "StorageUnavailable" in out["error"]


def test_jsonfile_verifies_but_does_not_repair(tmp_path, prefix, use_store):
    from tests.conftest import make_backend

    use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    make_session(make_client()["id"])
    code, report, _ = verify_json()
    assert code == 0 and report["collections"]["sessions"]["records"]["count"] == 1
    code, _, err = run("verify_redis", "--repair")
    assert code == 2 and "not applicable" in err  # what could not run is said on stderr
