"""Configuration of the REST backend: the KV_* names, the UPSTASH_* fallback, half-set pairs and
the read-only token caught at startup. Settings are read in a fresh process, as at startup."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.backends.rest import RestBackend
from storage.config import select_backend
from storage.errors import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent
READ_SETTINGS = "import json, config.settings as s; print(json.dumps([s.STORAGE['BACKEND'], s.STORAGE['REST_URL']]))"


def settings_with(**variables):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": "config-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "REDIS_URL": "",
        "STORAGE_BACKEND": "",
        "KV_REST_API_URL": "",
        "KV_REST_API_TOKEN": "",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_rest_pair_selects_rest_and_redis_url_wins():
    assert select_backend(rest_url="https://kv.example", rest_token="t") == "rest"
    assert select_backend(redis_url="redis://h:6379/0", rest_url="https://kv.example", rest_token="t") == "redis"


@pytest.mark.parametrize(
    ("url", "token", "missing"), [("https://kv.example", "", "KV_REST_API_TOKEN"), ("", "t", "KV_REST_API_URL")]
)
def test_half_a_rest_pair_is_a_clear_error(url, token, missing):
    with pytest.raises(ConfigurationError, match=f"{missing} is not set"):
        select_backend(rest_url=url, rest_token=token, debug=True)


def test_a_rest_url_must_be_https():
    with pytest.raises(ConfigurationError, match="https://"):
        select_backend(rest_url="redis://kv.example:6379", rest_token="t")


def test_upstash_names_are_the_fallback_and_kv_names_win():
    done = settings_with(UPSTASH_REDIS_REST_URL="https://upstash.example", UPSTASH_REDIS_REST_TOKEN="t")
    assert json.loads(done.stdout) == ["rest", "https://upstash.example"], done.stderr[-2000:]
    done = settings_with(
        KV_REST_API_URL="https://kv.example",
        KV_REST_API_TOKEN="t",
        UPSTASH_REDIS_REST_URL="https://upstash.example",
        UPSTASH_REDIS_REST_TOKEN="u",
    )
    assert json.loads(done.stdout) == ["rest", "https://kv.example"], done.stderr[-2000:]


def test_the_read_only_token_is_refused_at_startup_without_showing_it():
    token = "read-only-token-abcdef123456"
    done = settings_with(
        KV_REST_API_URL="https://kv.example", KV_REST_API_TOKEN=token, KV_REST_API_READ_ONLY_TOKEN=token
    )
    assert done.returncode != 0
    assert "is the read-only token" in done.stderr
    assert token not in done.stderr


def test_the_settings_reach_the_client_and_the_url_loses_only_its_trailing_slashes():
    settings = {"REST_URL": " https://kv.example/KVX/ ", "REST_TOKEN": " secret-token ", "KEY_PREFIX": "tenant"}
    backend = RestBackend.from_settings({**settings, "SOCKET_TIMEOUT": 1.5, "CONNECT_TIMEOUT": 0.5})
    assert backend.url == "https://kv.example/KVX" and backend.keys.root == "{tenant}"
    assert backend.endpoints["pipeline"] == "https://kv.example/KVX/pipeline"
    assert (backend.http.timeout.read, backend.http.timeout.connect) == (1.5, 0.5)
    assert backend.http.headers["authorization"] == "Bearer secret-token"


EMPTY_TOKEN = "KV_REST_API_TOKEN (or UPSTASH_REDIS_REST_TOKEN) is empty"
WRONG_URL = "KV_REST_API_URL must be the https:// URL of the REST API (got {!r})"


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        ("redis://u:pw@kv.example:6379", "token", WRONG_URL.format("redis://u:***@kv.example:6379")),
        ("", "token", WRONG_URL.format("")),
        ("https://kv.example", "", EMPTY_TOKEN),
        ("https://kv.example", "  ", EMPTY_TOKEN),
    ],
)
def test_a_wrong_url_or_an_empty_token_is_refused_naming_the_setting(url, token, message):
    with pytest.raises(ConfigurationError) as caught:
        RestBackend(url, token, "p")
    assert str(caught.value) == message


def test_only_the_read_only_token_itself_is_refused_at_startup():
    assert (
        select_backend(rest_url="https://kv.example", rest_token="standard", rest_read_only_token="read-only") == "rest"
    )
    with pytest.raises(ConfigurationError) as caught:
        select_backend(rest_url="https://kv.example", rest_token="read-only", rest_read_only_token="read-only")
    assert str(caught.value) == (
        "KV_REST_API_TOKEN is the read-only token (it equals KV_REST_API_READ_ONLY_TOKEN): "
        "writes need the standard token"
    )


def test_a_url_without_a_host_is_a_configuration_error_on_first_use():
    with pytest.raises(ConfigurationError, match="^KV_REST_API_URL is not usable: Request URL is missing"):
        RestBackend("https://:443/kv", "token", "p").call("PING")
