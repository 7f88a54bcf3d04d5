"""Checks of the setting values django-environ accepts but the project can't run with (an
unknown database engine, a log level logging doesn't know, a record count below one, a timeout of
0 or less, a key prefix the key layout refuses): each is
recorded as one configuration problem and the default is used, so the rest can still be checked."""

import importlib.util
import logging
import warnings

from storage.keys import PREFIX_PATTERN

DB_EXAMPLE = "a database URL such as sqlite:///db.sqlite3 or postgres://user:password@host/name"
# The driver each of Django's own engines imports, and the package that provides it.
DRIVERS = {
    "django.db.backends.postgresql": (("psycopg", "psycopg2"), "psycopg"),
    "django.db.backends.mysql": (("MySQLdb",), "mysqlclient"),
    "django.db.backends.oracle": (("oracledb", "cx_Oracle"), "oracledb"),
}


def _importable(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package that doesn't exist
        return False


def database_url(problems, env, name, *, default):
    """Django's DATABASES entry from the URL; its value is never shown (it can hold a password)."""
    url = problems.read(env.str, name, default=default)
    try:
        with warnings.catch_warnings():  # django-environ's own warning prints the parsed URL
            warnings.simplefilter("ignore")
            config = env.db_url_config(url)
    except (ValueError, TypeError, KeyError):
        config = {}
    engine = config.get("ENGINE", "")
    if not engine or not _importable(f"{engine}.base"):
        problems.append(f"{name} does not name a database Django can use (value not shown): set it to {DB_EXAMPLE}")
        return env.db_url_config(default)
    modules, package = DRIVERS.get(engine, ((), ""))
    if modules and not any(_importable(module) for module in modules):
        problems.append(
            f"{name} names a {engine.rsplit('.', 1)[-1]} database but {package} is not installed: "
            f"install it, or set {name} to {DB_EXAMPLE}"
        )
        return env.db_url_config(default)
    return config


def log_level(problems, env, name, *, default):
    """A level name the logging module knows (DEBUG, INFO, WARNING, ERROR, CRITICAL)."""
    level = problems.read(env.str, name, default=default).strip().upper() or default  # empty: the default
    if level not in logging.getLevelNamesMapping():
        problems.append(f"{name}={level!r} is not a log level: set it to DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return default
    return level


def at_least(problems, env, name, minimum, *, default):
    """A whole number no smaller than minimum."""
    value = problems.read(env.int, name, default=default)
    if value < minimum:
        problems.append(f"{name}={value!r} is too small: set it to a whole number of at least {minimum}")
        return default
    return value


def seconds(problems, env, name, *, default):
    """A timeout in seconds, more than 0 (0 would make the socket non-blocking, below 0 is refused)."""
    value = problems.read(env.float, name, default=default)
    if not value > 0:
        problems.append(f"{name}={value!r} is not a timeout: set it to a number of seconds above 0, such as 2.0")
        return default
    return value


def key_prefix(problems, env, name, *, default):
    """The storage key prefix, as the key layout accepts it."""
    value = problems.read(env.str, name, default=default)
    if not PREFIX_PATTERN.fullmatch(value):
        problems.append(f"{name}={value!r} is invalid: set it to 1-64 letters, digits, '.', '_' or '-'")
        return default
    return value
