"""Mutation results per file, kept in tests/mutation/runs.json so that runs of some modules (a full
run takes hours on 2 cores) add up to one report: a file mutated in the current run (./mutants)
replaces its earlier entry; the others keep theirs, with the date and commit they were run at."""

import json
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

RUNS = Path(__file__).with_name("runs.json")


def load():
    return json.loads(RUNS.read_text()) if RUNS.exists() else {}


def save(records):
    RUNS.write_text(json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def label(root, mutants):
    """'<date> at <commit>' of the run in ./mutants: the commit `make mutate` wrote to
    mutants/run-commit when it started, else the one checked out now."""
    recorded = mutants / "run-commit"
    commit = recorded.read_text().strip() if recorded.exists() else ""
    if not commit:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=False
        ).stdout.strip()
    return f"{datetime.now(UTC).date()} at {commit or 'an unknown commit'}"


def unkilled(status):
    """A mutant no test failed on: it survived, or no selected test runs its code."""
    return status in ("survived", "no tests")


def current(meta_codes, outcome, diff_line, rescued_names, run_label):
    """Entries for the files the current run reached: {source: entry}. meta_codes is
    {source: {mutant name: exit code or None}}."""
    records = {}
    for source, codes in meta_codes.items():
        if all(code is None for code in codes.values()):
            continue
        counts = Counter(outcome(code) for code in codes.values())
        records[source] = {
            "run": run_label,
            "counts": dict(counts),
            "survivors": {name: diff_line(name) for name, code in codes.items() if unkilled(outcome(code))},
            "rescued": sorted(n for n in rescued_names if outcome(codes.get(n)) in ("killed", "timeout")),
        }
    return records


def merged(meta_codes, outcome, diff_line, rescued_names, run_label):
    """Every file's entry: this run's (unless it stopped part-way through a file an earlier run
    completed), else the earlier one, else all 'not run'."""
    records = load()
    for source, entry in current(meta_codes, outcome, diff_line, rescued_names, run_label).items():
        complete = "not run" not in entry["counts"]
        if complete or source not in records:  # a run stopped part-way keeps a complete earlier one
            records[source] = entry
    for source, codes in meta_codes.items():
        never = {"run": "not run", "counts": {"not run": len(codes)}, "survivors": {}, "rescued": []}
        records.setdefault(source, never)
    return dict(sorted(records.items()))
