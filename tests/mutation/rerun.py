"""Re-run, by name, the mutants that survived the last mutmut run (after tests were written for
them), keeping their names in mutants/first-survivors.json for the report.

    python -m tests.mutation.rerun [GLOB ...]   (default: every survivor)

The tests are copied into ./mutants first: mutmut runs the copy it made at the start of the run.
"""

import fnmatch
import json
import shutil
import subprocess
import sys

from tests.mutation.report import MUTANTS, ROOT


def survivors():
    names = []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        names += [name for name, code in codes.items() if code == 0]
    return names


def main(argv):
    globs = argv or ["*"]
    names = [n for n in survivors() if any(fnmatch.fnmatch(n, g) for g in globs)]
    first = MUTANTS / "first-survivors.json"
    kept = json.loads(first.read_text()) if first.exists() else []
    first.write_text(json.dumps(sorted(set(kept) | set(names)), indent=1))
    shutil.copytree(ROOT / "tests", MUTANTS / "tests", dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    if not names:
        return 0
    return subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", "1", *names], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
