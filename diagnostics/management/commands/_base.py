"""Shared by the diagnostic commands: --format text|json and the exit codes
(0 healthy / consistent, 1 unhealthy / problems found, 2 the check itself could not run)."""

from django.core.management.base import BaseCommand

from storage.errors import StorageError

from ...checks import _safe
from ...terminal import Printer, write_json

OK, PROBLEMS, COULD_NOT_RUN = 0, 1, 2


class DiagnosticCommand(BaseCommand):
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    def handle(self, *args, **options):
        self.printer = Printer(self.stdout)
        try:
            code = self.run(options)
        except StorageError as exc:
            message = _safe(f"{type(exc).__name__}: {exc}")
            if options["format"] == "json":
                write_json(self.stdout, {"error": message})
            else:
                self.printer.line(f"Could not run: {message}", "failed")
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
