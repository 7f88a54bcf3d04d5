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

# mutmut name -> the test that kills it now (it survived the run before that test was written)
KILLED_BY = {
    **{
        f"{COLLECTION}require__mutmut_{n}": READS + "test_require_answers_the_record_or_says_which_one_is_not_found"
        for n in range(1, 8)
    },
    **{f"{COLLECTION}_served_stale__mutmut_{n}": STALE_LINE for n in (1, 2, 3, 4, 5, 7, 8, 9, 10, 11)},
    f"{COLLECTION}_reload__mutmut_3": READS + "test_a_collection_of_exactly_the_cache_bound_is_held_in_memory",
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
