from django.conf import settings

from storage.backends.jsonfile import JsonFileBackend
from storage.store import Store, get_store

from ...terminal import Printer
from ...transfer import export_records, load
from ._base import OK, PROBLEMS, CouldNotRun, DiagnosticCommand
from .import_data import render_load


class Command(DiagnosticCommand):
    help = (
        "Copy the records of the DEBUG JSON-file backend into the configured Redis, idempotently. "
        "Exit 0 all copied, 1 some records refused, 2 could not run."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--data-dir", default=None, help="JSON files directory (default STORAGE_DATA_DIR)")
        parser.add_argument("--prefix", default=None, help="key prefix of the JSON files (default STORAGE_KEY_PREFIX)")

    def run(self, options):
        target = get_store()
        if target.backend.name == "jsonfile":
            raise CouldNotRun("The configured backend is jsonfile: set REDIS_URL (or STORAGE_BACKEND=redis) first")
        source = Store(
            JsonFileBackend(
                options["data_dir"] or settings.STORAGE["DATA_DIR"],
                options["prefix"] or settings.STORAGE["KEY_PREFIX"],
            )
        )
        if not source.backend.dir.is_dir():  # a mistyped --data-dir or prefix would "copy" nothing, and pass
            raise CouldNotRun(
                f"No JSON files at {source.backend.dir}: set --data-dir (or STORAGE_DATA_DIR) and --prefix "
                "(or STORAGE_KEY_PREFIX) to those the DEBUG server wrote with"
            )
        records = [(n, name, record) for n, (name, record) in enumerate(export_records(source), 1)]
        report = load(target, records)
        report["source"] = source.backend.describe()
        report["target"] = target.backend.describe()
        report["records"] = report["lines"] = len(records)
        self.emit(options, report, self.render)
        return PROBLEMS if report["errors"] else OK

    def render(self, report):
        p = Printer(self.stdout)
        p.line(
            f"Copying {report['records']} record(s) from {report['source']['target']} to {report['target']['target']}",
            "info",
        )
        render_load(p, report, unit="record")
