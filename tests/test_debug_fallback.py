"""In DEBUG, a configured Redis that can't be reached at startup falls back to JSON files, and says
so: health is degraded and names the Redis; the commands that need that Redis refuse (exit 2),
naming it, instead of working on the JSON files in its place."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = "redis://:s3cret@127.0.0.1:1/0"  # port 1: refused at once


def manage(tmp_path, *args):
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DJANGO_ENV_FILE=os.devnull,
        DEBUG="true",
        REDIS_URL=UNREACHABLE,
        STORAGE_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_health_is_degraded_and_names_the_unreachable_redis(tmp_path):
    result = manage(tmp_path, "health", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "degraded"
    available = report["checks"]["redis_available"]
    assert available["status"] == "warning"
    assert "redis://:***@127.0.0.1:1/0" in available["message"] and "fell back" in available["message"]
    assert available["values"]["configured_backend"] == "redis"
    assert "s3cret" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["migrate_json_to_redis", "verify_redis", "check_sessions", "export_data"])
def test_commands_that_need_the_configured_redis_say_which_one_failed(tmp_path, command):
    result = manage(tmp_path, command)
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "redis://:***@127.0.0.1:1/0 could not be reached" in out
    assert "configured backend is jsonfile" not in out
    assert "Traceback" not in out and "s3cret" not in out


def test_import_data_refuses_and_says_which_redis_failed(tmp_path):
    line = {"collection": "clients", "record": {"id": "client_a", "name": "Ann", "email": "ann@example.org"}}
    path = tmp_path / "import.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = manage(tmp_path, "import_data", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "redis://:***@127.0.0.1:1/0 could not be reached" in out
    assert "Traceback" not in out and "s3cret" not in out
    assert not (tmp_path / "clients.json").exists() or "client_a" not in (tmp_path / "clients.json").read_text()


def test_landing_page_says_storage_is_degraded(tmp_path):
    show = "from django.test import Client; print(Client().get('/', HTTP_HOST='localhost').content.decode())"
    result = manage(tmp_path, "shell", "-c", show)
    assert result.returncode == 0, result.stderr
    assert 'id="fallback"' in result.stdout and "Storage is degraded: see the health report." in result.stdout
    assert "s3cret" not in result.stdout and "127.0.0.1:1" not in result.stdout  # where: for staff only
