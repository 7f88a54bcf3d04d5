"""The mutation report's knowledge of the survivors in the index reads of large collections
(index_reads.py, backends/command_indexes.py), merged by tests/mutation/survivors.py: the test that
now kills each one, or why it is equivalent."""

READS = "storage.index_reads.xǁIndexReadsǁ"
INDEXES = "storage.backends.command_indexes.xǁCommandIndexesǁ"
MORE = "tests/test_index_reads_more.py::"
SORT = "tests/test_sort_index.py::"

SCAN_CHUNKS = MORE + "test_a_scan_reads_one_chunk_per_round_trip_and_answers_at_the_version_it_read"
SCAN_GIVES_UP = MORE + "test_a_scan_of_a_collection_that_never_stops_changing_gives_up_after_three_tries"
REMEMBERED = MORE + "test_a_page_read_again_keeps_the_unchanged_record_objects_and_takes_the_changed_content"
PROGRESS = SORT + "test_a_build_reports_its_progress_chunk_by_chunk_and_says_what_it_placed"
UNVERSIONED = SORT + "test_a_build_places_records_stored_without_a_start_or_a_version_without_failing"
TIES = MORE + "test_the_index_walk_steps_over_ties_at_its_cursor_one_page_more_at_a_time"
ONE_READ = MORE + "test_the_version_size_and_complete_sort_indexes_are_read_in_one_transaction"

KILLED_BY = {
    f"{READS}_remembered__mutmut_20": MORE
    + "test_a_record_whose_text_is_restored_after_failing_to_parse_is_served_and_no_longer_flagged",
    **{
        f"{READS}_remembered__mutmut_{n}": MORE + "test_a_page_serves_the_copy_of_a_record_this_process_already_holds"
        for n in (28, 29, 31)
    },
    f"{READS}members__mutmut_3": MORE + "test_a_reference_set_of_an_invalid_id_is_empty_at_the_collection_version",
    f"{READS}scan__mutmut_2": SCAN_GIVES_UP,
    f"{READS}scan__mutmut_19": SCAN_GIVES_UP,
    **{f"{READS}scan__mutmut_{n}": SCAN_CHUNKS for n in (12, 13, 16, 17, 18)},
    f"{READS}scan__mutmut_14": MORE + "test_a_scan_that_sees_the_collection_change_starts_again_with_a_new_visitor",
    f"{READS}build_sort_index__mutmut_2": SORT + "test_a_build_on_a_field_with_no_sort_index_is_refused_naming_it",
    **{
        f"{READS}build_sort_index__mutmut_{n}": SORT
        + "test_a_build_places_records_imported_with_a_creation_time_before_1970"
        for n in (11, 12)
    },
    **{f"{READS}build_sort_index__mutmut_{n}": PROGRESS for n in (8, 16, 66, 67, 68, 69, 81, 82, 83, 85, 86)},
    **{f"storage.index_reads.x__sort_entry__mutmut_{n}": UNVERSIONED for n in (7, 9, 12, 14)},
    **{f"{INDEXES}index_after__mutmut_{n}": TIES for n in (2, 32, 38, 39, 42, 43)},
    f"{INDEXES}index_after__mutmut_41": MORE + "test_the_index_walk_ends_when_only_ties_already_seen_are_left",
    **{f"{INDEXES}size__mutmut_{n}": ONE_READ for n in (14, 16, 17)},
    f"{INDEXES}size__mutmut_32": MORE + "test_an_untouched_collection_is_at_version_zero_with_no_records",
}

CASE = (
    "a Redis command name or keyword in lower or upper case: Redis (and so the REST API and fakeredis) "
    "reads them case-insensitively, and the backends use the name only in error messages, upper-cased"
)
STRICT = (
    "zip's strict: the HMGET reply holds one flag per sort field asked for, and no sorts means no HMGET "
    "and two empty sides, so the lengths always match (and strict=False is zip's default)"
)
TORN = (
    "the completion's HSET and HDEL in a MULTI or not: both are idempotent, and a torn pair (flag set, "
    "cursor left) reads as complete (sort_progress's ready wins and the build returns 0 without the "
    "cursor; size() reads only the flag): no reader sees the left cursor"
)

EQUIVALENT = {
    **{
        f"{READS}owner__mutmut_{n}": "the non-string branch of owner: its one caller (_subset in "
        "storage/models/indexed.py) passes only the str values _unique_value returned"
        for n in (3, 5)
    },
    f"{READS}build_sort_index__mutmut_13": "float() reads '-INF' as it reads '-inf': the same start score",
    f"{READS}build_sort_index__mutmut_14": "the id half of the walk's start cursor: its score is now -inf "
    "(below every creation time, so that records imported from before 1970 are placed), which no record's "
    "score ties with",
    f"{READS}build_sort_index__mutmut_75": "the cursor given with complete=True: every backend's "
    "save_sort_progress (command_indexes, jsonfile) ignores it then, dropping the saved cursor",
    **{
        f"{READS}_remembered__mutmut_{n}": "zip's strict over a page's ids and texts: script_texts pads the "
        "texts to the ids' length and the JSON file backend builds one text per id, so they never differ"
        for n in (5, 8, 9)
    },
    f"{INDEXES}page__mutmut_1": "the default of reverse: its one caller, IndexReads.page, always passes it",
    f"{INDEXES}page__mutmut_24": "the ascending flag's text: page.lua tests only ARGV[4] == '1' (descending)",
    f"{INDEXES}owner__mutmut_22": "the Page's total of an owner lookup: its one reader, IndexReads.owner, "
    "uses only the version, ids and texts",
    **{f"{INDEXES}index_after__mutmut_{n}": CASE for n in (22, 26, 28, 30)},
    f"{INDEXES}sort_progress__mutmut_11": CASE,
    **{f"{INDEXES}save_sort_progress__mutmut_{n}": CASE for n in (8, 11, 22)},
    **{f"{INDEXES}size__mutmut_{n}": CASE for n in (3, 6, 11)},
    f"{INDEXES}sort_progress__mutmut_14": "partition or rpartition of the saved '<score>:<id>' cursor: "
    "neither an int score nor an id (ID_PATTERN: letters, digits, _ and -) holds a ':'",
    **{f"{INDEXES}save_sort_progress__mutmut_{n}": TORN for n in (4, 6, 12)},
    f"{INDEXES}save_sort_progress__mutmut_9": "the completion flag's text: its readers test only that it "
    "is set (size(): `if flag`, sort_progress: bool(ready)); nothing compares it to '1'",
    **{f"{INDEXES}size__mutmut_{n}": STRICT for n in (22, 25, 29)},
    "storage.backends.command_indexes.x_script_texts__mutmut_10": "script_texts' str filter: both "
    "transports deliver a missing record's MGET entry as None (redis-py turns Lua's false into nil, the "
    "REST API's JSON null decodes to None) and every other entry as a str",
}
