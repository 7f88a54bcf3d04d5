"""Smoke test of the benchmark code (issue 9) on tiny sizes: it runs end to end and writes a report.
No timing is asserted (speed belongs to the benchmarks themselves); the API part is skipped here
(it starts gunicorn and databases: `make bench-quick` covers it)."""

import pytest

from bench import run


@pytest.mark.usefixtures("redis_server")  # skips cleanly when no redis-server binary is installed
def test_bench_runs_on_tiny_sizes_and_writes_a_report(tmp_path):
    result = run.main(["--tiny", "--skip-api", "--out", str(tmp_path)])
    operations = {(r["backend"], r["op"]) for r in result["storage"]}
    for backend in ("redis", "rest", "jsonfile"):
        for op in ("detail read", "list, unchanged", "list after one change", "create", "update"):
            assert (backend, op) in operations
    assert {m["collection"] for m in result["memory"]} == {"clients", "sessions"}
    report = next(tmp_path.glob("*.md")).read_text()
    assert "## Storage layer" in report and "| redis | detail read |" in report
    assert list(tmp_path.glob("*-list-latency.png"))
