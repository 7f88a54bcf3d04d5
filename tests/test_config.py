"""Backend selection and startup configuration (docs/architecture.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.backends.shared import mask_url
from storage.config import select_backend
from storage.errors import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"backend": "jsonfile", "redis_url": "redis://h"}, "jsonfile"),
        ({"redis_url": "redis://h", "rest_url": "https://kv", "rest_token": "t"}, "redis"),
        ({"rest_url": "https://kv", "rest_token": "t"}, "rest"),
        ({"debug": True}, "jsonfile"),
        ({"backend": " REDIS ", "redis_url": "rediss://h:6380"}, "redis"),
        ({"redis_url": "unix:///tmp/redis.sock"}, "redis"),
    ],
)
def test_backend_is_chosen_in_the_documented_order(given, expected):
    assert select_backend(**given) == expected


@pytest.mark.parametrize(
    ("given", "names"),
    [
        ({}, ["REDIS_URL", "KV_REST_API_URL", "KV_REST_API_TOKEN"]),
        ({"rest_url": "https://kv"}, ["KV_REST_API_TOKEN"]),
        ({"backend": "mongo"}, ["STORAGE_BACKEND", "redis, rest, jsonfile"]),
        ({"backend": "redis"}, ["REDIS_URL"]),
        ({"backend": "rest", "rest_url": "https://kv"}, ["KV_REST_API_TOKEN"]),
        ({"redis_url": "http://:pw@h"}, ["REDIS_URL", "redis://"]),
    ],
)
def test_missing_or_wrong_configuration_names_what_to_set(given, names):
    with pytest.raises(ConfigurationError) as caught:
        select_backend(**given)
    for name in names:
        assert name in str(caught.value)
    assert "pw" not in str(caught.value)


def test_urls_are_masked():
    assert mask_url("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert mask_url("redis://user:s3cret@host/0") == "redis://user:***@host/0"
    assert mask_url("redis://host:6379") == "redis://host:6379"
    assert mask_url("https://tok@kv.example") == "https://***@kv.example"


def manage(*args, env):
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    clean["DJANGO_ENV_FILE"] = os.devnull
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_without_a_backend_refuses_to_start_and_says_what_to_set():
    result = manage("check", env={"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a"})
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr and "KV_REST_API_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_is_required_in_production():
    result = manage("check", env={"DEBUG": "false", "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 2 and "SECRET_KEY is required" in result.stderr


def test_malformed_variable_is_a_clear_error():
    result = manage("check", env={"DEBUG": "maybe"})
    assert result.returncode == 2 and "DEBUG='maybe' is not a boolean" in result.stderr


def test_startup_logs_the_backend_with_credentials_masked(redis_server):
    url = redis_server.url.replace("redis://", "redis://:hunter2@")
    result = manage("check", env={"DEBUG": "false", "SECRET_KEY": "x" * 50, "REDIS_URL": url})
    output = result.stdout + result.stderr
    assert "Storage backend: redis (redis://:***@127.0.0.1" in output
    assert "hunter2" not in output


def test_debug_falls_back_to_json_files_when_redis_is_unreachable(tmp_path):
    env = {
        "DEBUG": "true",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "STORAGE_DATA_DIR": str(tmp_path),
        "STORAGE_CONNECT_TIMEOUT": "0.2",
    }
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr
    assert "falling back to JSON files" in result.stderr
    assert "Storage backend: jsonfile" in result.stderr


def test_production_never_falls_back_to_json_files():
    env = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "REDIS_URL": "redis://127.0.0.1:1/0"}
    result = manage("check", env=env)
    assert "falling back" not in result.stderr and "Storage backend: redis" in result.stderr
