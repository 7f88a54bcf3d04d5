"""Hand-made mutations of the Lua write scripts (mutmut mutates Python only).

    python -m tests.mutation.lua_mutants [--json OUT]

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
WRITES = "tests/test_guarantee_writes.py"
CONTRACT = "tests/test_storage_contract.py"
CACHE = "tests/test_guarantee_reads.py"
LOST = "tests/test_storage_redis.py::test_a_write_whose_reply_is_lost_is_applied_once"
REST_LOST = "tests/test_guarantee_writes.py::test_rest_a_lost_reply_of_the_script_call_itself_is_applied_once"
REPAIR = "tests/test_diagnostics_verify.py"
INSPECT = "tests/test_storage_inspect_contract.py"

MUTANTS = [
    # prelude: the operation-id lookup and record, change log, unique / reference checks, indexes
    ("prelude.lua", "local done = redis.call('GET', KEYS[6])", "local done = false", [LOST, REST_LOST]),
    ("prelude.lua", "redis.call('SET', KEYS[6], cjson.encode(result), 'EX', spec.op_ttl)", "", [LOST, REST_LOST]),
    (
        "prelude.lua",
        "local version = redis.call('INCR', key(collection, 'version'))",
        "local version = tonumber(redis.call('GET', key(collection, 'version')) or 0)",
        [CONTRACT, CACHE],
    ),
    ("prelude.lua", "redis.call('ZADD', changes, version, id)", "", [CONTRACT, CACHE]),
    (
        "prelude.lua",
        "if size > spec.changes_max + spec.changes_slack then",
        "if size < spec.changes_max + spec.changes_slack then",
        [CONTRACT],
    ),
    (
        "prelude.lua",
        "redis.call('HSET', KEYS[5], 'floor:' .. collection, last[2])",
        "",
        ["tests/test_storage_contract_scaled.py", CONTRACT],
    ),
    ("prelude.lua", "if owner and owner ~= id then", "if owner and owner == id then", [CONTRACT]),
    ("prelude.lua", "if u[3] ~= '' then\n      local owner", "if false then\n      local owner", [CONTRACT]),
    (
        "prelude.lua",
        "if r[3] ~= '' and redis.call('EXISTS', key(r[2], r[3])) == 0 then",
        "if r[3] ~= '' and redis.call('EXISTS', key(r[2], r[3])) == 1 then",
        [CONTRACT],
    ),
    ("prelude.lua", "redis.call('HDEL', hash, u[2])", "", [CONTRACT]),
    (
        "prelude.lua",
        "if u[3] ~= '' then\n      redis.call('HSET', hash, u[3], id)",
        "if false then\n      redis.call('HSET', hash, u[3], id)",
        [CONTRACT],
    ),
    ("prelude.lua", "redis.call('SREM', key(coll, 'by', b[1], b[2]), id)", "", [CONTRACT]),
    ("prelude.lua", "redis.call('SADD', key(coll, 'by', b[1], b[3]), id)", "", [CONTRACT]),
    # create
    (
        "create.lua",
        "if redis.call('EXISTS', KEYS[1]) == 1 then",
        "if redis.call('EXISTS', KEYS[1]) == 2 then",
        [CONTRACT],
    ),
    ("create.lua", "redis.call('SET', KEYS[1], ARGV[2])", "", [CONTRACT]),
    ("create.lua", "redis.call('ZADD', KEYS[2], spec.created_ms, spec.id)", "", [CONTRACT]),
    ("create.lua", "local problem = check_unique(spec.id) or check_refs()", "local problem = check_refs()", [CONTRACT]),
    (
        "create.lua",
        "return finish({'ok', 1, record_change(coll, spec.id)})",
        "return finish({'ok', 1, 0})",
        [CONTRACT, CACHE],
    ),
    # update
    ("update.lua", "if current ~= spec.expected then", "if false then", [WRITES]),
    ("update.lua", "if not raw then", "if false then", [CONTRACT]),
    ("update.lua", "redis.call('SET', KEYS[1], ARGV[2])", "", [CONTRACT]),
    ("update.lua", "local problem = check_unique(spec.id) or check_refs()", "local problem = check_refs()", [CONTRACT]),
    ("update.lua", "apply_indexes(spec.id)", "", [CONTRACT]),
    (
        "update.lua",
        "return finish({'ok', current + 1, record_change(coll, spec.id)})",
        "return finish({'ok', current + 1, current + 1})",
        [CONTRACT, CACHE],
    ),
    # delete
    ("delete.lua", "if spec.expected >= 0 and current ~= spec.expected then", "if false then", [CONTRACT]),
    ("delete.lua", "if count > 0 and not spec.cascade then", "if false then", [CONTRACT]),
    ("delete.lua", "redis.call('SREM', key(d[1], 'by', field, value), dep_id)", "", [CONTRACT]),
    ("delete.lua", "redis.call('DEL', dep_key)", "", [CONTRACT]),
    ("delete.lua", "redis.call('ZREM', key(d[1], 'index'), dep_id)", "", [CONTRACT]),
    ("delete.lua", "      record_change(d[1], dep_id)", "", [CONTRACT]),
    ("delete.lua", "redis.call('DEL', KEYS[1])\n", "\n", [CONTRACT]),
    ("delete.lua", "redis.call('ZREM', KEYS[2], spec.id)", "", [CONTRACT]),
    # repair
    ("repair.lua", "if current ~= spec.expected then", "if false then", [REPAIR, INSPECT]),
    ("repair.lua", "if redis.call('ZREM', KEYS[2], spec.id) == 0 then", "if false then", [REPAIR, INSPECT]),
    ("repair.lua", "if redis.call('HGET', hash, spec.value) ~= spec.id then", "if false then", [REPAIR, INSPECT]),
    ("repair.lua", "redis.call('HDEL', hash, spec.value)", "", [REPAIR, INSPECT]),
    ("repair.lua", "if current < 0 then", "if false then", [REPAIR, INSPECT]),
    (
        "repair.lua",
        "if owner and owner ~= spec.id and redis.call('EXISTS', key(coll, owner)) == 1 then",
        "if false then",
        [REPAIR, INSPECT],
    ),
    ("repair.lua", "redis.call('ZADD', KEYS[2], 'NX', spec.score, spec.id)", "", [REPAIR, INSPECT]),
    (
        "repair.lua",
        "return finish({'ok', record_change(coll, spec.id)})",
        "return finish({'ok', 0})",
        [REPAIR, INSPECT],
    ),
]

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
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        return result.returncode != 0, time.monotonic() - started, result.stdout.strip().splitlines()[-1:]


def main(argv):
    out = argv[argv.index("--json") + 1] if "--json" in argv else None
    for script, original, _, _ in MUTANTS:  # every snippet checked before anything runs
        text = (ROOT / SCRIPTS / script).read_text()
        if text.count(original) != 1:
            raise SystemExit(f"snippet not found exactly once in {SCRIPTS}/{script}: {original!r}")
    results = []
    for script, original, replacement, tests in MUTANTS:
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
