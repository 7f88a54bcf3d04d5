from ... import verify
from ._base import OK, PROBLEMS, DiagnosticCommand


class Command(DiagnosticCommand):
    help = (
        "Verify the stored records against their indexes (as /api/database/verify-redis); --repair fixes what "
        "is safe. Exit 0 consistent, 1 problems found (or left after --repair), 2 could not run."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--repair", action="store_true", help="apply the safe fixes, atomically per fix")
        parser.add_argument("--dry-run", action="store_true", help="show what --repair would do, change nothing")
        parser.add_argument(
            "--delete-orphans", action="store_true", help="with --repair: delete records whose reference is missing"
        )
        parser.add_argument("--limit", default=None, help=f"ids listed per problem (1-{verify.MAX_LIMIT}, default 100)")

    def run(self, options):
        try:
            limit = verify.parse_limit(options["limit"])
        except ValueError as exc:
            self.stderr.write(str(exc))
            return 2
        if options["repair"] or options["dry_run"]:
            result = verify.repair(
                delete_orphans=options["delete_orphans"],
                dry_run=options["dry_run"] or not options["repair"],
                limit=limit,
            )
            self.emit(options, result, self.render_repair)
            return OK if result["after"]["consistent"] else PROBLEMS
        report = verify.verify(limit)
        self.emit(options, report, self.render_report)
        return OK if report["consistent"] else PROBLEMS

    def render_report(self, report, title="Verify"):
        p = self.printer
        backend = report.get("backend", {})
        if backend:
            p.line(f"{title}: {backend.get('backend')} ({backend.get('target')})", "info")
        for name, fam in report["collections"].items():
            unique = ", ".join(f"unique:{f} {u['entries']}" for f, u in fam["unique"].items())
            by = ", ".join(f"by:{f} {b['entries']} in {b['sets']} set(s)" for f, b in fam["by"].items())
            parts = [
                f"{fam['records']['count']} record(s)",
                f"{fam['records']['unparseable']} unparseable",
                f"index {fam['index']['entries'] if fam['index']['present'] else 'absent'}",
                f"version {fam['version']['value'] if fam['version']['present'] else 'absent'}",
                f"changes {fam['changes']['entries']}",
            ]
            p.line(f"{name}: " + ", ".join(parts + [x for x in (unique, by) if x]), indent=1)
        if report["consistent"]:
            p.line("No integrity problem found", "passed")
            return
        for problem in report["problems"]:
            more = " …" if problem["truncated"] else ""
            p.line(f"{problem['title']} — {problem['collection']}: {problem['count']}", "failed")
            p.line(f"ids: {', '.join(problem['ids'])}{more}", indent=2)
            p.line(f"fix: {problem['fix']}", indent=2)
        p.line(f"{report['summary']['problems']} problem(s) found", "failed")

    def render_repair(self, result):
        p = self.printer
        verb = "Would" if result["dry_run"] else "Did"
        self.render_report(result["before"], title="Before repair")
        if not result["actions"]:
            p.line("Nothing to repair")
        for action in result["actions"]:
            status = "fixed" if action["result"] == "applied" or action["result"].startswith("deleted") else "info"
            p.line(f"{verb}: {action['action']} ({action['collection']}) → {action['result']}", status, indent=1)
        if result["dry_run"]:
            p.line("Dry run: nothing was changed. Run with --repair to apply.", "info")
            return
        p.line(f"{result['applied']} fix(es) applied")
        self.render_report(result["after"], title="After repair")
