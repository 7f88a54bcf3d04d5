import sys

from storage.store import get_store

from ...terminal import Printer
from ...transfer import headline, load_lines
from ._base import OK, PROBLEMS, CouldNotRun, DiagnosticCommand


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
        # Bytes, decoded line by line: a line that is not UTF-8 is refused alone, with its number.
        try:
            if options["file"] == "-":
                lines = sys.stdin.buffer.read().splitlines()
            else:
                with open(options["file"], "rb") as handle:
                    lines = handle.read().splitlines()
        except OSError as exc:
            raise CouldNotRun(f"Cannot read {options['file']}: {exc.strerror or exc}") from exc
        store = get_store()
        store.backend.ping()  # an unreachable backend stops the import, even of a file with no record
        report = load_lines(store, lines, progress_bar(sys.stderr))
        report["file"] = options["file"]
        self.emit(options, report, self.render)
        return PROBLEMS if report["errors"] else OK

    def render(self, report):
        render_load(Printer(self.stdout), report)


def render_load(p, report, unit="line"):
    p.line(*headline(report, unit))
    for conflict in report["conflicts"]:
        p.line(f"line {conflict['line']}: {conflict['id']} {conflict['message']}", "warning", indent=1)
    for error in report["errors"]:
        p.line(f"line {error['line']}: {error['message']}", "failed", indent=1)
