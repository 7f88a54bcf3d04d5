"""The mutation report's knowledge of the survivors in the collection and what it serves from
(collection.py, results.py, snapshot.py, served.py), merged by tests/mutation/survivors.py: the test
that now kills each one, or why it is equivalent."""

READS = "tests/test_guarantee_reads.py::"
INDEX_READS = "tests/test_index_reads.py::"
COLLECTION = "storage.collection.xǁCollectionǁ"
RESULTS = "storage.results.xǁVersionedResultsǁ"

STALE_LINE = READS + "test_a_list_served_from_stale_memory_is_one_critical_line_and_shows_in_health"
ONE_LOAD = READS + "test_a_list_that_needs_the_cold_collection_waits_for_the_one_background_load"
LOAD_RETRIED = READS + "test_a_failed_background_load_is_logged_and_the_next_request_loads_again"
OUTGROWN = INDEX_READS + "test_a_collection_that_outgrows_the_cache_says_so_and_its_pages_survive_redis_going_down"
LRU = INDEX_READS + "test_results_are_kept_per_version_and_the_oldest_used_leaves_first"
WEIGHT = INDEX_READS + "test_results_hold_at_most_half_their_records_bound_in_each_store_but_always_the_last"
EXACT = READS + "test_a_collection_of_exactly_the_cache_bound_is_held_in_memory_and_says_how_it_loads"
TRIMMED = (
    INDEX_READS + "test_a_cache_behind_a_trimmed_change_log_reloads_and_past_the_cap_counts_and_versions_from_redis"
)
UNPARSABLE = "tests/api/test_unparsable.py::"
REWRITTEN = UNPARSABLE + "test_a_record_rewritten_valid_is_listed_again_and_no_longer_flagged"
STRICT_ZIP = (
    "`strict` only asserts what the backend guarantees: get_many (and the change script) answer one text per id"
)

# mutmut name -> the test that kills it now (it survived the run before that test was written)
KILLED_BY = {
    **{
        f"{COLLECTION}require__mutmut_{n}": READS + "test_require_answers_the_record_or_says_which_one_is_not_found"
        for n in range(1, 8)
    },
    **{f"{COLLECTION}_served_stale__mutmut_{n}": STALE_LINE for n in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11)},
    **{f"{COLLECTION}_reload__mutmut_{n}": EXACT for n in (3, 31, 32, 33, 34, 36, 37, 38)},
    **{f"{COLLECTION}refresh__mutmut_{n}": EXACT for n in (9, 53, 58, 59, 60, 61, 63, 64, 65)},
    **{f"{COLLECTION}all_with_version__mutmut_{n}": STALE_LINE for n in (3, 4, 11)},
    f"{COLLECTION}all_with_version__mutmut_10": READS
    + "test_without_stale_reads_a_list_redis_cannot_answer_is_an_error_line_and_unavailable",
    **{f"{COLLECTION}all_with_version__mutmut_{n}": TRIMMED for n in (17, 19)},
    **{f"{COLLECTION}_reload__mutmut_{n}": TRIMMED for n in (4, 5, 6, 7)},
    **{f"{COLLECTION}refresh__mutmut_{n}": ONE_LOAD for n in (12, 14)},
    f"{COLLECTION}refresh__mutmut_15": INDEX_READS
    + "test_a_cold_collection_loading_in_the_background_counts_and_versions_its_lists_as_read",
    f"{COLLECTION}refresh__mutmut_54": OUTGROWN,
    f"{COLLECTION}refresh__mutmut_28": INDEX_READS
    + "test_a_cache_exactly_at_the_change_log_floor_catches_up_from_the_log",
    f"{COLLECTION}refresh__mutmut_8": "tests/test_sort_index.py::"
    + "test_a_page_in_a_declared_order_reads_that_order_s_index_not_a_scan",
    f"{COLLECTION}refresh__mutmut_36": REWRITTEN,
    f"{COLLECTION}_parse_or_none__mutmut_1": REWRITTEN,
    **{
        f"{COLLECTION}get__mutmut_{n}": READS + "test_a_single_record_read_from_memory_is_flagged_stale_on_its_own"
        for n in (13, 14)
    },
    **{
        f"{COLLECTION}__init____mutmut_{n}": STALE_LINE  # the flag health reads, before any list read
        for n in (29, 30)
    },
    f"{COLLECTION}__init____mutmut_32": READS
    + "test_a_cold_collection_redis_cannot_answer_is_unavailable_even_with_stale_reads",
    f"{COLLECTION}get__mutmut_21": READS + "test_a_record_found_unparsable_is_never_served_stale_afterwards",
    **{
        f"{COLLECTION}get__mutmut_{n}": UNPARSABLE + "test_detail_of_an_unparsable_record_is_a_json_error_naming_it"
        for n in (23, 25)
    },
    **{
        f"{COLLECTION}get__mutmut_{n}": UNPARSABLE
        + "test_a_detail_read_of_an_unparsable_record_is_one_error_line_and_enough_for_health"
        for n in (20, 29, 30, 33, 34, 35)
    },
    f"{COLLECTION}get__mutmut_36": UNPARSABLE + "test_a_record_rewritten_valid_and_read_by_id_is_no_longer_flagged",
    **{
        f"{COLLECTION}_parse_or_none__mutmut_{n}": UNPARSABLE
        + "test_a_record_left_out_of_a_list_is_one_error_line_naming_it_and_verify_redis"
        for n in (5, 6, 7, 9, 10)
    },
    **{f"{COLLECTION}all__mutmut_{n}": ONE_LOAD for n in (1, 2)},
    f"{COLLECTION}_join_loader__mutmut_1": ONE_LOAD,
    **{f"{COLLECTION}_load_in_background__mutmut_{n}": ONE_LOAD for n in (7, 10, 11)},
    f"{COLLECTION}_join_loader__mutmut_4": READS
    + "test_the_wait_for_a_background_load_is_bounded_then_the_request_loads",
    f"{COLLECTION}_load_in_background__mutmut_3": LOAD_RETRIED,
    **{f"{COLLECTION}_load_quietly__mutmut_{n}": LOAD_RETRIED for n in (1, 2, 3, 4)},
    **{f"{COLLECTION}_outgrow__mutmut_{n}": OUTGROWN for n in (1, 2, 3, 4, 6, 7)},
    **{f"{RESULTS}put__mutmut_{n}": LRU for n in (5, 14)},
    **{f"{RESULTS}put__mutmut_{n}": WEIGHT for n in (8, 10, 12)},
    **{
        f"{RESULTS}last__mutmut_{n}": INDEX_READS
        + "test_a_page_whose_read_fails_after_a_change_is_served_from_the_last_answer_flagged"
        for n in (1, 2, 4, 5, 6)
    },
    f"{RESULTS}last__mutmut_3": INDEX_READS
    + "test_a_page_never_served_before_is_unavailable_not_stale_when_redis_is_down",
    "storage.snapshot.xǁSnapshotǁ_range__mutmut_1": INDEX_READS + "test_an_empty_snapshot_slices_to_nothing",
}

# mutmut name -> why no test can tell it from the original
EQUIVALENT = {
    f"{COLLECTION}all_with_version__mutmut_1": "the default of `wait`: both callers (all() and "
    "StorageQuerySet._read_source) pass it",
    f"{COLLECTION}refresh__mutmut_1": "the default of `wait`: both callers (all_with_version and refresh's own "
    "recursion) pass it",
    f"{COLLECTION}refresh__mutmut_18": "`wait` of refresh's recursive call: it is made only once the cache is "
    "complete, and that branch (the version check) never reads `wait`",
    f"{COLLECTION}refresh__mutmut_27": "version <= cache.version: the equal case returned two lines above",
    f"{COLLECTION}all_with_version__mutmut_18": "the cache is incomplete here only with `outgrown` set: refresh "
    "leaves it incomplete only after setting it, the stale path raises when both are unset (but for the instant "
    "between a background load's `outgrown = None` and its cache.replace(), which no test can hit)",
    **{
        f"{COLLECTION}__init____mutmut_{n}": "how logs name a backend outside BACKEND_NAMES, or one without a `name`: "
        "every Backend has one (base.py), and every concrete one (redis, rest, jsonfile; the test wrappers pass "
        "theirs on) is listed there"
        for n in (15, 17, 20, 23, 26, 27, 28)
    },
    f"{RESULTS}__init____mutmut_1": "the count bound's default, 256 or 257 results: no promise names the number "
    "(the bound itself is pinned with size=2)",
    f"{RESULTS}__init____mutmut_2": "the default of max_records: its one caller (Collection) always passes it",
    **{f"{COLLECTION}refresh__mutmut_{n}": STRICT_ZIP for n in (43, 46, 47)},
    **{f"{COLLECTION}_reload__mutmut_{n}": STRICT_ZIP for n in (21, 24, 25)},
    **{
        f"{COLLECTION}_load_in_background__mutmut_{n}": "the background loader thread's name (load-<collection>): "
        "nothing reads it, it only shows in a thread dump"
        for n in (6, 9)
    },
    f"{COLLECTION}_join_loader__mutmut_5": "only `outgrown` differs: left set after a joined load completed, it is "
    "read only while the cache is incomplete, and _outgrow sets it anew; with no loader ever started, the "
    "request's own _reload() sets or clears it, or fails, and a first cold read that fails has no index results "
    "to fall back on, so it is unavailable both ways",
    f"{RESULTS}put__mutmut_1": "the default weight: both callers (storage/models/indexed.py) pass weight=len(...)",
    f"{RESULTS}put__mutmut_11": "max_records / 2 instead of // 2: the weights are whole numbers (lengths), and a "
    "whole number is above n / 2 exactly when it is above n // 2",
    f"{RESULTS}put__mutmut_13": "popitem(last=None): None is false, so it pops the oldest entry as last=False does",
}
