"""A configuration error is one line per problem, every problem at once, naming the variable; exit
code 2 and no traceback: from the settings, manage.py, gunicorn's config and `make serve`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "Configuration error: "

# Four independent problems: each must be named, all in one run.
BROKEN = {
    "DEBUG": "false",
    "STORAGE_SOCKET_TIMEOUT": "soon",
    "STORAGE_WAIT_REPLICAS": "two",
    "LOG_FORMAT": "xml",
}
NAMES = ["SECRET_KEY", "STORAGE_SOCKET_TIMEOUT", "STORAGE_WAIT_REPLICAS", "LOG_FORMAT", "REDIS_URL"]


def run(command, env, **kwargs):
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    clean["DJANGO_ENV_FILE"] = os.devnull
    clean.update(env)
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, **kwargs)


def assert_one_line_per_problem(result, names):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith(PREFIX)]
    for name in names:
        assert [line for line in lines if name in line], f"{name} not reported in {result.stderr}"
    assert len(lines) == len(names), lines


@pytest.mark.parametrize("command", [["check"], ["health"], ["drf_create_token", "admin"], ["migrate_json_to_redis"]])
def test_every_command_reports_all_problems_at_once(command):
    result = run([sys.executable, "manage.py", *command], BROKEN)
    assert_one_line_per_problem(result, NAMES)


def test_the_backends_own_settings_are_checked_with_the_rest():
    env = {"DEBUG": "false", "REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_MODE": "bogus", "LOG_EMOJI": "perhaps"}
    result = run([sys.executable, "manage.py", "check"], env)
    assert_one_line_per_problem(result, ["SECRET_KEY", "REDIS_MODE", "LOG_EMOJI"])


def test_gunicorn_reports_its_own_and_the_settings_problems_before_any_worker_starts():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = run([str(gunicorn), "--config", "config/gunicorn.conf.py"], dict(BROKEN, GUNICORN_WORKERS="many"))
    assert_one_line_per_problem(result, [*NAMES, "GUNICORN_WORKERS"])
    assert "Booting worker" not in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_serve_stops_at_the_first_step_with_the_problems():
    # .venv/.runtime is already there (the shared venv), so make goes straight to check --deploy.
    result = run(["make", "--no-print-directory", "serve"], {"STORAGE_SOCKET_TIMEOUT": "soon"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 3 and "SECRET_KEY" in lines[0], result.stderr
    assert "gunicorn" not in result.stdout.split("check --deploy")[-1].split("\n", 1)[-1]


def test_a_good_configuration_loads():
    result = run([sys.executable, "-m", "config.problems"], {"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


# Values django-environ reads without complaint but the project can't run with; the URL carries a
# password, which must not be printed.
UNUSABLE = {
    "DEBUG": "true",
    "DATABASE_URL": "nonsense://admin:hunter2-secret@db.example.org/app",
    "LOG_LEVEL": "LOUD",
    "STORAGE_CACHE_MAX_RECORDS": "-5",
}


@pytest.mark.parametrize("command", [["health"], ["check"]])
def test_unusable_database_log_level_and_cache_size_are_reported_together(command):
    result = run([sys.executable, "manage.py", *command], UNUSABLE)
    assert_one_line_per_problem(result, ["DATABASE_URL", "LOG_LEVEL", "STORAGE_CACHE_MAX_RECORDS"])
    assert "hunter2" not in result.stderr + result.stdout
    assert "set it to" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STORAGE_CACHE_MAX_RECORDS", "abc"),
        ("STORAGE_CACHE_MAX_RECORDS", "0"),
        ("LOG_LEVEL", "verbose"),
        ("DATABASE_URL", "garbage"),
        ("STORAGE_SOCKET_TIMEOUT", "-1"),
        ("STORAGE_CONNECT_TIMEOUT", "0"),
        ("STORAGE_KEY_PREFIX", "a}b"),
        ("DJANGO_ENV_FILE", "/nonexistent/app.env"),
        ("DATABASE_CONN_MAX_AGE", "-1"),
        ("API_RENDER_CACHE_BYTES", "-5"),
        ("AUTH_FAILURE_LIMIT", "0"),
        ("AUTH_FAILURE_WINDOW", "0"),
        ("STORAGE_WAIT_REPLICAS", "-1"),
        ("STORAGE_WAIT_TIMEOUT_MS", "-1"),
    ],
)
def test_each_unusable_value_is_one_line_naming_the_variable(name, value):
    result = run([sys.executable, "manage.py", "health"], {"DEBUG": "true", name: value})
    assert_one_line_per_problem(result, [name])
    assert "hunter2" not in result.stderr + result.stdout


def test_an_empty_log_level_is_the_default():
    result = run([sys.executable, "-m", "config.problems"], {"DEBUG": "true", "LOG_LEVEL": ""})
    assert result.returncode == 0, result.stderr


def test_a_missing_database_driver_is_named_without_the_url(monkeypatch):
    import environ

    from config import env_values
    from config.problems import Problems

    monkeypatch.setitem(env_values.DRIVERS, "django.db.backends.postgresql", (("no_such_driver",), "psycopg"))
    monkeypatch.setenv("DATABASE_URL", "postgres://admin:hunter2-secret@db.example.org/app")
    problems = Problems()
    config = env_values.database_url(problems, environ.Env(), "DATABASE_URL", default="sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert len(problems) == 1 and "psycopg is not installed" in problems[0] and "hunter2" not in problems[0]


def test_a_malformed_url_is_reported_without_its_value(monkeypatch):
    from config.problems import Problems

    def db_url(name, default):
        raise ValueError("malformed")

    monkeypatch.setenv("REDIS_URL", "redis://:hunter2-secret@h:6379/0")
    problems = Problems()
    assert problems.read(db_url, "REDIS_URL", default="") == ""
    assert len(problems) == 1 and "REDIS_URL" in problems[0] and "hunter2" not in problems[0]
