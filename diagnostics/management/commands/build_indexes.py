"""manage.py build_indexes: fill the indexes of records written before those indexes existed,
convert the reference indexes an older version wrote as sets (each a hash now; reads take either),
and move unique indexes written by an older version (one hash) into their buckets.

The creation index of an older version (one sorted set per collection) is moved into the paged
creation index, which takes about 90 bytes less per record, and removed; until then it is the one
read, and the writes keep both.

Lists of a collection larger than the process cache are read from Redis's indexes; an order that
has a sort index (sessions by starts_at) is served by it once the index is complete, and scanned
until then (data written by an older version reads correctly either way); a unique index is read
in both forms until it is moved. Idempotent and resumable: run it again after an interruption and
it goes on from where it stopped.
"""

from storage.keys import CREATION_ORDER
from storage.store import get_store, specs

from ._base import OK, DiagnosticCommand


class Command(DiagnosticCommand):
    help = (
        "Build the creation and sort indexes of existing records, upgrade their reference indexes and "
        "move old unique indexes into buckets "
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
        built, upgraded, moved = [], [], []
        for name, spec in sorted(known.items()):
            if wanted and name != wanted:
                continue
            collection = get_store().collection(name)
            for field in (CREATION_ORDER, *spec.sorts):  # the creation index first: the builds walk it

                def progress(done, total, name=name, field=field):
                    self.stderr.write(f"{name}.{field}: {done}/{total} record(s) read")

                placed = collection.build_sort_index(field, progress=progress)
                built.append({"collection": name, "field": field, "placed": placed, "complete": True})
            if spec.references:

                def converted(done, total, name=name):
                    self.stderr.write(f"{name} reference indexes: {done}/{total} key(s) read")

                count = collection.upgrade_references(progress=converted)
                upgraded.append({"collection": name, "converted": count})
            for field in spec.unique:

                def moving(done, total, name=name, field=field):
                    self.stderr.write(f"{name}.{field}: {done}/{total} unique entries moved into buckets")

                count = collection.move_unique_index(field, progress=moving)
                moved.append({"collection": name, "field": field, "moved": count})
        self.emit(options, {"indexes": built, "references": upgraded, "unique": moved}, self.render)
        return OK

    def render(self, data):
        if not data["indexes"]:
            self.printer.line("No collection has a sort index to build", "passed")
        for entry in data["indexes"]:
            self.printer.line(
                f"{entry['collection']}.{entry['field']}: complete ({entry['placed']} record(s) placed now)", "passed"
            )
        for entry in data["references"]:
            converted = f"{entry['converted']} key(s) converted now"
            self.printer.line(f"{entry['collection']} reference indexes: current ({converted})", "passed")
        for entry in data["unique"]:
            where = f"{entry['collection']}.{entry['field']}"
            self.printer.line(f"{where} unique index: in buckets ({entry['moved']} moved now)", "passed")
