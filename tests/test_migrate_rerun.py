"""`manage.py migrate_json_to_redis` as an operator runs it: a rerun reports every record unchanged,
and the log on stderr (the project's own logging settings) holds no error line for the records
already migrated; a directory without the JSON files is refused rather than copied as nothing."""

import json
import os
import subprocess
import sys
from pathlib import Path

from storage.store import Store
from tests.conftest import make_backend
from tests.diag_helpers import run

ROOT = Path(__file__).resolve().parent.parent


def test_a_rerun_reports_every_record_unchanged_and_logs_no_error(redis_server, prefix, tmp_path):
    source = Store(make_backend("jsonfile", prefix, tmp_path=tmp_path))
    for n in range(3):
        source.collection("clients").create({"name": f"Local {n}", "email": f"local{n}@example.org", "tags": []})
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DJANGO_ENV_FILE=os.devnull,
        DEBUG="true",
        REDIS_URL=redis_server.url,
        STORAGE_KEY_PREFIX=prefix,
        STORAGE_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        LOG_LEVEL="INFO",
    )

    def migrate():
        command = [sys.executable, "manage.py", "migrate_json_to_redis", "--format", "json"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, json.loads(done.stdout), done.stderr

    code, first, _ = migrate()
    assert code == 0 and first["created"] == 3
    code, again, log = migrate()
    assert code == 0 and again["created"] == 0 and again["unchanged"] == 3 and again["errors"] == []
    assert "Storage backend: redis" in log  # the log is there (INFO) ...
    errors = [line for line in log.splitlines() if "ERROR" in line or "❌" in line]
    assert errors == []  # ... without an error line for the records already there


def test_a_data_dir_without_json_files_is_refused_not_copied_as_nothing(redis_server, prefix, tmp_path, use_store):
    use_store(make_backend("redis", prefix, redis_server=redis_server))
    code, _, err = run("migrate_json_to_redis", "--data-dir", str(tmp_path / "mistyped"), "--prefix", prefix)
    assert code == 2
    assert f"No JSON files at {tmp_path / 'mistyped' / prefix}" in err and "--data-dir" in err
