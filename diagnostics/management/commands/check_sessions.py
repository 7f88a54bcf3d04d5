from ... import compare, verify
from ._base import OK, PROBLEMS, DiagnosticCommand


class Command(DiagnosticCommand):
    help = (
        "Compare the sessions in the backend with this process's memory (as /api/database/check-sessions). "
        "Exit 0 no difference, 1 differences, 2 could not run."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--limit", default=None, help="sessions listed (default 100)")
        parser.add_argument("--load", action="store_true", help="load this process's memory first (as a worker would)")

    def run(self, options):
        try:
            limit = verify.parse_limit(options["limit"])
        except ValueError as exc:
            self.stderr.write(str(exc))
            return 2
        if options["load"]:
            from storage.store import get_store

            get_store().collection("sessions").all()
        result = compare.compare("sessions", limit)
        self.emit(options, result, self.render)
        return OK if result["consistent"] else PROBLEMS

    def render(self, result):
        p = self.printer
        memory = result["memory"]
        p.line(f"Backend: {result['backend']['count']} session(s), version {result['backend']['version']}", "info")
        if memory["loaded"]:
            p.line(f"Memory: {memory['count']} session(s), version {memory['version']}", "info")
        else:
            p.line(result["note"], "info")
        counts = result["differences"]["counts"]
        for key, label in (
            ("only_in_backend", "Only in the backend"),
            ("only_in_memory", "Only in memory"),
            ("different_versions", "Different versions"),
        ):
            if counts[key]:
                ids = [d["id"] if isinstance(d, dict) else d for d in result["differences"][key]]
                p.line(f"{label}: {counts[key]} — {', '.join(ids)}", "failed")
        for row in result[result["collection"]]:
            shown = [str(v) for k, v in row.items() if k != "version" and v not in (None, "")]
            p.line(f"{'  '.join(shown)}  v{row['version']}", indent=1)
        if not result["compared"]:  # never "agree" about nothing
            p.line(f"{result['summary']}: run with --load, or open /api/database/check-sessions", "warning")
        else:
            p.line(result["summary"], "passed" if result["consistent"] else "failed")
