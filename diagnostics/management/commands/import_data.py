import sys

from storage.store import get_store

from ...terminal import Printer
from ...transfer import load_lines
from ._base import COULD_NOT_RUN, OK, PROBLEMS, DiagnosticCommand


def progress_bar(stream):
    """A progress bar on stderr, only when stderr is a terminal."""
    if not stream.isatty():
        return None

    def show(done, total):
        if done == total or done % 50 == 0:
            filled = int(30 * done / total)
            stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            if done == total:
                stream.write("\n")
            stream.flush()

    return show


class Command(DiagnosticCommand):
    help = (
        "Import JSON Lines written by export_data: each record validated as by the API, ids and timestamps "
        "kept, idempotent. Exit 0 all imported, 1 some lines refused, 2 could not run."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="the JSON Lines file ('-' for stdin)")

    def run(self, options):
        try:
            if options["file"] == "-":
                lines = sys.stdin.read().splitlines()
            else:
                with open(options["file"], encoding="utf-8") as handle:
                    lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            self.stderr.write(f"Cannot read {options['file']}: {exc}")
            return COULD_NOT_RUN
        report = load_lines(get_store(), lines, progress_bar(sys.stderr))
        self.emit(options, report, self.render)
        return PROBLEMS if report["errors"] else OK

    def render(self, report):
        render_load(Printer(self.stdout), report)


def render_load(p, report):
    p.line(f"{report['created']} record(s) created, {report['unchanged']} already there unchanged", "passed")
    for conflict in report["conflicts"]:
        p.line(f"line {conflict['line']}: {conflict['id']} {conflict['message']}", "warning", indent=1)
    for error in report["errors"]:
        p.line(f"line {error['line']}: {error['message']}", "failed", indent=1)
    if report["errors"]:
        p.line(f"{len(report['errors'])} line(s) refused", "failed")
