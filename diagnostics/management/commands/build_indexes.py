"""manage.py build_indexes: fill the sort indexes of records written before those indexes existed,
and move unique indexes written by an older version (one hash) into their buckets.

Lists of a collection larger than the process cache are read from Redis's indexes; an order that
has a sort index (sessions by starts_at) is served by it once the index is complete, and scanned
until then (data written by an older version reads correctly either way); a unique index is read
in both forms until it is moved. Idempotent and resumable: run it again after an interruption and
it goes on from where it stopped.
"""

from storage.store import get_store, specs

from ._base import OK, DiagnosticCommand


class Command(DiagnosticCommand):
    help = (
        "Build the sort indexes of existing records and move old unique indexes into buckets "
        "(idempotent, resumable; progress on stderr)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--collection", help="only this collection (default: every collection)")

    def run(self, options):
        wanted = options.get("collection")
        known = specs()
        if wanted and wanted not in known:
            self.stderr.write(f"No collection named {wanted!r}: choose one of {', '.join(sorted(known))}")
            raise SystemExit(2)
        built, moved = [], []
        for name, spec in sorted(known.items()):
            if wanted and name != wanted:
                continue
            collection = get_store().collection(name)
            for field in spec.sorts:

                def progress(done, total, name=name, field=field):
                    self.stderr.write(f"{name}.{field}: {done}/{total} record(s) read")

                placed = collection.build_sort_index(field, progress=progress)
                built.append({"collection": name, "field": field, "placed": placed, "complete": True})
            for field in spec.unique:

                def moving(done, total, name=name, field=field):
                    self.stderr.write(f"{name}.{field}: {done}/{total} unique entries moved into buckets")

                count = collection.move_unique_index(field, progress=moving)
                moved.append({"collection": name, "field": field, "moved": count})
        self.emit(options, {"indexes": built, "unique": moved}, self.render)
        return OK

    def render(self, data):
        if not data["indexes"]:
            self.printer.line("No collection has a sort index to build", "passed")
        for entry in data["indexes"]:
            self.printer.line(
                f"{entry['collection']}.{entry['field']}: complete ({entry['placed']} record(s) placed now)", "passed"
            )
        for entry in data["unique"]:
            where = f"{entry['collection']}.{entry['field']}"
            self.printer.line(f"{where} unique index: in buckets ({entry['moved']} moved now)", "passed")
