"""The JSON-file backend of local development (DEBUG) as the settings build it: where its files
live, its health on a fresh checkout and on a full disk, and its rate-limit counters file."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from diagnostics import checks
from storage.backends import jsonfile
from storage.backends.jsonfile import JsonFileBackend
from storage.collection import Collection
from storage.config import build_backend
from storage.errors import InvalidRecord, StorageUnavailable, TransientError
from tests.diag_helpers import make_client, make_session, run_json
from tests.test_storage_contract import CLIENTS, client_fields

HEALTHY = "Write/read/delete canary ok; JSON files (local development): no server to inspect"


def test_the_settings_put_the_files_in_a_directory_named_by_the_prefix_under_the_data_dir(tmp_path, prefix, use_store):
    backend = build_backend(dict(settings.STORAGE, BACKEND="jsonfile", DATA_DIR=str(tmp_path), KEY_PREFIX=prefix))
    assert isinstance(backend, JsonFileBackend)
    assert backend.describe() == {"backend": "jsonfile", "target": str(tmp_path / prefix), "mode": "local files"}
    use_store(backend).collection("clients").create(client_fields())
    assert [p.name for p in (tmp_path / prefix).glob("*.json")] == ["clients.json"]


def test_verify_names_each_collection_s_file_and_none_for_a_collection_never_written(tmp_path, prefix, use_store):
    use_store(JsonFileBackend(tmp_path, prefix))
    make_client()
    code, report, _ = run_json("verify_redis")
    assert (code, report["consistent"]) == (0, True)
    assert report["keys"]["clients"] == [str(tmp_path / prefix / "clients.json")] and report["keys"]["sessions"] == []
    assert report["collections"]["clients"]["version"] == {"present": True, "value": 1}
    assert report["collections"]["sessions"]["version"] == {"present": False, "value": 0}


def test_a_fresh_checkout_without_a_data_directory_is_healthy_and_stays_so(tmp_path, prefix, use_store):
    data_dir = tmp_path / "var" / "data"  # neither exists yet
    backend = use_store(JsonFileBackend(data_dir, prefix)).backend
    assert backend.canary() == {"written": True, "read_back": True, "deleted": True}
    for _ in range(2):  # the directory exists from now on
        result = checks._timed(checks.RedisHealth())
        assert (result.status, result.message) == ("passed", HEALTHY)
    assert backend.ping() and (data_dir / prefix).is_dir()


def test_a_fresh_checkout_answers_a_ping_before_anything_was_written(tmp_path, prefix):
    backend = JsonFileBackend(tmp_path / "var" / "data", prefix)
    backend.ping()
    backend.ping()
    assert (tmp_path / "var" / "data" / prefix).is_dir()


def test_a_disk_that_refuses_the_canary_fails_the_health_check_with_the_os_reason(
    tmp_path, prefix, use_store, monkeypatch
):
    use_store(JsonFileBackend(tmp_path, prefix))

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    result = checks._timed(checks.RedisHealth())
    assert (result.status, result.message) == ("failed", "canary write failed: [Errno 28] No space left on device")


class Clock:
    """time.time() of the JSON-file backend, moved by hand."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(1_000_000.0)
    monkeypatch.setattr(jsonfile, "time", fake)
    return fake


def test_a_rate_window_lasts_its_seconds_from_its_first_event_and_ends_exactly_then(tmp_path, prefix, clock):
    backend = JsonFileBackend(tmp_path, prefix)
    assert backend.hit("login-ip:a", 60) == (1, 60)
    clock.now += 20.5
    assert backend.hit("login-ip:a", 60) == (2, 39)  # the window did not move with the second event
    assert backend.hits("login-ip:a") == (2, 39) and backend.counted("login-ip:a") == 2
    assert backend.hits("login-ip:b") == (0, 0) and backend.counted("login-ip:b") == 0
    clock.now += 39.5  # the end of the window, to the second
    assert backend.hits("login-ip:a") == (0, 0)
    assert backend.hit("login-ip:a", 60) == (1, 60)


def test_a_rate_window_at_its_last_second_still_counts(tmp_path, prefix, clock):
    backend = JsonFileBackend(tmp_path, prefix)
    backend.hit("login-user:a", 10)
    clock.now += 9.75
    assert backend.hits("login-user:a") == (1, 0)
    assert backend.hit("login-user:a", 10) == (2, 0)


def test_an_unreadable_rate_file_is_a_transient_error_naming_the_file(tmp_path, prefix):
    backend = JsonFileBackend(tmp_path, prefix)
    backend.hit("login-ip:a", 60)
    path = tmp_path / prefix / jsonfile.RATE_FILE
    assert set(json.loads(path.read_text())) == {"login-ip:a"}
    path.write_text("{not json")
    with pytest.raises(TransientError, match=f"^{path} is unreadable: Expecting property name"):
        backend.hits("login-ip:a")
    with pytest.raises(TransientError, match=f"^{path} is unreadable: "):
        backend.hit("login-ip:a", 60)


def test_a_second_process_reads_each_write_of_the_first_one(tmp_path, prefix):
    writer, reader = JsonFileBackend(tmp_path, prefix), JsonFileBackend(tmp_path, prefix)
    clients = Collection(CLIENTS, writer)
    created = clients.create(client_fields(name="First"))
    assert json.loads(reader.get("clients", created["id"]))["name"] == "First"
    clients.update(created["id"], client_fields(name="Second name"))
    assert json.loads(reader.get("clients", created["id"]))["name"] == "Second name"


def test_a_collection_file_that_does_not_parse_is_an_invalid_record_naming_the_file(tmp_path, prefix):
    backend = JsonFileBackend(tmp_path, prefix)
    path = backend._path("clients")
    path.parent.mkdir(parents=True)
    path.write_text('{"version": 1, "records": ')
    with pytest.raises(InvalidRecord, match=f"^{path} does not parse as JSON: Expecting value"):
        backend.get("clients", "client_A")


def test_a_collection_file_that_cannot_be_opened_is_a_transient_error_with_the_os_reason(tmp_path, prefix):
    backend = JsonFileBackend(tmp_path, prefix)
    path = backend._path("clients")
    path.parent.mkdir(parents=True)
    path.symlink_to(path)  # a link to itself: the OS refuses to open it
    with pytest.raises(TransientError, match=rf"^\[Errno 40\] Too many levels of symbolic links: '{path}'$"):
        backend.get("clients", "client_A")


def test_a_write_refused_by_a_full_disk_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, prefix, monkeypatch):
    backend = JsonFileBackend(tmp_path, prefix)
    clients = Collection(CLIENTS, backend)
    kept = clients.create(client_fields(name="Kept"))
    replaced = []
    real_replace = jsonfile.os.replace
    monkeypatch.setattr(
        jsonfile.os, "replace", lambda src, dst: replaced.append(Path(src).parent) or real_replace(src, dst)
    )
    clients.create(client_fields(name="Second"))
    assert replaced == [backend.dir]  # beside the file it replaces: one filesystem, an atomic rename

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonfile.os, "fsync", full_disk)
    with pytest.raises(StorageUnavailable, match=f"^could not write to {backend.dir}: No space left on device$"):
        clients.create(client_fields(name="Refused"))
    assert sorted(p.name for p in backend.dir.iterdir()) == [".lock", "clients.json"]
    assert (
        JsonFileBackend(tmp_path, prefix).count("clients") == 2
        and kept["id"] in clients.backend.snapshot_ids("clients")[1]
    )


def test_a_cascade_cut_short_after_its_first_file_leaves_no_session_without_its_client(
    tmp_path, prefix, use_store, monkeypatch
):
    store = use_store(JsonFileBackend(tmp_path, prefix))
    client = make_client()
    make_session(client["id"])
    backend = store.backend
    real_write, written = backend._write_atomically, []

    def disk_full_after_one_file(path, state):
        if written:
            raise OSError(28, "No space left on device")
        written.append(path.name)
        real_write(path, state)

    monkeypatch.setattr(backend, "_write_atomically", disk_full_after_one_file)
    with pytest.raises(StorageUnavailable):
        store.collection("clients").delete(client["id"], cascade=True)
    assert written == ["sessions.json"]  # the dependents first
    fresh = JsonFileBackend(tmp_path, prefix)
    assert fresh.get("clients", client["id"]) is not None and fresh.ids_by("sessions", "client_id", client["id"]) == []
