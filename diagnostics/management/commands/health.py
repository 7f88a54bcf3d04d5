from ... import checks
from ._base import COULD_NOT_RUN, OK, PROBLEMS, DiagnosticCommand


class Command(DiagnosticCommand):
    help = "Run the health checks (as /api/health). Exit 0 healthy or degraded, 1 unhealthy, 2 could not run."
    needs_configured_backend = False  # it reports the fallback itself (degraded)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--check", action="append", default=[], help="run only this check (repeatable)")

    def run(self, options):
        registry = {c.name: c for c in checks.REGISTRY}
        unknown = [n for n in options["check"] if n not in registry]
        if unknown:
            self.stderr.write(f"Unknown check(s): {', '.join(unknown)}. Known: {', '.join(registry)}")
            return COULD_NOT_RUN
        selected = [registry[n] for n in options["check"]] or None
        report = checks.report(checks.run_checks(selected))
        self.emit(options, report, self.render)
        return PROBLEMS if report["status"] == "unhealthy" else OK

    def render(self, report):
        p = self.printer
        status = {"healthy": "passed", "degraded": "warning", "unhealthy": "failed"}[report["status"]]
        backend = report["backend"]
        p.line(f"Health: {report['status']} — {backend['backend']} ({backend['target']}, {backend['mode']})", status)
        for name, result in report["checks"].items():
            label = f"{result.get('title') or name} ({name}{', critical' if result['critical'] else ''})"
            p.line(f"{label}: {result['message']} [{result['duration_ms']} ms]", result["status"], indent=1)
        s = report["summary"]
        p.line(f"{s['total']} check(s): {s['passed']} passed, {s['warnings']} warning(s), {s['failed']} failed")
