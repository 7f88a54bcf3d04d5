"""End to end: Django in its own process, configured only by KV_REST_API_URL / KV_REST_API_TOKEN
(no REDIS_URL), writes records that land in the real Redis behind the local REST API.

Until the HTTP API exists, records are created through the model in `manage.py shell -c`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage.keys import KeyLayout
from tests.paged_edits import entry_ids

ROOT = Path(__file__).resolve().parent.parent

CREATE = """
import json
from datetime import datetime, timezone
from clients.models import Client
from sessions_app.models import Session
from storage.store import get_store
client = Client(name="Jeanne Dupont", email="{email}", tags=["vip"])
client.full_clean()
client.save()
session = Session(client_id=client.pk, title="Intro", starts_at=datetime(2026, 12, 1, 10, tzinfo=timezone.utc),
                  duration_minutes=45)
session.full_clean()
session.save()
print(json.dumps({{"client": client.pk, "session": session.pk, "count": Client.objects.count(),
                  "backend": get_store().backend.describe()}}))
"""


def django(code, prefix, **variables):
    """Run `manage.py shell -c code` with a clean environment plus `variables`."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "e2e-secret-key-not-for-production-0123456789abcdefghijklmnop",
        "DATABASE_URL": "sqlite://:memory:",
        "STORAGE_KEY_PREFIX": prefix,
        "LOG_LEVEL": "INFO",
        # Empty, so that a developer's .env can't switch the backend under this test.
        "REDIS_URL": "",
        "STORAGE_BACKEND": "",
        **variables,
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stdout + done.stderr


@pytest.mark.slow
def test_records_created_by_django_on_kv_rest_api_are_in_the_redis_behind_it(redis_server, rest_server, prefix):
    result, output = django(
        CREATE.format(email="jeanne@example.com"),
        prefix,
        KV_REST_API_URL=rest_server.url + "/",
        KV_REST_API_TOKEN=rest_server.token,
    )
    assert result["backend"] == {"backend": "rest", "target": rest_server.url, "mode": "http"}
    assert rest_server.token not in output  # not in the startup log line nor anywhere else

    raw = redis_server.client()
    stored = json.loads(raw.get(f"{{{prefix}}}:clients:{result['client']}"))
    assert stored["name"] == "Jeanne Dupont" and stored["tags"] == ["vip"] and stored["version"] == 1
    session = json.loads(raw.get(f"{{{prefix}}}:sessions:{result['session']}"))
    assert session["client_id"] == result["client"] and session["duration_minutes"] == 45
    assert entry_ids(raw, f"{{{prefix}}}:clients:order:created_at") == [result["client"]]
    unique = KeyLayout(prefix).unique_bucket("clients", "email", "jeanne@example.com")
    assert raw.hget(unique, "jeanne@example.com") == result["client"]

    # The Upstash console's names work too, and the second process sees the first one's record.
    again, output = django(
        CREATE.format(email="other@example.com"),
        prefix,
        UPSTASH_REDIS_REST_URL=rest_server.url,
        UPSTASH_REDIS_REST_TOKEN=rest_server.token,
    )
    assert again["backend"]["backend"] == "rest" and again["count"] == 2
    assert rest_server.token not in output
    assert len(entry_ids(raw, f"{{{prefix}}}:clients:order:created_at")) == 2
