"""import_data and migrate_json_to_redis: a bad line (bad encoding included) is refused with its
number and every error it has, never aborting the file; --format json always prints a JSON report;
the headline counts the refused lines; re-importing reports every line unchanged; an idempotent
skip is not logged as an error. check_sessions says what it compared."""

import json
import logging

import pytest

from storage.store import get_store
from tests.conftest import make_backend
from tests.diag_helpers import make_client, make_session, run, run_json


@pytest.fixture
def on_redis(use_store, prefix, monkeypatch, redis_server):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    return use_store(make_backend("redis", prefix, redis_server=redis_server))


def line(record, collection="clients"):
    return json.dumps({"collection": collection, "record": record}).encode()


HAND_WRITTEN = [  # no timestamps, no version: as a person writes them
    line({"id": "client_ana", "name": "Ana", "email": "ana@example.org"}),
    line({"id": "client_bo", "name": "Bo", "email": "bo@example.org", "tags": ["vip"]}),
]


def write(tmp_path, lines):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_a_line_that_is_not_utf8_is_refused_alone_with_its_number(on_redis, tmp_path):
    bad = b'{"collection": "clients", "record": {"id": "client_x", "name": "\xff"}}'
    path = write(tmp_path, [HAND_WRITTEN[0], bad, HAND_WRITTEN[1]])
    code, report, _ = run_json("import_data", str(path))
    assert code == 1
    assert report["created"] == 2
    assert [e["line"] for e in report["errors"]] == [2]
    assert "not UTF-8" in report["errors"][0]["message"] and "0xff" in report["errors"][0]["message"]


def test_every_error_of_a_line_is_reported(on_redis, tmp_path):
    path = write(tmp_path, [line({"name": "No id", "email": "not-an-email"})])
    code, report, _ = run_json("import_data", str(path))
    assert code == 1
    message = report["errors"][0]["message"]
    assert "id:" in message and "email:" in message


def test_json_format_prints_a_json_report_even_when_the_file_cannot_be_read(on_redis, tmp_path):
    code, out, _ = run("import_data", str(tmp_path / "missing.jsonl"), "--format", "json")
    assert code == 2
    assert "Cannot read" in json.loads(out)["error"]


def test_the_headline_counts_the_refused_lines(on_redis, tmp_path):
    path = write(tmp_path, [HAND_WRITTEN[0], b"{not json", b"[]", line({"id": "bad id!"})])
    code, out, _ = run("import_data", str(path))
    assert code == 1
    headline = out.splitlines()[0]
    assert headline == "[FAIL] 4 line(s): 1 created, 0 unchanged, 0 conflict(s), 3 refused"


def test_the_same_hand_written_file_twice_is_unchanged_and_logs_no_error(on_redis, tmp_path, caplog):
    path = write(tmp_path, HAND_WRITTEN)
    assert run_json("import_data", str(path))[1]["created"] == 2
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="storage"):
        code, report, _ = run_json("import_data", str(path))
    assert code == 0 and report["unchanged"] == 2 and report["conflicts"] == [] and report["created"] == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


def test_an_export_reimported_is_unchanged_and_logs_no_error(on_redis, tmp_path, caplog):
    make_session(make_client()["id"])
    export = tmp_path / "export.jsonl"
    assert run("export_data", "--output", str(export))[0] == 0
    with caplog.at_level(logging.INFO, logger="storage"):
        code, report, _ = run_json("import_data", str(export))
    assert code == 0 and report["unchanged"] == 2 and report["created"] == 0 and report["conflicts"] == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_migrate_refusal_is_json_with_json_format(tmp_path, prefix, use_store):
    use_store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    code, out, _ = run("migrate_json_to_redis", "--format", "json")
    assert code == 2 and "REDIS_URL" in json.loads(out)["error"]


def test_check_sessions_without_load_says_nothing_was_compared(on_redis):
    make_session(make_client()["id"])
    code, out, _ = run("check_sessions")
    assert code == 0
    assert "agree" not in out
    assert "[WARN] Nothing compared: this process has not loaded sessions yet" in out
    code, result, _ = run_json("check_sessions")
    assert result["compared"] is False


def test_check_sessions_with_load_says_what_it_compared(on_redis):
    make_session(make_client()["id"])
    code, out, _ = run("check_sessions", "--load")
    assert code == 0
    version = get_store().backend.version("sessions")
    expected = f"Compared 1 sessions in the backend (version {version}) with 1 in this process's memory"
    assert expected in out and "no difference" in out
