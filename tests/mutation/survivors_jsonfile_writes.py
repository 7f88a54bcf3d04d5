"""The mutation report's knowledge of the survivors in the JSON backend's write path
(storage/backends/jsonfile_writes.py), merged by tests/mutation/survivors.py: the test that now
kills each one, or why it is equivalent."""

WRITES = "storage.backends.jsonfile_writes."
SINGLE = "tests/test_storage_single_trip.py::"
JSONFILE = "tests/test_jsonfile_writes.py::"

SORTED = SINGLE + "test_sort_indexes_follow_deletes_and_a_new_collection_is_born_sorted"
CASCADE = SINGLE + "test_a_cascade_removes_each_dependent_from_every_index_it_was_in"
LOGGED = JSONFILE + "test_each_write_logs_its_own_version_and_only_the_dependents_it_took"
NO_VERSION = JSONFILE + "test_a_record_stored_without_version_or_created_at_updates_as_version_0"
NOT_TEXT = JSONFILE + "test_a_record_whose_stored_reference_is_not_text_updates_and_is_indexed_again"
DRIFTED = JSONFILE + "test_a_record_missing_from_its_list_index_is_still_deleted"
NOTHING = JSONFILE + "test_a_cascade_with_nothing_to_take_deletes_the_record_alone"
MOVING = JSONFILE + "test_moving_one_of_two_sessions_keeps_the_other_in_its_client_s_index"
EVOLVED = JSONFILE + "test_records_written_before_a_reference_and_a_sort_were_declared_update_and_cascade"
TRIM = JSONFILE + "test_the_change_log_keeps_its_bound_past_the_slack_and_floors_at_the_last_change_dropped"
FIRST = JSONFILE + "test_the_first_record_keeps_a_sort_index_another_process_already_built"
OLDER_FILE = JSONFILE + "test_a_file_written_before_sort_indexes_cascades_and_takes_sorted_records"
OP_TTL = JSONFILE + "test_an_operation_id_is_remembered_for_its_ttl_then_forgotten_and_dropped"


def _named(function, numbers, test):
    return {f"{WRITES}x_{function}__mutmut_{n}": test for n in numbers}


# mutmut name -> the test that kills it now (it survived the run before that test was written)
KILLED_BY = {
    **_named("apply", (5, 6), OP_TTL),
    **_named("apply", (42, 44, 47, 54, 56, 59), NO_VERSION),
    **_named("_create", (43, 44), SORTED),
    **_named("_create", (49, 53, 54), FIRST),
    **_named("_create", (57, 58), LOGGED),
    **_named("_update", (21, 23, 26, 64), NO_VERSION),
    **_named("_update", (62,), LOGGED),
    **_named("_delete", (26,), CASCADE),
    **_named("_delete", (40,), DRIFTED),
    **_named("_delete", (51,), SORTED),
    **_named("_delete", (57, 62), LOGGED),
    **_named("_cascade", (5, 7, 17, 25, 26, 28, 29, 35, 36, 38, 40, 57, 60, 62, 63), CASCADE),
    **_named("_cascade", (9, 11, 64, 66), NOTHING),
    **_named("_cascade", (30, 32, 47, 49), EVOLVED),
    **_named("_cascade", (43, 45, 46, 50, 54, 55), SORTED),
    **_named("_cascade", (51, 53), OLDER_FILE),
    **_named("_record_change", (11, 15, 17, 23, 29, 30), TRIM),
    **_named("_index_changes", (27,), NOT_TEXT),
    **_named("_apply_sorts", (7, 9), OLDER_FILE),
    **_named("_apply_sorts", (13, 14, 15), SORTED),
    **_named("_apply_indexes", (21, 22, 26, 28), EVOLVED),
    **_named("_apply_indexes", (30,), MOVING),
}

NOT_CREATE_CURRENT = (
    "current is None only for a create (update and delete answer not_found first), whose record is absent: "
    "every delete removes the unique entries naming its id (_delete applies new ''), so none names a new id"
)
OWNED_OLD = (
    "old is read from the index itself, a value whose owner is record_id (_index_changes), and nothing changes "
    "the index in between: values.get(old) == record_id whenever old is non-empty"
)

# mutmut name -> why no test can tell it from the original
EQUIVALENT = {
    **{
        f"{WRITES}x__delete__mutmut_{n}": "members is only tested for truth (len() only once it is true): "
        "a None default is as false as []"
        for n in (10, 12)
    },
    **{
        f"{WRITES}x__create__mutmut_{n}": "only read at the collection's first write (version 1): its state is "
        "_empty() or a file that fill_sort / save_sort_progress wrote from _empty(), both with a 'sorted' key"
        for n in (50, 52)
    },
    f"{WRITES}x__create__mutmut_59": "a create's reply created_at reaches only WriteResult.created_at, which "
    "no caller reads for a create (Writes.create builds the record from its own document; only update reads it)",
    **{f"{WRITES}x__index_changes__mutmut_{n}": NOT_CREATE_CURRENT for n in (12, 19)},
    **{
        f"{WRITES}x__index_changes__mutmut_{n}": "the default is taken only when no unique entry names the "
        "record, so _apply_indexes' values.get(old) == record_id is false for any default (None is falsy too)"
        for n in (14, 17)
    },
    f"{WRITES}x__index_changes__mutmut_28": "the stored reference is not text, so no reference list of the "
    "record's collection names it under 'XXXX' (they are written from stored text values): nothing is removed",
    **{f"{WRITES}x__apply_indexes__mutmut_{n}": OWNED_OLD for n in (8, 9)},
    f"{WRITES}x_apply__mutmut_10": "only the float instant now == expiry differs (the op id kept that one "
    "instant longer); Redis's own EX boundary is as fine-grained the other way, nothing relies on which side",
}
