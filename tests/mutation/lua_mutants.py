"""Hand-made mutations of the Lua write scripts (mutmut mutates Python only).

    python -m tests.mutation.lua_mutants [--json OUT] [--only SCRIPT.lua]

Each mutant is (script, exact original snippet, replacement, tests). One at a time, the project is
copied to a temporary directory, the snippet replaced there (it must occur exactly once: a script
edited since this list was written fails loudly with "snippet not found", never passes silently),
and the tests run against the copy with real Redis. Killed = the tests failed. Not collected by
pytest (no test_ prefix); `make mutate` runs it after mutmut.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = "storage/scripts"

from tests.mutation.lua_snippets import KEEP, MUTANTS  # noqa: E402

IGNORE = shutil.ignore_patterns(".venv", "mutants", ".git", "__pycache__", "*.pyc", "node_modules", "data")


def apply(copy, script, original, replacement):
    path = copy / SCRIPTS / script
    text = path.read_text()
    found = text.count(original)
    if found != 1:
        raise SystemExit(
            f"snippet not found exactly once in {SCRIPTS}/{script} ({found} times): {original!r}\n"
            "The script changed since tests/mutation/lua_mutants.py was written: update the snippet."
        )
    path.write_text(text.replace(original, replacement))


def run_one(script, original, replacement, tests):
    with tempfile.TemporaryDirectory(prefix="lua-mutant-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT, copy, ignore=IGNORE, symlinks=True)
        (copy / ".venv").symlink_to(ROOT / ".venv")
        apply(copy, script, original, replacement)
        started = time.monotonic()
        env = {**os.environ, "REQUIRE_REAL_REDIS": "1"}
        env.pop("RELIABILITY_FIGURES_DIR", None)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *KEEP, *tests],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        return result.returncode != 0, time.monotonic() - started, result.stdout.strip().splitlines()[-1:]


def main(argv):
    out = argv[argv.index("--json") + 1] if "--json" in argv else None
    stale = [
        f"  {SCRIPTS}/{script}: {original!r} found {(ROOT / SCRIPTS / script).read_text().count(original)} times"
        for script, original, _, _ in MUTANTS
        if (ROOT / SCRIPTS / script).read_text().count(original) != 1
    ]
    if stale:  # every snippet checked before anything runs
        raise SystemExit(
            "snippet not found exactly once (the script changed since tests/mutation/lua_mutants.py was "
            "written: update these snippets):\n" + "\n".join(stale)
        )
    only = argv[argv.index("--only") + 1] if "--only" in argv else None  # e.g. --only delete.lua
    results = []
    for script, original, replacement, tests in MUTANTS:
        if only and script != only:
            continue
        killed, seconds, tail = run_one(script, original, replacement, tests)
        line = " ".join(tail)
        verdict = "killed  " if killed else "SURVIVED"
        print(f"{verdict} {script}: {original!r} -> {replacement!r} ({seconds:.0f} s) {line}", flush=True)
        results.append(
            {"script": script, "original": original, "replacement": replacement, "tests": tests, "killed": killed}
        )
    if out:
        Path(out).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
