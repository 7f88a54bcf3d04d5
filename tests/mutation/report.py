"""docs/mutation-testing.md from the mutation runs (mutmut's state in ./mutants, the earlier runs of
the files it did not reach in tests/mutation/runs.json, and the Lua hand mutations' results,
mutants/lua.json).

    python -m tests.mutation.report [command] [lua.json]

Per file: mutants tried, killed, survived, not covered by the selected tests, timed out, not run
(a run stopped early or limited to some modules). Every survivor of the write path, cache
coherence, retry and stale-read code (CORE) is listed with mutmut's name (`mutmut show <name>`
prints the diff) and the reason it is equivalent (EQUIVALENT); the mutants that survived a first
run and are killed now are listed with the test that kills them (KILLED_BY). A CORE survivor
missing from EQUIVALENT is reported as NOT EXPLAINED.
"""

import json
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
DOC = ROOT / "docs" / "mutation-testing.md"
FIRST = MUTANTS / "first-survivors.json"  # the survivors before the re-run by name (tests/mutation/rerun.py)
from . import runs  # noqa: E402
from .survivors import EQUIVALENT, KILLED_BY, LUA_EQUIVALENT, REWRITTEN  # noqa: E402

CORE = (
    "storage.cache.",
    "storage.snapshot.",
    "storage.collection.",
    "storage.writes.",
    "storage.index_reads.",
    "storage.results.",
    "storage.served.",
    "storage.retry.",
    "storage.backends.commands.",
    "storage.backends.command_indexes.",
    "storage.backends.redis.",
    "storage.backends.rest.",
    "storage.backends.jsonfile.",
    "storage.backends.jsonfile_writes.",
    "storage.models.model.",
    "storage.models.indexed.",
    "storage.models.memo.",
)
INTRO = [
    "## How it runs",
    "",
    "- `make mutate` empties `./mutants` (mutmut would keep its old copy of the files), runs mutmut over "
    "`[tool.mutmut] only_mutate` with the tests of `pytest_add_cli_args_test_selection` (real Redis required), "
    "then the Lua hand mutations, then writes this page. `MUTATE_CHILDREN=1` on a shared machine; "
    "`MUTANTS='storage.writes*'` (mutmut's name globs) for one module at a time: the files a run does not reach "
    "keep the figures of their last run, kept in `tests/mutation/runs.json` (committed), with its date and commit.",
    "- mutmut swaps one function's body for a mutant and runs only the tests that covered that function in its "
    "first pass, stopping at the first failure. Code run at import time (a decorator's body) is only mutated "
    "where a test runs it itself: `tests/test_guarantee_retry.py` wraps a primitive with the retry policy.",
    "- Each Lua mutant is a copy of the project with one snippet of `storage/scripts/*.lua` replaced; the snippet "
    "must occur exactly once, else the run stops before anything runs and names every stale snippet. The tests "
    "on its row run on redis and rest (a real redis-server behind `tests/upstash_server.py`).",
    "- A new survivor: `mutmut show <name>` prints its diff. Write a test that fails on it (on real Redis where "
    "the promise is about Redis), or add it to `EQUIVALENT` (`LUA_EQUIVALENT`) in `tests/mutation/report.py` with "
    "one line saying why no test can tell it from the original. `python -m tests.mutation.rerun` then re-runs the "
    "survivors by name with the new tests, and `python -m tests.mutation.report` rewrites this page.",
]


def outcome(code):
    """mutmut's own reading of an exit code (killed, survived, no tests, timeout...)."""
    from mutmut.stats import status_by_exit_code

    return "not run" if code is None else status_by_exit_code.get(code, "suspicious")


def meta_codes():
    """{source file: {mutant name: exit code or None}} of the run in ./mutants."""
    found = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        if codes:
            found[meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")] = codes
    return found


def diff_line(name):
    """The mutated line, from `mutmut show` (its first + line)."""
    shown = subprocess.run(
        [sys.executable, "-m", "mutmut", "show", name], cwd=ROOT, capture_output=True, text=True, timeout=120
    ).stdout
    plus = [line[1:].strip() for line in shown.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return plus[0] if plus else "(see `mutmut show`)"


def cell(text):
    return "`" + text.replace("\n", "⏎").replace("|", "\\|") + "`" if text else "(removed)"


def python_section(records):
    survivors = {n: line for r in records.values() for n, line in r["survivors"].items()}
    others = sorted(n for n in survivors if not n.startswith(CORE))
    return [
        *totals_table(records),
        *core_survivors_table(survivors),
        *rescued_table(records),
        "",
        f"Other survivors ({len(others)}, outside those promises): " + ", ".join(f"`{n}`" for n in others[:400]),
    ]


def totals_table(records):
    """The mutants of each file, by outcome, with the run its figures come from."""
    total = sum((Counter(r["counts"]) for r in records.values()), Counter())
    lines = [
        "## Python (mutmut)",
        "",
        f"Mutants: {sum(total.values())}. Killed {total['killed']}, survived {total['survived']}, "
        f"not covered by the selected tests {total['no tests']}, timed out {total['timeout']} (counted as "
        f"killed by mutmut: the mutant hangs the tests), not run {total['not run']} (modules this run and the "
        "earlier ones kept in `tests/mutation/runs.json` did not reach). Each file's figures come from the run "
        "named on its row.",
        "",
        "| file | run | mutants | killed | survived | no tests | timeout | not run |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for source, record in records.items():
        t = Counter(record["counts"])
        lines.append(
            f"| `{source}` | {record['run']} | {sum(t.values())} | {t['killed']} | {t['survived']} | "
            f"{t['no tests']} | {t['timeout']} | {t['not run']} |"
        )
    return lines


def core_survivors_table(survivors):
    """Each survivor of the promised code, with why it is equivalent or the test written for it."""
    core = sorted(n for n in survivors if n.startswith(CORE))
    lines = [
        "",
        "### Survivors in the write path, cache coherence, retry and stale-read code",
        "",
        f"{len(core)} survive (or run no selected test): equivalent to the original for the reason given, or with "
        "a test written for them "
        "that mutmut's re-run did not pick (its map of which test covers which function dates from the run's "
        "first pass, before the test existed: a fresh `make mutate` confirms the kill), or NOT EXPLAINED.",
        "",
        "| mutant | mutated line | why it is equivalent |",
        "|---|---|---|",
    ]
    for name in core:
        written = f"test written, kill not yet confirmed by mutmut: `{KILLED_BY.get(name)}`"
        rewritten = next((why for prefix, why in REWRITTEN.items() if name.startswith(prefix)), None)
        why = EQUIVALENT.get(name) or (written if name in KILLED_BY else rewritten or "**NOT EXPLAINED**")
        lines.append(f"| `{name}` | {cell(survivors[name])} | {why} |")
    return lines


def rescued_table(records):
    """The promised code's mutants that an earlier run let survive and a later one killed."""
    rescued = sorted(n for r in records.values() for n in r["rescued"] if n.startswith(CORE))
    lines = [
        "",
        "### Killed by a test written for it",
        "",
        f"{len(rescued)} mutants that survived an earlier run are killed in a later one, by the test named here "
        "(written for them).",
        "",
        "",
        "| mutant | test |",
        "|---|---|",
    ]
    for name in rescued:
        lines.append(f"| `{name}` | `{KILLED_BY.get(name, '(not recorded)')}` |")
    return lines


def lua_section(path):
    lines = ["## Lua scripts (hand mutations)", ""]
    if not path.exists():
        return [*lines, f"Not run in this report (no {path.name})."]
    results = json.loads(path.read_text())
    killed = sum(r["killed"] for r in results)
    lines += [
        f"Tried {len(results)}: killed {killed}, survived {len(results) - killed}. Each mutant runs the tests "
        "named on its row, on redis and rest (`tests/mutation/lua_mutants.py`).",
        "",
        "| script | original | replacement | result | tests |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        key = (r["script"], r["original"], r["replacement"])
        verdict = "killed" if r["killed"] else f"survived: {LUA_EQUIVALENT.get(key, '**NOT EXPLAINED**')}"
        tests = ", ".join(r["tests"])
        lines.append(f"| {r['script']} | {cell(r['original'])} | {cell(r['replacement'])} | {verdict} | {tests} |")
    return lines


def main(argv):
    command = argv[0] if argv else "make mutate"
    lua = Path(argv[1]) if len(argv) > 1 else MUTANTS / "lua.json"
    first = set(KILLED_BY) | set(json.loads(FIRST.read_text()) if FIRST.exists() else ())
    codes = meta_codes()
    label = runs.label(ROOT, MUTANTS)
    lines = {n: line for r in runs.load().values() if r["run"] == label for n, line in r["survivors"].items()}
    survivors = [n for found in codes.values() for n, code in found.items() if runs.unkilled(outcome(code))]
    survivors = [n for n in survivors if n not in lines]  # a report written again reuses what it read
    with ThreadPoolExecutor(max_workers=4) as pool:  # one `mutmut show` process per survivor
        lines.update(zip(survivors, pool.map(diff_line, survivors), strict=True))
    records = runs.merged(codes, outcome, lines.__getitem__, first, label)
    runs.save(records)
    lines = [
        "# Mutation testing",
        "",
        f"Generated by `tests/mutation/report.py` on {datetime.now(UTC).date()} after `{command}` "
        f"(mutmut {version('mutmut')} over the storage core, configured in `pyproject.toml` `[tool.mutmut]`, "
        "then the Lua hand mutations of `tests/mutation/lua_mutants.py`). Not part of `make test`: "
        "`make mutate` runs it all (hours on 2 cores).",
        "",
        *INTRO,
        "",
        *python_section(records),
        "",
        *lua_section(lua),
    ]
    DOC.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
