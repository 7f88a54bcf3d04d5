"""The mutation report's knowledge of the survivors in the index-served queries (storage/models/indexed.py),
merged by tests/mutation/survivors.py: the test that now kills each one, or why it is equivalent."""

INDEXED = "storage.models.indexed."
QUERIES = "tests/test_indexed_queries.py::"
SCANS = "tests/test_indexed_scans.py::"
PAGES = "tests/test_indexed_pages.py::"

SAME_PAGES = QUERIES + "test_pages_in_any_order_and_window_are_the_same_from_the_indexes_as_from_memory"
SAME_FILTERED = QUERIES + "test_filtered_queries_are_the_same_from_the_indexes_as_from_memory"
IDS_READ = QUERIES + "test_an_ids_filter_reads_just_those_records_and_again_unchanged_only_the_version"
INDEX_ENTRY = QUERIES + "test_a_reference_filter_reads_its_set_and_a_unique_value_its_index_entry_not_a_scan"
CHUNKED = SCANS + "test_counts_and_value_maps_read_in_several_chunks_are_those_of_memory"
DERIVED_MEMO = SCANS + "test_an_unchanged_derived_map_costs_the_version_only_and_a_change_elsewhere_is_counted"
TRIMMED = SCANS + "test_a_scanned_page_trims_what_it_keeps_to_its_window_once_past_twice_its_end_plus_a_thousand"
ONE_PAGE = PAGES + "test_a_window_of_up_to_a_thousand_records_at_any_offset_is_one_page_read_in_the_asked_order"
ANNOTATED = PAGES + "test_a_page_ordered_by_an_annotation_follows_the_collection_the_annotation_maps"
FAILED_READ = PAGES + "test_a_page_the_backend_fails_to_read_is_the_last_answer_flagged_only_with_stale_reads"
SERVABLE = PAGES + "test_a_loading_collection_answers_from_its_indexes_only_the_queries_an_index_serves"

ALWAYS_OUTGROWN = (
    "collection.outgrown is always set here: these run only when _read_source found INDEXED (cache.version None), "
    "which all_with_version returns only with outgrown set (refresh sets it; the stale path raises when both are "
    "unset), so its version is never None either"
)
STRIP_X = (
    'lstrip("XX-XX") strips "X" as well as "-": the same name for every field and annotation ordered by '
    "(lower-case fields, sessions_count, client_name: none starts with X)"
)
STRICT_ZIP = "`strict` on zips whose lengths are equal by construction: a and b are built by the same key from `parts`"
SIGN_ONLY = "cmp_to_key reads only the sign of compare's answer: 2 and -2 order as 1 and -1"
ONLY_GETTERS = (
    "getters of every annotation instead of the ordering's: order_value/sort_records read only the ordering's "
    "names from them, the extra MappedValue mappings are built and never read"
)
SEEN_TIE_BREAK = "`seen` is only the tie-break among equal sort keys: any strictly increasing counter orders alike"

# mutmut name -> the test that kills it now (it survived the run before that test was written)
KILLED_BY = {
    f"{INDEXED}xǁInOrderǁ__getitem____mutmut_7": SAME_PAGES,
    **{f"{INDEXED}x_count__mutmut_{n}": SAME_PAGES for n in (11, 12, 18, 19, 20)},
    **{f"{INDEXED}x_window__mutmut_{n}": ANNOTATED for n in (2, 4, 5)},
    **{f"{INDEXED}x_window__mutmut_{n}": FAILED_READ for n in (33, 36)},
    f"{INDEXED}x_window__mutmut_45": PAGES + "test_a_page_weighs_its_records_in_the_bound_of_results_kept",
    f"{INDEXED}x__evaluate__mutmut_3": SAME_FILTERED,
    f"{INDEXED}x__evaluate__mutmut_71": SAME_PAGES,
    **{f"{INDEXED}x__evaluate__mutmut_{n}": ONE_PAGE for n in (6, 7, 24, 25, 47)},
    **{f"{INDEXED}x_servable__mutmut_{n}": SERVABLE for n in (4, 10, 11, 15, 16, 17, 18, 21, 23, 24, 26, 31)},
    **{f"{INDEXED}x__subset__mutmut_{n}": SAME_FILTERED for n in range(5, 18)},
    **{f"{INDEXED}x__subset__mutmut_{n}": IDS_READ for n in (2, 18)},
    f"{INDEXED}x__subset__mutmut_19": INDEX_ENTRY,
    **{f"{INDEXED}x_reference_value__mutmut_{n}": INDEX_ENTRY for n in (9, 10, 11, 13, 14)},
    f"{INDEXED}x_reference_value__mutmut_15": CHUNKED,
    **{f"{INDEXED}x__unique_value__mutmut_{n}": INDEX_ENTRY for n in (9, 10)},
    f"{INDEXED}x__unique_value__mutmut_11": QUERIES
    + "test_a_unique_field_filtered_by_none_is_scanned_and_matches_nothing",
    f"{INDEXED}x__unique_value__mutmut_18": QUERIES
    + "test_a_filter_on_a_blank_unique_value_waits_for_a_cold_collection_to_load_instead_of_scanning",
    f"{INDEXED}x__ordered__mutmut_6": SAME_FILTERED,
    f"{INDEXED}x__scan__mutmut_29": SAME_FILTERED,
    **{f"{INDEXED}x__scan__mutmut_{n}": TRIMMED for n in range(41, 55)},
    f"{INDEXED}x__sort_key__mutmut_48": SAME_PAGES,
    **{f"{INDEXED}x_derived__mutmut_{n}": DERIVED_MEMO for n in (1, 2, 4, 8, 9, 11, 12, 15, 43, 44, 45)},
    **{f"{INDEXED}x_derived__mutmut_{n}": CHUNKED for n in (5, 17, 18, 20, 21, 22, 23, 30, 36, 39, 40, 41, 42, 46)},
    f"{INDEXED}x_derived__mutmut_50": SCANS + "test_a_derived_map_weighs_its_entries_in_the_bound_of_results_kept",
    **{f"{INDEXED}x__merge__mutmut_{n}": CHUNKED for n in (2, 3, 4, 7)},
}

# mutmut name -> why no test can tell it from the original
EQUIVALENT = {
    f"{INDEXED}x_count__mutmut_17": "the window (0, None) holds every match, so len(rows) is the total",
    f"{INDEXED}x_window__mutmut_6": STRIP_X,
    f"{INDEXED}x_window__mutmut_11": ALWAYS_OUTGROWN,
    f"{INDEXED}x_window__mutmut_13": "version is never None here (" + ALWAYS_OUTGROWN + "); what changes is a memo "
    "read for an annotated query, which finds nothing: annotated results are never put",
    f"{INDEXED}x__evaluate__mutmut_19": ALWAYS_OUTGROWN,
    **{f"{INDEXED}x__evaluate__mutmut_{n}": STRIP_X for n in (27, 33)},
    f"{INDEXED}x__evaluate__mutmut_49": "_subset never reads its queryset argument",
    f"{INDEXED}x_servable__mutmut_20": STRIP_X,
    f"{INDEXED}x__ordered__mutmut_11": ONLY_GETTERS,
    f"{INDEXED}x__sort_key__mutmut_5": ONLY_GETTERS,
    **{
        f"{INDEXED}x__sort_key__mutmut_{n}": "the key of a query with no ordering: any constant does, the scan's "
        "`seen` counter then orders by creation"
        for n in (2, 3)
    },
    f"{INDEXED}x__sort_key__mutmut_16": STRIP_X,
    **{f"{INDEXED}x__sort_key__mutmut_{n}": STRICT_ZIP for n in (21, 24, 27, 30, 31, 32)},
    f"{INDEXED}x__sort_key__mutmut_35": "left <= right is reached only after left != right: it is left < right",
    **{f"{INDEXED}x__sort_key__mutmut_{n}": SIGN_ONLY for n in (40, 42, 46, 47)},
    **{f"{INDEXED}x__scan__mutmut_{n}": SEEN_TIE_BREAK for n in (19, 38)},
    f"{INDEXED}x__scan__mutmut_62": "sorting everything kept instead of the `stop` smallest: the same rows "
    "[start:stop], and what is kept is already bounded between chunks (pinned by the trim test)",
    **{f"{INDEXED}x_derived__mutmut_{n}": ALWAYS_OUTGROWN for n in (3, 10)},
    **{
        f"{INDEXED}x_derived__mutmut_{n}": 'the "derived" tag only keeps derived maps apart from pages, whose keys '
        "are 4-tuples (where, ordering, start, stop): any constant string does"
        for n in (6, 7)
    },
}
