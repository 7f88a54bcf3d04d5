"""docs/mutation-testing.md from the last mutation run (mutmut's state in ./mutants and the Lua
hand mutations' results, mutants/lua.json).

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
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"
DOC = ROOT / "docs" / "mutation-testing.md"
FIRST = MUTANTS / "first-survivors.json"  # the survivors before the re-run by name (tests/mutation/rerun.py)
CORE = (
    "storage.cache.",
    "storage.collection.",
    "storage.writes.",
    "storage.index_reads.",
    "storage.results.",
    "storage.served.",
    "storage.retry.",
    "storage.backends.commands.",
    "storage.backends.command_indexes.",
)
RETRY = "tests/test_guarantee_retry.py::"
BOUNDED = "tests/test_bounded_cache.py::"
READS = "tests/test_guarantee_reads.py::"
ORDER = "tests/test_cache_order.py::"
RECORDS = "tests/test_cache_records.py::"
CONTRACT = "tests/test_storage_contract.py::"
SINGLE = "tests/test_storage_single_trip.py::"
LOG = "tests/test_storage_write_log.py::"

# mutmut name -> the test that kills it now (it survived the run before that test was written)
KILLED_BY = {
    "storage.retry.x__delays__mutmut_1": RETRY + "test_the_jitter_spans_plus_or_minus_a_fifth_of_each_delay",
    **{
        f"storage.retry.x_with_retry__mutmut_{n}": RETRY + "test_the_policy_wraps_any_primitive_the_same_way"
        for n in range(1, 21)
    },
    **{
        f"storage.retry.x__operation__mutmut_{n}": RETRY
        + "test_a_primitive_that_recovers_is_answered_and_a_key_alone_is_not_named"
        for n in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)
    },
    "storage.retry.x__log_retry__mutmut_1": RETRY + "test_the_policy_wraps_any_primitive_the_same_way",
    "storage.retry.x__log_giveup__mutmut_1": RETRY + "test_the_policy_wraps_any_primitive_the_same_way",
    **{
        f"storage.cache.xǁSnapshotǁ__getitem____mutmut_{n}": BOUNDED
        + "test_snapshot_slices_and_reversal_match_a_plain_tuple"
        for n in (3, 4, 9, 10, 11)
    },
    "storage.cache.xǁSnapshotǁ__reversed____mutmut_1": BOUNDED
    + "test_snapshot_slices_and_reversal_match_a_plain_tuple",
    "storage.cache.xǁSnapshotǁ__reversed____mutmut_2": BOUNDED
    + "test_snapshot_slices_and_reversal_match_a_plain_tuple",
    "storage.cache.xǁCollectionCacheǁdiscard__mutmut_1": READS
    + "test_a_record_found_gone_is_never_served_stale_afterwards",
    "storage.cache.xǁCollectionCacheǁsnapshot__mutmut_1": READS
    + "test_a_record_found_gone_is_never_served_stale_afterwards",
    "storage.cache.x_thaw__mutmut_1": ORDER + "test_a_thawed_record_is_a_plain_deep_copy",
    "storage.cache.x_thaw__mutmut_2": ORDER + "test_a_thawed_record_is_a_plain_deep_copy",
    "storage.cache.xǁCollectionCacheǁapply__mutmut_11": ORDER + "test_the_version_follows_the_changes_applied",
    "storage.cache.xǁCollectionCacheǁ_chunk_for__mutmut_11": ORDER + "test_list_stays_sorted_across_many_chunks",
    "storage.cache.x_order_key__mutmut_7": ORDER
    + "test_a_record_without_a_usable_creation_time_is_listed_first_not_an_error",
    "storage.cache.x_order_key__mutmut_8": ORDER
    + "test_a_record_without_a_usable_creation_time_is_listed_first_not_an_error",
    **{
        f"storage.cache.x_parse__mutmut_{n}": RECORDS
        + "test_a_stored_text_that_is_not_a_record_is_refused_with_its_reason"
        for n in (3, 4, 9, 10, 11)
    },
    "storage.cache.xǁCollectionCacheǁ_trim__mutmut_2": RECORDS
    + "test_a_partial_cache_keeps_the_most_recently_used_records_up_to_its_bound",
    "storage.cache.xǁCollectionCacheǁ_keep_newer__mutmut_25": RECORDS
    + "test_a_partial_cache_keeps_the_most_recently_used_records_up_to_its_bound",
    **{
        f"storage.cache.xǁCollectionCacheǁ_put__mutmut_{n}": ORDER + "test_list_stays_sorted_across_many_chunks"
        for n in (46, 47, 48, *range(50, 75))
        if n not in (53, 58, 62, 63)
    },
    **{
        f"storage.cache.xǁCollectionCacheǁ_put__mutmut_{n}": ORDER + "test_the_first_chunk_splits_in_place_among_many"
        for n in (53, 58, 62, 63)
    },
    "storage.cache.x_epoch_ms__mutmut_17": ORDER + "test_lists_are_ordered_to_the_millisecond",
    **{
        f"storage.cache.xǁSnapshotǁ__getitem____mutmut_{n}": BOUNDED
        + "test_snapshot_indexes_and_equality_are_those_of_a_sequence"
        for n in (18, 19)
    },
    "storage.cache.xǁSnapshotǁ__eq____mutmut_2": BOUNDED + "test_snapshot_indexes_and_equality_are_those_of_a_sequence",
    "storage.writes.xǁWritesǁupdate__mutmut_6": CONTRACT + "test_update_bumps_version_and_keeps_created_at",
    **{
        f"storage.writes.xǁWritesǁdelete__mutmut_{n}": LOG + "test_a_refused_delete_says_not_deleted"
        for n in (22, 25, 26)
    },
    "storage.writes.xǁWritesǁ_written__mutmut_19": LOG + "test_a_record_without_its_title_field_is_logged_by_id_alone",
    **{
        f"storage.writes.xǁWritesǁcreate__mutmut_{n}": CONTRACT + "test_import_keeps_ids_and_creation_time"
        for n in (5, 6, 10, 11)
    },
    "storage.writes.xǁWritesǁcreate_write__mutmut_5": CONTRACT + "test_import_keeps_ids_and_creation_time",
    **{
        f"storage.writes.xǁWritesǁcreate__mutmut_{n}": LOG + "test_a_refused_create_says_not_created"
        for n in (14, 17, 18)
    },
    "storage.writes.xǁWritesǁcreate_write__mutmut_38": SINGLE
    + "test_sort_indexes_follow_deletes_and_a_new_collection_is_born_sorted",
    "storage.writes.xǁWritesǁbuild_write__mutmut_73": SINGLE
    + "test_sort_indexes_follow_deletes_and_a_new_collection_is_born_sorted",
    **{
        f"storage.writes.xǁWritesǁbuild_write__mutmut_{n}": CONTRACT
        + "test_impossible_ids_are_not_found_without_a_round_trip"
        for n in (4, 9, 10)
    },
    "storage.writes.xǁWritesǁ_commit__mutmut_15": READS + "test_a_record_found_gone_is_never_served_stale_afterwards",
    "storage.writes.xǁWritesǁ_refs__mutmut_5": SINGLE
    + "test_a_cascade_removes_each_dependent_from_every_index_it_was_in",
    **{
        f"storage.writes.xǁWritesǁ_refs__mutmut_{n}": CONTRACT + "test_session_needs_an_existing_client"
        for n in (9, 10, 11)
    },
    "storage.writes.x__text__mutmut_3": SINGLE + "test_a_unique_value_cleared_to_null_is_released",
    "storage.cache.xǁCollectionCacheǁ_put__mutmut_5": RECORDS
    + "test_a_partial_cache_keeps_the_most_recently_used_records_up_to_its_bound",
    "storage.cache.xǁCollectionCacheǁwritten__mutmut_2": CONTRACT
    + "test_our_own_acknowledged_writes_advance_the_cache_without_a_refetch",
    "storage.cache.xǁCollectionCacheǁ_keep_newer__mutmut_15": READS
    + "test_a_record_deleted_and_created_again_under_its_id_elsewhere_is_served_anew",
}

# mutmut name -> why no test can tell it from the original
UNREACHED_TAIL = "the generator's tail after the two delays: backoff gives up after MAX_ATTEMPTS = 3 tries, never asks"
EQUIVALENT = {
    "storage.retry.x__delays__mutmut_8": UNREACHED_TAIL,
    "storage.retry.x__delays__mutmut_9": UNREACHED_TAIL,
    "storage.retry.x__delays__mutmut_10": UNREACHED_TAIL,
    "storage.cache.xǁSnapshotǁwindow__mutmut_1": "the default of a keyword its one caller (storage/models/indexed.py) "
    "always passes",
    **{
        f"storage.writes.xǁWritesǁ_written__mutmut_{n}": "the title of a record without its title field read as "
        "None instead of '': both are false, so the log line has no title either way"
        for n in (16, 18)
    },
    "storage.writes.xǁWritesǁbuild_write__mutmut_1": "the default updated_at of a delete, whose Write carries no "
    "record text: nothing reads it",
    "storage.writes.xǁWritesǁbuild_write__mutmut_2": "the default of `cascade`: delete() always passes it, and the "
    "create and update scripts never read it",
    **{
        f"storage.writes.xǁWritesǁbuild_write__mutmut_{n}": "the id check applied to a create too: create_write() "
        "has already refused an invalid create id (ValueError), so every create id passes"
        for n in (5, 6)
    },
    **{
        f"storage.writes.xǁWritesǁbuild_write__mutmut_{n}": "a delete's Write given a record text: delete.lua never "
        "reads ARGV[2]"
        for n in (42, 48)
    },
    "storage.writes.xǁWritesǁbuild_write__mutmut_61": "a delete's Write given (empty) reference checks: delete.lua "
    "never reads spec.refs",
    "storage.writes.xǁWritesǁbuild_write__mutmut_65": "a create's or update's Write given the dependents: only "
    "delete.lua reads spec.dependents",
    "storage.writes.xǁWritesǁ_commit__mutmut_3": "one more round allowed for the script's questions: it asks at most "
    "once per unique field, so the bound only stops a script that misbehaves",
    "storage.writes.xǁWritesǁ_commit__mutmut_8": "a stored value that normalises to nothing has no index entry: "
    "told 'XXXX' instead of '', the script finds no entry of this record under it either",
    "storage.writes.xǁWritesǁ_commit__mutmut_14": "the message of the error for a script that keeps asking: the "
    "scripts ask at most once per unique field, so it is never raised",
    "storage.writes.x__text__mutmut_2": "a new unique value that is not a string (None) sent as JSON null instead of "
    "'': the script compares it only with a stored string, which equals neither",
    "storage.cache.xǁSnapshotǁ_range__mutmut_12": "one more chunk visited, the one starting at `stop`: it adds "
    "its records [0:0], nothing",
    **{
        f"storage.cache.x_epoch_ms__mutmut_{n}": "Python 3.11's fromisoformat reads a trailing Z by itself"
        for n in (8, 9)
    },
    **{
        f"storage.cache.xǁCollectionCacheǁ__init____mutmut_{n}": "the list-order state before the first replace(): "
        "replace() and make_partial() set it before anything reads it, a partial cache never reads it"
        for n in (5, 6, 7, 8)
    },
    "storage.cache.xǁSnapshotǁ__getitem____mutmut_23": "index == length still raises IndexError: the chunk's own "
    "tuple raises it",
    **{
        f"storage.cache.xǁSnapshotǁ__eq____mutmut_{n}": "`strict` of a zip whose lengths were just found equal"
        for n in (8, 11, 12)
    },
    **{
        f"storage.cache.xǁSnapshotǁ__getitem____mutmut_{n}": "the text of the IndexError: the type is the sequence "
        "protocol, nothing reads the text"
        for n in (24, 25, 26, 27)
    },
    "storage.cache.x_order_key__mutmut_6": "the fallback key of a record without a usable created_at: 0 or 1 ms after "
    "1970 both sort it before every record storage writes",
    **{
        f"storage.cache.xǁCollectionCacheǁapply__mutmut_{n}": "`strict` only asserts what the caller guarantees: "
        "`fetched` is `get_many(changed_ids)`, one entry per id"
        for n in (3, 6, 7)
    },
    **{
        f"storage.cache.xǁCollectionCacheǁ_put__mutmut_{n}": "a chunk split at 1024 instead of 1025 records, or "
        "at a third instead of the middle: the order and the records are the same, every chunk within 2 x CHUNK"
        for n in (44, 49)
    },
    **{
        f"storage.cache.xǁCollectionCacheǁ_locate__mutmut_{n}": "the raise is an internal assertion: `_locate` is only "
        "asked for the key of a record it holds"
        for n in (8, 11)
    },
    **{
        f"storage.cache.xǁCollectionCacheǁ_keep_newer__mutmut_{n}": "the default of a record's version: every record "
        "storage writes has one, so it is never used"
        for n in (9, 11, 14, 17, 19, 22)
    },
}

# Lua hand mutations that survive: (script, original, replacement) -> why they are equivalent
LUA_EQUIVALENT = {}


INTRO = [
    "## How it runs",
    "",
    "- `make mutate` empties `./mutants` (mutmut would keep its old copy of the files), runs mutmut over "
    "`[tool.mutmut] only_mutate` with the tests of `pytest_add_cli_args_test_selection` (real Redis required), "
    "then the Lua hand mutations, then writes this page. `MUTATE_CHILDREN=1` on a shared machine; "
    "`MUTANTS='storage.writes*'` (mutmut's name globs) for one module at a time.",
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


def python_results():
    by_file, codes_by_name = {}, {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        source = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        if not codes:
            continue
        by_file[source] = Counter(outcome(c) for c in codes.values())
        codes_by_name.update(codes)
    return by_file, codes_by_name


def diff_line(name):
    """The mutated line, from `mutmut show` (its first + line)."""
    shown = subprocess.run(
        [sys.executable, "-m", "mutmut", "show", name], cwd=ROOT, capture_output=True, text=True, timeout=120
    ).stdout
    plus = [line[1:].strip() for line in shown.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return plus[0] if plus else "(see `mutmut show`)"


def cell(text):
    return "`" + text.replace("\n", "⏎").replace("|", "\\|") + "`" if text else "(removed)"


def python_section(by_file, codes):
    total = sum(by_file.values(), Counter())
    lines = [
        "## Python (mutmut)",
        "",
        f"Mutants: {sum(total.values())}. Killed {total['killed']}, survived {total['survived']}, "
        f"not covered by the selected tests {total['no tests']}, timed out {total['timeout']} (counted as "
        f"killed by mutmut: the mutant hangs the tests), not run {total['not run']} (modules or mutants this run did "
        "not reach: see the table).",
        "",
        "| file | mutants | killed | survived | no tests | timeout | not run |",
        "|---|---|---|---|---|---|---|",
    ]
    for source, t in by_file.items():
        lines.append(
            f"| `{source}` | {sum(t.values())} | {t['killed']} | {t['survived']} | {t['no tests']} | "
            f"{t['timeout']} | {t['not run']} |"
        )
    survivors = [n for n, c in codes.items() if c == 0]
    core = [n for n in survivors if n.startswith(CORE)]
    lines += [
        "",
        "### Survivors in the write path, cache coherence, retry and stale-read code",
        "",
        f"{len(core)} survive: equivalent to the original for the reason given, or with a test written for them "
        "that mutmut's re-run did not pick (its map of which test covers which function dates from the run's "
        "first pass, before the test existed: a fresh `make mutate` confirms the kill), or NOT EXPLAINED.",
        "",
        "| mutant | mutated line | why it is equivalent |",
        "|---|---|---|",
    ]
    for name in core:
        written = f"test written, kill not yet confirmed by mutmut: `{KILLED_BY.get(name)}`"
        why = EQUIVALENT.get(name) or (written if name in KILLED_BY else "**NOT EXPLAINED**")
        lines.append(f"| `{name}` | {cell(diff_line(name))} | {why} |")
    first = sorted(set(KILLED_BY) | set(json.loads(FIRST.read_text()) if FIRST.exists() else ()))
    now_killed = [n for n in first if n.startswith(CORE) and outcome(codes.get(n)) in ("killed", "timeout")]
    lines += [
        "",
        "### Killed by a test written for it",
        "",
        f"{len(now_killed)} mutants that survived an earlier run are killed in this one, by the test named here "
        "(written for them).",
        "",
        "",
        "| mutant | test |",
        "|---|---|",
    ]
    for name in now_killed:
        lines.append(f"| `{name}` | `{KILLED_BY.get(name, '(not recorded)')}` |")
    others = [n for n in survivors if not n.startswith(CORE)]
    lines += [
        "",
        f"Other survivors ({len(others)}, outside those promises): " + ", ".join(f"`{n}`" for n in others[:400]),
    ]
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
    by_file, codes = python_results()
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
        *python_section(by_file, codes),
        "",
        *lua_section(lua),
    ]
    DOC.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
