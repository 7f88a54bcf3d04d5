"""The README's commands run as written after `make run` (which leaves a development .env): every
`.venv/bin/python manage.py ...` line of its sh blocks is executed from a project directory, with
the .env that `make run` writes. Only the addresses are changed: a test never uses the Redis on
port 6379, so the README's redis://127.0.0.1:6379/0 becomes a redis-server of the test's own."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.dev_env import write_dev_env

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
PYTHON_LINE = re.compile(r"^(?:[A-Z_]+=\S+ )*\.venv/bin/python manage\.py (\S+)")
INTERACTIVE = {"createsuperuser", "runserver"}  # they wait for a person (tested by Django)


def readme_commands():
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if (m := PYTHON_LINE.match(line)) and m.group(1) not in INTERACTIVE]


def test_the_readme_shows_runnable_commands_for_every_diagnostic_command():
    shown = {PYTHON_LINE.match(line).group(1) for line in readme_commands()}
    assert {"health", "verify_redis", "check_sessions", "export_data", "import_data", "migrate_json_to_redis"} <= shown
    assert "drf_create_token" in shown
    # the old bare `python manage.py` lines failed outside the virtualenv
    assert not re.search(r"^python manage\.py", README, flags=re.M)


def test_dev_env_is_written_once_with_debug_and_a_generated_key(tmp_path):
    target = tmp_path / ".env"
    assert write_dev_env(target)
    first = target.read_text()
    assert "DEBUG=true" in first
    key = re.search(r"^SECRET_KEY=(\S+)$", first, flags=re.M).group(1)
    assert len(key) >= 50
    assert not write_dev_env(target) and target.read_text() == first  # never overwritten
    other = tmp_path / "other.env"
    write_dev_env(other)
    assert re.search(r"^SECRET_KEY=(\S+)$", other.read_text(), flags=re.M).group(1) != key
    assert ".env" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_writes_the_dev_env_before_anything_else():
    dry = subprocess.run(["make", "-n", "--always-make", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    steps = [line for line in dry.stdout.splitlines() if "manage.py" in line or "config.dev_env" in line]
    assert "config.dev_env" in steps[0], steps


def test_readme_commands_run_as_written(tmp_path, redis_server):
    project = tmp_path / "project"  # a project directory: the code and the venv, the .env make run leaves
    project.mkdir()
    for name in (".venv", "manage.py"):
        (project / name).symlink_to(ROOT / name)
    write_dev_env(project / ".env")
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DJANGO_ENV_FILE=str(project / ".env"),  # the code lives in ROOT; its .env is this one
        STORAGE_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STORAGE_KEY_PREFIX="readme",
    )

    def sh(line):
        return subprocess.run(["bash", "-c", line], cwd=project, env=env, capture_output=True, text=True, timeout=120)

    setup = sh(
        ".venv/bin/python manage.py migrate --noinput && "
        "DJANGO_SUPERUSER_PASSWORD=pw-readme-1 .venv/bin/python manage.py createsuperuser "
        "--noinput --username admin --email admin@example.org"
    )
    assert setup.returncode == 0, setup.stderr
    commands = readme_commands()
    assert len(commands) >= 8
    for line in commands:
        line = line.replace("<username>", "admin").replace("redis://127.0.0.1:6379/0", redis_server.url)
        result = sh(line)
        assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stderr, line


def test_manage_py_under_a_python_without_django_says_to_use_the_virtualenv():
    # -S: the interpreter without any site-packages, as a system python3 without Django would be
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    result = subprocess.run(
        [sys.executable, "-S", "manage.py", "health"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"No module named 'django' in {sys.executable}: run .venv/bin/python manage.py health "
        "(make run creates .venv and installs the requirements)"
    ]
