"""The diagnostic commands: exit codes, terminal vs JSON output, export / import / migration."""

import json

import pytest

from storage.cache import thaw
from storage.store import Store, get_store
from tests.conftest import make_backend
from tests.diag_helpers import TTY, make_client, make_session, run, run_json
from tests.hand_edits import plant_unparsable


@pytest.fixture
def on_redis(use_store, prefix, monkeypatch, redis_server):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    return use_store(make_backend("redis", prefix, redis_server=redis_server))


@pytest.fixture
def down(own_redis_server, prefix, use_store):
    store = use_store(make_backend("redis", prefix, redis_server=own_redis_server, socket_timeout=0.5))
    own_redis_server.stop()
    return store


# health
def test_health_exit_0_when_degraded_with_plain_text_off_a_terminal(on_redis):
    code, out, _ = run("health")
    assert code == 0
    assert "[WARN] Health: degraded" in out and "[PASS] Storage backend answers (redis_available, critical)" in out
    assert "✅" not in out


def test_health_uses_emoji_on_a_terminal_unless_no_color(on_redis, monkeypatch):
    code, out, _ = run("health", tty=True)
    assert code == 0 and "✅ Storage backend answers (redis_available" in out and "⚠️" in out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "✅" not in run("health", tty=True)[1]


def test_health_exit_1_when_unhealthy_and_json_alone_on_stdout(down):
    code, report, _ = run_json("health")
    assert code == 1 and report["status"] == "unhealthy"


def test_health_exit_2_when_asked_for_an_unknown_check(on_redis):
    code, _, err = run("health", "--check", "nope")
    assert code == 2 and "Unknown check" in err
    code, report, _ = run_json("health", "--check", "redis_available")
    assert code == 0 and list(report["checks"]) == ["redis_available"]


# verify_redis exit codes are covered in test_diagnostics_verify.py (0, 1, 2).


# check_sessions
def test_check_sessions_exit_0_when_memory_agrees(on_redis):
    session = make_session(make_client()["id"])
    code, result, _ = run_json("check_sessions", "--load")
    assert code == 0 and result["consistent"] is True
    assert result["backend"]["count"] == result["memory"]["count"] == 1
    assert result["sessions"][0]["id"] == session["id"]
    assert result["sessions"][0]["client_name"] == "Jeanne Dupont"


def test_check_sessions_exit_1_lists_differences(on_redis, prefix, redis_server):
    client = make_client()
    first = make_session(client["id"], "First")
    sessions = get_store().collection("sessions")
    sessions.all()  # this process's memory: one session
    other = Store(make_backend("redis", prefix, redis_server=redis_server)).collection("sessions")  # another worker
    second = other.create({**thaw(first), "title": "Second", "id": None})
    other.update(first["id"], {**thaw(first), "title": "Renamed"})
    code, result, _ = run_json("check_sessions")
    assert code == 1 and result["consistent"] is False
    assert result["differences"]["only_in_backend"] == [second["id"]]
    assert result["differences"]["different_versions"] == [
        {"id": first["id"], "backend_version": 2, "memory_version": 1}
    ]
    code, out, _ = run("check_sessions")
    assert code == 1 and "[FAIL] Only in the backend: 1" in out


def test_check_sessions_exit_2_when_redis_is_down(down):
    code, result, _ = run_json("check_sessions")
    assert code == 2 and "StorageUnavailable" in result["error"]
    target = down.backend.describe()["target"]
    assert result["error"].startswith(f"the redis backend at {target} could not be reached: ")


def test_import_data_of_an_empty_file_exit_2_when_redis_is_down(down, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, result, _ = run_json("import_data", str(empty))
    assert code == 2 and "StorageUnavailable" in result["error"]  # not "0 record(s) created"


# export / import
def records_of(store):
    return {name: [thaw(r) for r in store.collection(name).all()] for name in ("clients", "sessions")}


def test_export_then_import_into_an_empty_prefix_gives_identical_records(on_redis, redis_server, use_store, tmp_path):
    client = make_client()
    make_client("Paul Martin", "paul@example.com")
    session = make_session(client["id"])
    get_store().collection("sessions").update(session["id"], {**thaw(session), "title": "Updated"})
    original = records_of(get_store())
    path = tmp_path / "export.jsonl"
    code, _, err = run("export_data", "--output", str(path))
    assert code == 0 and "Exported 3 record(s): 2 clients, 1 sessions" in err
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["collection"] for line in lines] == ["clients", "clients", "sessions"]

    empty = use_store(make_backend("redis", "t-import-" + client["id"][-8:].lower(), redis_server=redis_server))
    code, report, _ = run_json("import_data", str(path))
    assert code == 0 and report["created"] == 3 and report["errors"] == []
    assert records_of(empty) == original  # ids, timestamps and versions kept
    code, report, _ = run_json("import_data", str(path))  # idempotent
    assert code == 0 and report["created"] == 0 and report["unchanged"] == 3
    assert run("verify_redis")[0] == 0


def test_export_to_stdout(on_redis):
    make_client()
    code, out, _ = run("export_data")
    assert code == 0 and json.loads(out.splitlines()[0])["record"]["name"] == "Jeanne Dupont"


def test_export_names_the_records_it_left_out_because_they_do_not_parse(on_redis, tmp_path):
    make_client()
    plant_unparsable(get_store(), "clients", "client_junk")
    path = tmp_path / "export.jsonl"
    code, _, err = run("export_data", "--output", str(path))
    assert code == 1
    assert "Exported 1 record(s): 1 clients" in err
    assert "Left out 1 stored record(s) that do not parse: clients:client_junk" in err and "verify_redis" in err
    assert [json.loads(line)["record"]["name"] for line in path.read_text().splitlines()] == ["Jeanne Dupont"]


def test_export_of_a_collection_larger_than_the_cache_has_every_record(on_redis, tmp_path):
    on_redis.max_records = 2  # the clients outgrow the cache: lists come from the index
    ids = [make_client(f"Client {n}", f"c{n}@example.org")["id"] for n in range(5)]
    plant_unparsable(on_redis, "clients", "client_junk")
    assert on_redis.collection("clients").all() is None
    path = tmp_path / "export.jsonl"
    code, _, err = run("export_data", "--output", str(path))
    assert code == 1 and "Exported 5 record(s): 5 clients" in err and "clients:client_junk" in err
    assert [json.loads(line)["record"]["id"] for line in path.read_text().splitlines()] == ids


def test_import_reports_bad_lines_by_number_and_keeps_the_good_ones(on_redis, tmp_path, monkeypatch):
    good = {"id": "client_good", "name": "Ok", "email": "ok@example.com", "created_at": "2026-01-01T00:00:00Z"}
    lines = [
        json.dumps({"collection": "clients", "record": good}),
        "{not json",
        json.dumps({"collection": "clients", "record": {**good, "id": "client_bad_email", "email": "nope"}}),
        "",
        json.dumps({"collection": "nothing", "record": {}}),
        json.dumps(
            {
                "collection": "sessions",
                "record": {
                    "id": "session_x",
                    "client_id": "client_missing",
                    "title": "T",
                    "starts_at": "2026-01-01T10:00:00Z",
                    "created_at": "2026-01-01T00:00:00Z",
                },
            }
        ),
        json.dumps({"collection": "clients", "record": {**good, "id": "bad id!"}}),
        json.dumps({"collection": "clients", "record": {**good, "id": "client_dup", "email": "OK@example.com"}}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    stderr = TTY()
    monkeypatch.setattr("sys.stderr", stderr)
    code, report, _ = run_json("import_data", str(path))
    assert code == 1
    assert report["created"] == 1
    errors = {e["line"]: e["message"] for e in report["errors"]}
    assert set(errors) == {2, 3, 5, 6, 7, 8}
    assert "not JSON" in errors[2]
    assert "email" in errors[3]
    assert "unknown collection" in errors[5]
    assert "client_missing" in errors[6] and "does not exist" in errors[6]
    assert "id" in errors[7]
    assert "already exists" in errors[8]
    assert get_store().collection("clients").get("client_good")["created_at"] == "2026-01-01T00:00:00.000000Z"
    assert "6/6" in stderr.getvalue()  # the progress bar over the records, on a terminal only


def test_import_exit_2_when_the_file_cannot_be_read(on_redis, tmp_path):
    code, _, err = run("import_data", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "Cannot read" in err


def test_import_keeps_the_stored_record_when_the_file_differs(on_redis, tmp_path):
    client = make_client()
    changed = {**thaw(client), "name": "Someone else"}
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"collection": "clients", "record": changed}) + "\n")
    code, report, _ = run_json("import_data", str(path))
    assert code == 0 and report["conflicts"][0]["id"] == client["id"]
    assert get_store().collection("clients").get(client["id"])["name"] == "Jeanne Dupont"


# migrate_json_to_redis
def test_migrate_json_to_redis_copies_idempotently(on_redis, prefix, tmp_path):
    source = Store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    client = source.collection("clients").create(
        {"name": "Local", "email": "local@example.com", "phone": "", "notes": "", "tags": [], "is_active": True}
    )
    source.collection("sessions").create(
        {
            "client_id": client["id"],
            "title": "Local session",
            "starts_at": "2026-12-01T10:00:00.000000Z",
            "duration_minutes": 30,
            "status": "scheduled",
            "location": "",
            "notes": "",
        }
    )
    args = ("migrate_json_to_redis", "--data-dir", str(tmp_path), "--prefix", prefix)
    code, report, _ = run_json(*args)
    assert code == 0 and report["created"] == 2
    assert records_of(get_store()) == records_of(source)
    code, report, _ = run_json(*args)
    assert code == 0 and report["created"] == 0 and report["unchanged"] == 2
    code, out, _ = run(*args)
    assert "[PASS] 2 record(s): 0 created, 2 unchanged, 0 conflict(s), 0 refused" in out


def test_migrate_refuses_when_the_target_is_jsonfile(tmp_path, prefix, use_store):
    use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    code, _, err = run("migrate_json_to_redis")
    assert code == 2 and "REDIS_URL" in err


def test_manage_py_health_in_a_process_exit_code_json_and_no_password(prefix, tmp_path):
    """The real command line: exit codes reach the shell, stdout is JSON alone, and neither the
    output nor the startup logs show the password of REDIS_URL."""
    import os
    import subprocess
    import sys

    from tests.redis_server import RedisServer

    password = "Pr0cess-s3cret-9d2e"
    server = RedisServer("--appendonly", "yes", password=password).start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "REDIS_URL": server.url,
        "STORAGE_BACKEND": "",
        "STORAGE_KEY_PREFIX": prefix,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "manage.py", "health", "--format", "json"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == "healthy"
        assert "Storage backend: redis" in done.stderr  # the startup log line is there, masked
        server.stop()
        down = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert down.returncode == 1 and json.loads(down.stdout)["status"] == "unhealthy"
        for text in (done.stdout, done.stderr, down.stdout, down.stderr):
            assert password not in text
    finally:
        server.close()
