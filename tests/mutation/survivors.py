"""The mutation report's knowledge of the survivors: the test that now kills each one, or why it is
equivalent (tests/mutation/report.py turns a run and these tables into docs/mutation-testing.md)."""

from importlib import import_module

RETRY = "tests/test_guarantee_retry.py::"
BOUNDED = "tests/test_bounded_cache.py::"
INDEX_READS = "tests/test_index_reads.py::"
SORT_INDEX = "tests/test_sort_index.py::"
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
        f"storage.snapshot.xǁSnapshotǁ__getitem____mutmut_{n}": BOUNDED
        + "test_snapshot_slices_and_reversal_match_a_plain_tuple"
        for n in (3, 4, 9, 10, 11)
    },
    "storage.snapshot.xǁSnapshotǁ__reversed____mutmut_1": BOUNDED
    + "test_snapshot_slices_and_reversal_match_a_plain_tuple",
    "storage.snapshot.xǁSnapshotǁ__reversed____mutmut_2": BOUNDED
    + "test_snapshot_slices_and_reversal_match_a_plain_tuple",
    "storage.cache.xǁCollectionCacheǁdiscard__mutmut_1": READS
    + "test_a_record_found_gone_is_never_served_stale_afterwards",
    "storage.cache.xǁCollectionCacheǁsnapshot__mutmut_1": READS
    + "test_a_record_found_gone_is_never_served_stale_afterwards",
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
        f"storage.snapshot.xǁSnapshotǁ__getitem____mutmut_{n}": BOUNDED
        + "test_snapshot_indexes_and_equality_are_those_of_a_sequence"
        for n in (18, 19)
    },
    "storage.snapshot.xǁSnapshotǁ__eq____mutmut_2": (
        INDEX_READS + "test_snapshot_indexes_and_equality_are_those_of_a_sequence"
    ),
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
}

# mutmut name -> why no test can tell it from the original
UNREACHED_TAIL = "the generator's tail after the two delays: backoff gives up after MAX_ATTEMPTS = 3 tries, never asks"
EQUIVALENT = {
    **{
        f"storage.cache.x_freeze__mutmut_{n}": "the scalar shortcut turned off: freeze of a scalar returns it "
        "unchanged, so recursing for it gives the same frozen record, only slower"
        for n in (2, 8)
    },
    "storage.retry.x__delays__mutmut_8": UNREACHED_TAIL,
    "storage.retry.x__delays__mutmut_9": UNREACHED_TAIL,
    "storage.retry.x__delays__mutmut_10": UNREACHED_TAIL,
    "storage.snapshot.xǁSnapshotǁwindow__mutmut_1": (
        "the default of a keyword its one caller (storage/models/indexed.py) always passes"
    ),
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
    "storage.snapshot.xǁSnapshotǁ_range__mutmut_12": "one more chunk visited, the one starting at `stop`: it adds "
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
    "storage.snapshot.xǁSnapshotǁ__getitem____mutmut_23": "index == length still raises IndexError: the chunk's own "
    "tuple raises it",
    **{
        f"storage.snapshot.xǁSnapshotǁ__eq____mutmut_{n}": "`strict` of a zip whose lengths were just found equal"
        for n in (8, 11, 12)
    },
    **{
        f"storage.snapshot.xǁSnapshotǁ__getitem____mutmut_{n}": "the text of the IndexError: the type is the sequence "
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
        for n in (11, 13, 16, 19, 21, 24)
    },
    **{
        f"storage.cache.x_thaw__mutmut_{n}": "the scalar shortcut turned off: thaw of a scalar returns it unchanged, "
        "so recursing for it gives the same copy, only slower"
        for n in (1, 6)
    },
}

# Lua hand mutations that survive: (script, original, replacement) -> why they are equivalent
LUA_EQUIVALENT = {}

# The modules' own tables (tests/mutation/survivors_<part>.py), kept apart so that each stays readable.
PARTS = ("backends", "collection", "indexed", "indexes", "jsonfile", "jsonfile_writes", "models")
for _name in PARTS:
    _part = import_module(f"{__package__}.survivors_{_name}")
    KILLED_BY.update(_part.KILLED_BY)
    EQUIVALENT.update(_part.EQUIVALENT)

# Functions rewritten after the run that reported their survivors (mutmut's names are per function,
# numbered in its order): those survivors mutate code that no longer exists, and their function
# needs a new run. mutmut name prefix -> what changed.
REWRITTEN = {}
