"""Configuration problems: collected while the settings are read, reported together, one line
each, naming the variable and what to set; the process then exits with code 2, without a traceback
(manage.py, gunicorn's config, the WSGI/ASGI entry points)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

EXIT_CODE = 2
PREFIX = "Configuration error: "
TRUE = ("true", "on", "yes", "y", "1")
FALSE = ("false", "off", "no", "n", "0", "")
SECRET_WORDS = ("URL", "TOKEN", "SECRET", "PASSWORD")
EXPECTED = {
    "int": "a whole number",
    "float": "a number of seconds such as 2.0",
    "db_url": "a database URL such as sqlite:///db.sqlite3 or postgres://user:password@host/name",
    "list": "comma-separated values",
}


def secret(name):
    """A variable whose value may hold a password or a key: its value is never printed."""
    return any(word in name for word in SECRET_WORDS)


class SettingsError(ImproperlyConfigured):
    """Every problem found in the configuration; str() is one line per problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class Problems(list):
    def read(self, reader, name, *, default, **kwargs):
        """One variable through a django-environ reader; a malformed value is recorded (and the
        default used, so that the rest of the settings can still be read and checked)."""
        try:
            return reader(name, default=default, **kwargs)
        except (ValueError, TypeError, ImproperlyConfigured):
            expected = EXPECTED.get(getattr(reader, "__name__", ""), "a valid value (see .env.example)")
            shown = "" if secret(name) else f"={os.environ.get(name, '')!r}"
            self.append(f"{name}{shown} is invalid: set it to {expected}")
            return default

    def boolean(self, name, *, default):
        """A strict boolean: true/false (on/off, yes/no, 1/0); anything else is a problem."""
        value = os.environ.get(name)
        if value is None:
            return default
        word = value.strip().lower()
        if word in TRUE:
            return True
        if word in FALSE:
            return default if word == "" else False
        self.append(f"{name}={value!r} is not a boolean: set it to true or false")
        return default

    def raise_if_any(self):
        if self:
            raise SettingsError(self)


def report(exc, stream=None):
    """Print one line per problem to stderr."""
    stream = stream or sys.stderr
    problems = getattr(exc, "problems", None) or str(exc).splitlines() or [type(exc).__name__]
    for problem in problems:
        print(f"{PREFIX}{problem}", file=stream)
    stream.flush()


def check_settings_or_exit():
    """Load the settings now; on a configuration problem print every problem and exit 2."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading a setting loads the module
    except ImproperlyConfigured as exc:
        report(exc)
        raise SystemExit(EXIT_CODE) from None


if __name__ == "__main__":  # python -m config.problems: exit 0 when the settings load, else 2
    check_settings_or_exit()
