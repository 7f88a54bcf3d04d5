"""Smoke test of the benchmark code on tiny sizes: it runs end to end and writes a report.
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


def test_api_bench_serves_each_system_and_reports_every_endpoint(redis_server):
    """The API harness end to end on tiny sizes: gunicorn for the project's API and the ORM-on-SQLite
    baseline, the load generator in its own process; PostgreSQL left out (reported, not faked)."""
    from bench.api_bench import ENDPOINTS, OURS, run_api

    api = run_api(redis_server, requests=6, size=20, log=lambda message: None, postgres=False)
    for endpoint in ENDPOINTS:
        for system in (OURS, "ORM on SQLite"):
            result = api["endpoints"][endpoint][system]
            assert result["requests"] == 6 and result["errors"] == 0, (endpoint, system, result)
        assert "ORM on PostgreSQL" not in api["endpoints"][endpoint]
    assert any("PostgreSQL" in note and "no number reported" in note for note in api["notes"])
