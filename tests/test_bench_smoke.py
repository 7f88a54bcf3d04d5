"""Smoke test of the benchmark code on tiny sizes: it runs end to end and the report carries every
target line. No timing is asserted (speed belongs to the benchmarks themselves). The API part needs
wrk and starts gunicorn: the ORM runs on SQLite there (PostgreSQL is `make bench`'s business)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import analysis, run


@pytest.mark.usefixtures("redis_server")  # skips cleanly when no redis-server binary is installed
def test_bench_runs_on_tiny_sizes_and_the_report_has_every_target_line(tmp_path):
    result = run.main(["--tiny", "--skip-api", "--out", str(tmp_path)])
    operations = {(r["backend"], r["op"]) for r in result["storage"]}
    for backend in ("redis", "rest", "jsonfile", "redis, clients", "redis, sessions"):
        for op in ("detail read", "list page of 50, unchanged", "list page of 50 after one change"):
            assert (backend, op) in operations
    for backend in ("redis", "rest", "jsonfile"):
        assert {(backend, "create"), (backend, "update")} <= operations
    update = next(r for r in result["storage"] if r["backend"] == "redis" and r["op"] == "update")
    assert update["round_trips"] == 1 and update["by_command"]["evalsha"] == 1  # one send per update
    assert {m["collection"] for m in result["memory"]} == {"clients", "sessions"}
    assert [c["collection"] for c in result["scale"]["cold"]] == ["clients", "sessions"]
    report = next(tmp_path.glob("*.md")).read_text()
    for label in analysis.LABELS:
        assert f"- {label}" in report, label
    assert f"- {analysis.FLOOR}: create.lua " in report  # the scripts alone, measured
    assert "API detail ≥ 1.3× the ORM on PostgreSQL: not measured in this run (--skip-api)" in report
    assert list(tmp_path.glob("*-list-latency.png"))


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_api_bench_serves_each_system_and_reports_every_endpoint(redis_server):
    """The API harness end to end on tiny sizes: gunicorn for the project, the ORM on SQLite and the
    framework's ceiling, wrk on every endpoint; PostgreSQL left out (reported, not faked)."""
    from bench.api_bench import CEILING, CONSTANT, ORM_SQLITE, OURS, RECORD_ENDPOINTS, run_api

    api = run_api(redis_server, 1, 200, 20, lambda message: None, postgres_wanted=False, rounds=1, warmup=False)
    for endpoint in RECORD_ENDPOINTS:
        for system in (OURS, ORM_SQLITE):
            result = api["endpoints"][endpoint][system]
            assert result["requests"] > 0 and result["errors"] == 0, (endpoint, system, result)
        assert "ORM on PostgreSQL" not in api["endpoints"][endpoint]
    assert api["endpoints"][CONSTANT][CEILING]["errors"] == 0
    assert api["fresh_worker"]["records"] >= 200 and api["fresh_worker"]["first_page_seconds"] > 0
    assert any("PostgreSQL" in note and "no PostgreSQL number is reported" in note for note in api["notes"])
    lines = "\n".join(analysis.api_lines({"api": api}))
    assert "API detail ≥ 0.85× the framework's ceiling: " in lines and "not measured" in lines
    assert "API errors: 0 for this project: 0 error(s)" in lines


@pytest.mark.usefixtures("redis_server")
def test_the_request_costs_script_runs_each_feature_on_and_off():
    result = subprocess.run(
        [sys.executable, "-m", "bench.request_costs", "--count", "2", "--rounds", "1", "--clients", "3"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if " on " in line and " off " in line]
    measured = [line.split(" on ")[0].strip() for line in lines]
    assert measured == [
        "render cache: GET detail",
        "render cache: GET list of 50",
        "fields once: GET detail (render cache off)",
        "persistent connection: token looked up in SQL",
    ]


def test_the_memory_target_is_judged_at_the_sizes_it_names_and_smaller_loads_are_shown_unjudged():
    from bench import report

    def measured(collection, count, ratio):
        parts = dict.fromkeys(("records", "index", "changes", "unique", "by-indexes, other"), 10)
        return {
            "collection": collection,
            "count": count,
            "ratio": ratio,
            "total_per_record": 300 * ratio,
            "json_per_record": 300,
            "parts_per_record": parts,
            "op_keys_per_write": 136,
        }

    rows = [measured("clients", 10_000, 2.8), measured("clients", 100_000, 2.1), measured("sessions", 1_000_000, 1.9)]
    lines = analysis.memory_lines({"memory": rows})
    assert lines[0].endswith(f"2.80×: {analysis.NOT_A_TARGET_SIZE}.")
    assert "2.10×: **missed**" in lines[1] and lines[2].endswith("1.90×: met.")
    cells = [line.split(" | ")[6] for line in report.memory_table(rows)[2:]]
    assert cells == ["not judged at this size", "**missed**", "met"]
