"""`manage.py check --deploy --fail-level WARNING` is clean with production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def deploy_check(**overrides):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "REDIS_URL": "redis://:not-a-real-password@127.0.0.1:1/0",  # never contacted by the check
        "ALLOWED_HOSTS": "app.example.com",
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_does_fail_on_an_unsafe_setting():
    result = deploy_check(SECURE_HSTS_SECONDS="0")  # the check is live: it sees a weak setting
    assert result.returncode != 0 and "security.W004" in result.stdout + result.stderr
