"""Shared by the diagnostic commands: --format text|json and the exit codes
(0 healthy / consistent, 1 unhealthy / problems found, 2 the check itself could not run)."""

from django.core.management.base import BaseCommand

from storage.errors import StorageError, StorageUnavailable
from storage.startup import fallback, fallback_message
from storage.store import get_store

from ...checks import _safe
from ...terminal import Printer, write_json

OK, PROBLEMS, COULD_NOT_RUN = 0, 1, 2


class CouldNotRun(Exception):  # noqa: N818 - named for what the command reports
    """The command could not do its job (unreadable file, wrong backend...): reported like a
    storage failure, as text or as JSON with --format json, exit 2."""


class FellBack(CouldNotRun):
    """The configured backend could not be reached at startup and DEBUG fell back to JSON files."""


def _target():
    """The configured backend and where it is, credentials masked: "redis at redis://:***@host:6379/0"."""
    info = get_store().backend.describe()
    return f"the {info['backend']} backend at {info['target']}"


class DiagnosticCommand(BaseCommand):
    requires_system_checks = []
    # Works on the configured backend: refused (exit 2, naming it) after a DEBUG fallback to JSON
    # files, which would otherwise be inspected or written in its place. health reports the fallback.
    needs_configured_backend = True

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    def handle(self, *args, **options):
        self.printer = Printer(self.stdout)
        fell_back = fallback() if self.needs_configured_backend else None
        try:
            if fell_back:
                raise FellBack(fallback_message(fell_back) + ": start it (or fix REDIS_URL) and run again")
            code = self.run(options)
        except (StorageError, CouldNotRun) as exc:
            message = _safe(str(exc) if isinstance(exc, CouldNotRun) else f"{type(exc).__name__}: {exc}")
            if isinstance(exc, StorageUnavailable):  # say which backend failed, not only a host and port
                message = f"{_target()} could not be reached: {message}"
            if options["format"] == "json":
                write_json(self.stdout, {"error": message})
            else:
                Printer(self.stderr).line(f"Could not run: {message}", "failed")
            code = COULD_NOT_RUN
        if code:
            raise SystemExit(code)

    def run(self, options):
        raise NotImplementedError

    def emit(self, options, data, render):
        if options["format"] == "json":
            write_json(self.stdout, data)
        else:
            render(data)
