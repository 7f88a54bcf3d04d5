"""The mutation report's knowledge of the survivors in the model bridge (storage/models/: model.py,
memo.py, derived.py, annotations.py, fields.py, registration.py), merged by
tests/mutation/survivors.py: the test that now kills each one, or why it is equivalent."""

BRIDGE = "tests/test_model_bridge.py::"
MEMO_TESTS = "tests/test_memo.py::"
ADMIN_QS = "tests/test_storage_queryset_admin.py::"
INSTANCES = "tests/test_model_instances.py::"
MODEL = "storage.models.model.xǁStorageModelǁ"
FOREIGN_KEY = "storage.models.model.xǁStorageForeignKeyǁ"
MANAGER = "storage.models.model.xǁStorageManagerǁ"
MEMO = "storage.models.memo.xǁMemoǁ"
DERIVED = "storage.models.derived.xǁDerivedValuesǁ"
ANNOTATIONS = "storage.models.annotations.x"
FIELDS = "storage.models.fields.xǁStringListǁ"
REGISTRATION = "storage.models.registration.x_"

SPEC = BRIDGE + "test_each_model_declares_its_whole_collection_spec"
SPEC_DEFAULTS = BRIDGE + "test_a_model_declaring_only_its_collection_and_id_prefix_gets_the_spec_defaults"
REFERENCE_DEFAULTS = BRIDGE + "test_a_storage_reference_asks_nothing_of_the_database_unless_told"
CASCADE = BRIDGE + "test_delete_refuses_a_record_with_dependents_unless_cascading_and_counts_them"
STALE_DELETE = BRIDGE + "test_delete_of_a_stale_instance_goes_through_unless_the_version_is_checked"
REFRESHED = BRIDGE + "test_refresh_from_db_takes_every_value_another_writer_stored"
REFRESH_GONE = BRIDGE + "test_refresh_from_db_of_a_deleted_record_says_which_one_no_longer_exists"
LRU = MEMO_TESTS + "test_a_full_memo_drops_the_least_recently_used_result_and_keeps_its_size"
COUNTS = ADMIN_QS + "test_counts_by_counts_in_one_pass"
VALUE_MAP = ADMIN_QS + "test_value_map_gives_each_records_field"
SLICED = ADMIN_QS + "test_values_are_not_derived_from_a_sliced_query"
MODELS = "tests/test_models.py::"
TAG_LIMITS = MODELS + "test_tags_at_the_limits_are_accepted_and_trimmed"
MAPPED = ADMIN_QS + "test_mapped_value_annotates_listed_instances_and_sorts"
CONVERTED_ONCE = INSTANCES + "test_a_list_of_unchanged_records_converts_their_values_once"
FRESH_WORKER = INSTANCES + "test_the_first_list_of_a_fresh_worker_builds_its_instances"
OLD_RECORD = INSTANCES + "test_a_record_stored_before_a_field_existed_gets_the_field_default"
SAME_DATABASE = INSTANCES + "test_a_listed_record_can_be_pointed_at_a_client_just_saved"

# mutmut name -> the test that kills it now (it survived, or no selected test ran it, before)
KILLED_BY = {
    **{f"{MODEL}storage_spec__mutmut_{n}": SPEC for n in range(1, 55) if n not in (30, 33, 36)},
    **{f"{MODEL}storage_spec__mutmut_{n}": SPEC_DEFAULTS for n in (30, 33, 36)},
    **{f"{FOREIGN_KEY}__init____mutmut_{n}": REFERENCE_DEFAULTS for n in range(1, 17)},
    **{f"{MODEL}delete__mutmut_{n}": CASCADE for n in (1, 13, 14, 15)},
    **{f"{MODEL}delete__mutmut_{n}": STALE_DELETE for n in (2, 3, 4, 5, 8, 11)},
    **{f"{MODEL}refresh_from_db__mutmut_{n}": REFRESHED for n in (1, 2, 3, 5, 6, *range(7, 17))},
    f"{MODEL}refresh_from_db__mutmut_4": REFRESH_GONE,
    **{f"{MODEL}from_record__mutmut_{n}": CONVERTED_ONCE for n in (1, 2, 4, 5, 6, 7, 8, 11, 12)},
    **{f"{MODEL}_convert__mutmut_{n}": CONVERTED_ONCE for n in (1, 2, 3, 30, 31)},
    f"{MODEL}from_record__mutmut_3": FRESH_WORKER,
    **{f"{MODEL}_convert__mutmut_{n}": FRESH_WORKER for n in (4, 5, 6, 9, 10, 11, 12)},
    **{f"{MODEL}_convert__mutmut_{n}": OLD_RECORD for n in (7, 16, 18)},
    f"{MODEL}_convert__mutmut_29": INSTANCES + "test_the_conversions_kept_are_bounded_and_dropped_past_the_bound",
    **{f"{MODEL}from_record__mutmut_{n}": SAME_DATABASE for n in (32, 33)},
    f"{MANAGER}value_map__mutmut_1": VALUE_MAP,
    **{f"{MEMO}__init____mutmut_{n}": MEMO_TESTS + "test_a_memo_keeps_64_results_by_default" for n in (1, 2, 3, 4)},
    **{f"{MEMO}get__mutmut_{n}": LRU for n in (21, 23)},
    **{f"{DERIVED}value_map__mutmut_{n}": VALUE_MAP for n in (1, 2, 3, 4, 5, 6, 9, 10, 11, 12)},
    **{f"{DERIVED}_derived__mutmut_{n}": COUNTS for n in range(17, 28) if n not in (18, 20)},
    f"{DERIVED}_derived__mutmut_18": ADMIN_QS + "test_counts_and_maps_are_memoised_until_the_collection_changes",
    f"{ANNOTATIONS}ǁMappedValueǁ__init____mutmut_1": MAPPED,
    f"{ANNOTATIONS}ǁMappedGetterǁ__init____mutmut_1": MAPPED,
    **{f"{ANNOTATIONS}ǁMappedGetterǁ__call____mutmut_{n}": MAPPED for n in range(1, 6)},
    **{
        f"{DERIVED}_derived__mutmut_{n}": "tests/test_bounded_cache.py::"
        "test_counts_of_a_cold_collection_loading_in_the_background_wait_for_its_load"
        for n in (7, 8)
    },
    f"{DERIVED}_derived__mutmut_20": ADMIN_QS + "test_counts_and_maps_of_one_collection_are_kept_apart",
    **{f"{DERIVED}_derived__mutmut_{n}": SLICED for n in (3, 4, 5, 6)},
    f"{REGISTRATION}register_model__mutmut_1": MODELS + "test_registering_a_model_declares_its_collection_spec_once",
    **{
        f"{REGISTRATION}as_validation_error__mutmut_{n}": MODELS
        + "test_a_record_deleted_meanwhile_and_a_non_validation_error_say_so"
        for n in (13, 14, 15)
    },
    **{f"{FIELDS}validate__mutmut_{n}": MODELS + "test_tags_refused_say_why" for n in (2, 4, 11)},
    **{f"{FIELDS}validate__mutmut_{n}": TAG_LIMITS for n in (3, 8, 9, 10)},
    **{f"{FIELDS}trimmed__mutmut_{n}": TAG_LIMITS for n in (1, 2, 3)},
}

# mutmut name -> why no test can tell it from the original
EQUIVALENT = {
    f"{FOREIGN_KEY}validate__mutmut_3": "Django's Field.validate never reads model_instance (editable, choices, "
    "null and blank checks only)",
    f"{MODEL}save__mutmut_25": "_state.adding = None instead of False: every reader (save() here, "
    "StorageModelForm's `if not instance._state.adding`) tests its truthiness",
    f"{MODEL}save__mutmut_27": "_state.db = None instead of 'default': Django's routers and related "
    "descriptors read `instance._state.db or DEFAULT_DB_ALIAS`, and StorageQuerySet ignores the alias",
    f"{MODEL}from_record__mutmut_29": "state.adding = None instead of False: every reader (save(), "
    "StorageModelForm's `if not instance._state.adding`) tests its truthiness",
    f"{MODEL}from_record__mutmut_31": "state.db = None instead of 'default': Django's router reads "
    "`instance._state.db or DEFAULT_DB_ALIAS` and a related descriptor sets a None db before comparing",
    **{
        f"{MODEL}_convert__mutmut_{n}": "`strict` only asserts what the construction guarantees: _attnames and "
        "_converters are built together from the same concrete_fields"
        for n in (21, 24, 25)
    },
    f"{MODEL}_convert__mutmut_8": "get_default() of a field without a default is used only for a stored record "
    "lacking a required field (name, title, client, starts_at), which every validated write stores",
    **{
        f"{DERIVED}{name}": "the memo key's tag only has to differ from the other tags of one collection's "
        "keys ('counts', 'values', 'by-id', 'sorted'): a renamed tag still does"
        for name in ("counts_by__mutmut_18", "counts_by__mutmut_19", "value_map__mutmut_7", "value_map__mutmut_8")
    },
    f"{MEMO}get__mutmut_22": "OrderedDict.popitem(last=None) takes `last` by truthiness: None pops the oldest "
    "like False",
}
