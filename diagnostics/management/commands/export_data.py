import json

from storage.served import reset_stale, unparsable_skipped
from storage.store import get_store

from ...transfer import export_records
from ._base import OK, PROBLEMS, DiagnosticCommand


class Command(DiagnosticCommand):
    help = (
        "Write every stored record as JSON Lines (stdout by default). Exit 0; 1 if a stored record "
        "does not parse (it is named on stderr and left out); 2 if it could not run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")

    def handle(self, *args, **options):
        options.setdefault("format", "text")
        super().handle(*args, **options)

    def run(self, options):
        reset_stale()  # count only what this export leaves out
        records = list(export_records(get_store()))  # read everything first: no half-written file
        lines = "".join(
            json.dumps({"collection": name, "record": record}, ensure_ascii=False) + "\n" for name, record in records
        )
        if options["output"] == "-":
            self.stdout.write(lines, ending="")
        else:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(lines)
        counts = {}
        for name, _ in records:
            counts[name] = counts.get(name, 0) + 1
        summary = ", ".join(f"{n} {name}" for name, n in counts.items()) or "no record"
        self.stderr.write(f"Exported {len(records)} record(s): {summary}")
        left_out = unparsable_skipped()  # the records the collections could not parse while listed
        if left_out:
            self.stderr.write(
                f"Left out {len(left_out)} stored record(s) that do not parse: {', '.join(left_out)} "
                "(manage.py verify_redis lists them; restore them from an earlier export or delete the keys)"
            )
            return PROBLEMS
        return OK
