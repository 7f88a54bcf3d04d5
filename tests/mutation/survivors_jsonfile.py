"""The mutation report's knowledge of the survivors in the JSON-file backend of local development
(storage/backends/jsonfile.py), merged by tests/mutation/survivors.py: the test that now kills each
one, or why it is equivalent."""

JSONFILE = "storage.backends.jsonfile.xǁJsonFileBackendǁ"
MODULE = "storage.backends.jsonfile.x_"

JF = "tests/test_jsonfile_backend.py::"
INDEXES = "tests/test_storage_contract_indexes.py::"
RATE = "tests/test_storage_ratelimit.py::"
INSPECT = "tests/test_storage_inspect_contract.py::"

SETTINGS = JF + "test_the_settings_put_the_files_in_a_directory_named_by_the_prefix_under_the_data_dir"
FRESH = JF + "test_a_fresh_checkout_without_a_data_directory_is_healthy_and_stays_so"
FRESH_PING = JF + "test_a_fresh_checkout_answers_a_ping_before_anything_was_written"
FULL_DISK_CANARY = JF + "test_a_disk_that_refuses_the_canary_fails_the_health_check_with_the_os_reason"
WINDOW = JF + "test_a_rate_window_lasts_its_seconds_from_its_first_event_and_ends_exactly_then"
LAST_SECOND = JF + "test_a_rate_window_at_its_last_second_still_counts"
RATE_FILE = JF + "test_an_unreadable_rate_file_is_a_transient_error_naming_the_file"
VERIFY = JF + "test_verify_names_each_collection_s_file_and_none_for_a_collection_never_written"
TWO_PROCESSES = JF + "test_a_second_process_reads_each_write_of_the_first_one"
NOT_JSON = JF + "test_a_collection_file_that_does_not_parse_is_an_invalid_record_naming_the_file"
NOT_OPENED = JF + "test_a_collection_file_that_cannot_be_opened_is_a_transient_error_with_the_os_reason"
FULL_DISK_WRITE = JF + "test_a_write_refused_by_a_full_disk_keeps_the_old_file_and_leaves_no_temp_file"
CASCADE_CUT = JF + "test_a_cascade_cut_short_after_its_first_file_leaves_no_session_without_its_client"
COUNTING = RATE + "test_hit_counts_per_name_and_hits_reads_without_counting"
CANARY = INSPECT + "test_canary_writes_reads_and_deletes"
UNWRITTEN = INDEXES + "test_indexes_nothing_was_written_to_yet_read_empty"
NO_SUCH_VALUE = INDEXES + "test_a_value_no_record_has_reads_empty_beside_values_that_have_records"
MISSING_RECORD = INDEXES + "test_a_record_missing_under_its_index_entry_reads_as_none_beside_the_others"
OLD_DATA_SORT = INDEXES + "test_a_sort_index_that_data_written_before_it_lacks_reads_empty"
ADDED_LATER = INDEXES + "test_completing_the_build_of_a_sort_index_added_later_keeps_the_others_complete"

ENSURE_ASCII = (
    "a text with \\u escapes parses to the same record, and texts are only parsed (Collection, integrity, "
    "compare) or compared with earlier texts of this same backend (index_reads page_texts)"
)
TEXT_ENCODING = "the codec of a hex token or of ASCII counter names: identical bytes in UTF-8 and any locale codec"
UTF8_ALIAS = '"UTF-8" names the same codec as "utf-8"'
LOCALE_FILE = (
    "encoding=None is the locale's codec, UTF-8 where the tests and the DEBUG setups run (C.UTF-8); "
    "the file is written and read with the same one"
)
FILE_FORMAT = "the file is only ever read back by json.loads, which gives the same state for either spelling"
TEMP_NAME = (
    "the temp file's name is never read: this function renames or unlinks the path mkstemp returns, "
    "and nothing lists the data directory"
)
PARSE_MEMO = "the parse memo only saves re-parsing an unchanged file: a fresh parse answers every read the same"

# mutmut name -> the test that kills it now (it survived the run, or no selected test ran it)
KILLED_BY = {
    **{f"{JSONFILE}from_settings__mutmut_{n}": SETTINGS for n in range(1, 9)},
    **{f"{JSONFILE}describe__mutmut_{n}": SETTINGS for n in range(1, 10)},
    **{f"{JSONFILE}ping__mutmut_{n}": FRESH_PING for n in (1, 3, 5)},
    **{f"{JSONFILE}ping__mutmut_{n}": FRESH for n in (2, 4, 6, 7)},
    **{f"{JSONFILE}server_info__mutmut_{n}": INSPECT + "test_server_info_says_what_it_knows" for n in range(1, 6)},
    **{f"{JSONFILE}server_info__mutmut_{n}": FRESH for n in (6, 7, 8)},
    **{f"{JSONFILE}canary__mutmut_{n}": FRESH for n in range(1, 7)},
    **{f"{JSONFILE}canary__mutmut_{n}": CANARY for n in (7, 8, 9, 10, 12, 14, 16, 18, 20, *range(23, 31))},
    **{f"{JSONFILE}canary__mutmut_{n}": FULL_DISK_CANARY for n in (21, 22)},
    **{f"{JSONFILE}sample_ids__mutmut_{n}": INSPECT + "test_sample_ids_come_from_the_index" for n in range(1, 14)},
    **{
        f"{JSONFILE}repair__mutmut_{n}": INSPECT + "test_repair_is_atomic_and_conditional_where_supported"
        for n in (1, 3)
    },
    **{f"{JSONFILE}_rate_counters__mutmut_{n}": COUNTING for n in (1, 2, 4, 5, 9, 10)},
    **{f"{JSONFILE}_rate_counters__mutmut_{n}": RATE_FILE for n in (7, 8)},
    f"{JSONFILE}_rate_counters__mutmut_11": WINDOW,
    **{f"{JSONFILE}hit__mutmut_{n}": COUNTING for n in range(1, 26)},
    f"{JSONFILE}hit__mutmut_26": WINDOW,
    f"{JSONFILE}hit__mutmut_27": LAST_SECOND,
    **{f"{JSONFILE}hits__mutmut_{n}": COUNTING for n in (1, 2, 3, 4, 5, 6, 7, 9, 11, 12, 13, 14, 15, 16, 18)},
    f"{JSONFILE}hits__mutmut_17": LAST_SECOND,
    **{f"{JSONFILE}counted__mutmut_{n}": WINDOW for n in (1, 2)},
    **{f"{JSONFILE}raw_state__mutmut_{n}": VERIFY for n in (3, 4, 9, 18, 35, 36, 39, 40, 41, 42)},
    **{
        f"{JSONFILE}snapshot_ids__mutmut_{n}": INDEXES + "test_a_snapshot_lists_ids_in_creation_order_not_in_id_order"
        for n in (6, 8)
    },
    **{f"{JSONFILE}ids_by__mutmut_{n}": UNWRITTEN for n in (7, 9)},
    f"{JSONFILE}page__mutmut_1": MISSING_RECORD,  # the default order is creation order, oldest first
    **{f"{JSONFILE}page__mutmut_{n}": UNWRITTEN for n in (8, 10)},
    **{f"{JSONFILE}page__mutmut_{n}": OLD_DATA_SORT for n in (12, 14)},
    **{f"{JSONFILE}members__mutmut_{n}": UNWRITTEN for n in (6, 8, 10, 12, 16)},
    **{f"{JSONFILE}owner__mutmut_{n}": UNWRITTEN for n in (6, 8, 12, 16)},
    f"{JSONFILE}fill_sort__mutmut_22": INDEXES
    + "test_filling_a_sort_index_skips_entries_of_an_older_version_or_a_missing_record",
    f"{JSONFILE}fill_sort__mutmut_35": INDEXES + "test_filling_a_sort_index_with_no_score_takes_the_record_out_of_it",
    f"{JSONFILE}save_sort_progress__mutmut_15": INDEXES + "test_a_sort_index_built_on_an_empty_collection_is_complete",
    **{f"{JSONFILE}save_sort_progress__mutmut_{n}": ADDED_LATER for n in (20, 24, 25)},
    f"{JSONFILE}_texts__mutmut_5": MISSING_RECORD,
    f"{MODULE}_empty__mutmut_6": INDEXES + "test_the_change_log_of_a_new_collection_is_complete_from_its_first_write",
    f"{JSONFILE}__init____mutmut_1": WINDOW,
    **{f"{JSONFILE}_load__mutmut_{n}": TWO_PROCESSES for n in (4, 9)},
    f"{JSONFILE}_load__mutmut_16": NOT_JSON,
    **{f"{JSONFILE}_read__mutmut_{n}": NOT_OPENED for n in (2, 3)},
    **{f"{JSONFILE}_write_atomically__mutmut_{n}": FULL_DISK_WRITE for n in (2, 5, 37)},
    **{f"{JSONFILE}write__mutmut_{n}": CASCADE_CUT for n in (13, 15, 17)},
}

# mutmut name -> why no test can tell it from the original
EQUIVALENT = {
    **{f"{JSONFILE}{function}__mutmut_{n}": ENSURE_ASCII for function in ("get", "get_many") for n in (10, 12, 13)},
    **{f"{JSONFILE}_texts__mutmut_{n}": ENSURE_ASCII for n in (10, 12, 13)},
    **{f"{JSONFILE}raw_state__mutmut_{n}": ENSURE_ASCII for n in (20, 22, 23)},
    **{
        f"{JSONFILE}changes_since__mutmut_{n}": "the order of the changed ids: Collection.refresh, the only caller, "
        "applies each id (present once) on its own, and the jsonfile backend sends no texts to keep in step"
        for n in (6, 8)
    },
    f"{JSONFILE}_rate_counters__mutmut_3": TEXT_ENCODING,
    f"{JSONFILE}_rate_counters__mutmut_6": UTF8_ALIAS,
    **{f"{JSONFILE}canary__mutmut_{n}": TEXT_ENCODING for n in (11, 13, 17)},
    **{f"{JSONFILE}canary__mutmut_{n}": UTF8_ALIAS for n in (15, 19)},
    f"{JSONFILE}hits__mutmut_8": "the default's end of a counter that does not exist: its count is 0, and a count of "
    "0 answers 0 seconds whatever the end",
    f"{JSONFILE}hits__mutmut_10": "a stored counter always has a count >= 1 (hit writes count + 1) and a missing "
    "one ends at 0, so the seconds left of a count of 0 are 0 either way",
    **{
        f"{JSONFILE}repair__mutmut_{n}": "no caller reaches this message: integrity.repair refuses before any fix "
        "when can_repair is False (its own 'not applicable' line is what operators read) and the admin hides the "
        "repair button; the inspect contract test checks the refusal"
        for n in (2, 4, 5)
    },
    **{
        f"{MODULE}_empty__mutmut_{n}": "every reader of a collection without a sort index defaults it "
        '(state.get("sort", {}) in page, setdefault in fill_sort and the writes), as for files written before them'
        for n in (19, 20)
    },
    **{
        f"{MODULE}_empty__mutmut_{n}": 'every reader defaults "sorted" (size, sort_progress, save_sort_progress and '
        "create use state.get)"
        for n in (21, 22)
    },
    **{f"{JSONFILE}_load__mutmut_{n}": PARSE_MEMO for n in (5, 6, 8, 17)},
    f"{JSONFILE}_load__mutmut_13": LOCALE_FILE,
    f"{JSONFILE}_load__mutmut_15": UTF8_ALIAS,
    f"{JSONFILE}_save__mutmut_6": "the memo entry left after a save is checked against the new file's (inode, "
    "mtime_ns, size) and so is never used, unless an inode is reused at the same size within the timestamp "
    "granularity, which no test can arrange",
    **{f"{JSONFILE}_write_atomically__mutmut_{n}": TEMP_NAME for n in (3, 4, 6, 7, 8, 9)},
    **{f"{JSONFILE}_write_atomically__mutmut_{n}": LOCALE_FILE for n in (12, 15)},
    f"{JSONFILE}_write_atomically__mutmut_19": UTF8_ALIAS,
    **{f"{JSONFILE}_write_atomically__mutmut_{n}": FILE_FORMAT for n in (22, 23, 26, 27, 28)},
    **{
        f"{JSONFILE}_write_atomically__mutmut_{n}": "the temp file always exists when the except runs: mkstemp "
        "made it and only os.replace, the try's last call, takes it away"
        for n in (36, 38)
    },
}
