"""The mutation report's knowledge of the survivors in the Redis and REST backends (redis.py,
rest.py, commands.py), merged by tests/mutation/survivors.py: the test that now kills each one, or
why it is equivalent."""

REST = "storage.backends.rest."
RESTB = REST + "xǁRestBackendǁ"
REDIS = "storage.backends.redis.xǁRedisBackendǁ"
CMD = "storage.backends.commands.xǁCommandBackendǁ"

BACKEND = "tests/test_rest_backend.py::"
CONFIG = "tests/test_rest_config.py::"
SERVER = "tests/test_rest_server.py::"
STORAGE_REDIS = "tests/test_storage_redis.py::"
MODES = "tests/test_redis_modes.py::"

EACH_REPLY = BACKEND + "test_each_reply_is_classified_and_explained"
IN_PIPELINE = BACKEND + "test_errors_inside_a_pipeline_name_the_command_that_failed"
ONE_TRANSACTION = BACKEND + "test_the_rate_counter_and_the_reads_that_must_agree_are_each_one_transaction"
NEVER_WRITTEN = BACKEND + "test_a_collection_never_written_is_at_version_zero_with_no_change_log_floor"
WRONG_SETTING = CONFIG + "test_a_wrong_url_or_an_empty_token_is_refused_naming_the_setting"
REST_SETTINGS = CONFIG + "test_the_settings_reach_the_client_and_the_url_loses_only_its_trailing_slashes"
READ_ONLY = CONFIG + "test_only_the_read_only_token_itself_is_refused_at_startup"
COUNTER = STORAGE_REDIS + "test_the_rate_counter_counts_reads_and_starts_at_zero"
REDIS_SETTINGS = STORAGE_REDIS + "test_every_redis_setting_reaches_the_backend"
DURABLE = STORAGE_REDIS + "test_a_write_is_durable_once_the_replica_acknowledges_it_and_never_a_success_without"

# settings.get defaults of RedisBackend.from_settings (the keys are always in the dict it gets)
REDIS_SETTING_DEFAULTS = (30, 32, 35, 36, 38, 40, 43, 45, 47, 50, 52, 54, 57, 59, 61, 64, 66, 68, 71)


def _names(function, numbers, test):
    return {f"{function}__mutmut_{n}": test for n in numbers}


KILLED_BY = {
    **_names(REST + "x_decode", (11, 12, 16, 17, 19, 20, 21), EACH_REPLY),
    **_names(REST + "x_describe_shape", (1,), EACH_REPLY),
    **_names(REST + "x_error_for", (1, 12, 13, 14, 15, 17, 18, 19), EACH_REPLY),
    **_names(REST + "x_error_for", (6, 9, 10, 11), IN_PIPELINE),
    **_names(REST + "x_error_text", (1, 2, 3, 6), EACH_REPLY),
    **_names(
        REST + "x_payload_of", (12, 13, 17, 19, 20, 21, 22, 24, 25, 26, 27, 29, 31, 38, 41, 42, 45, 49, 50), EACH_REPLY
    ),
    **_names(REST + "x_reply_of", (1, 11, 12, 13), EACH_REPLY),
    **_names(REST + "x_reply_of", (22, 24, 28), IN_PIPELINE),
    **_names(
        RESTB + "__init__",
        (41, 44, 45),
        BACKEND + "test_requests_carry_bearer_token_base64_encoding_and_string_arguments",
    ),
    **_names(RESTB + "__init__", (8,), WRONG_SETTING),
    **_names(RESTB + "__init__", (9, 14), REST_SETTINGS),
    **_names(RESTB + "_send", (13, 15, 16), BACKEND + "test_transport_failures_name_their_cause"),
    **_names(RESTB + "_send", (21,), EACH_REPLY),
    **_names(RESTB + "_send", (14,), CONFIG + "test_a_url_without_a_host_is_a_configuration_error_on_first_use"),
    **_names(RESTB + "check_target", (13, 16, 17, 18, 19, 20), WRONG_SETTING),
    **_names(RESTB + "check_target", (21, 22, 23, 24, 25, 26, 27, 28), READ_ONLY),
    **_names(RESTB + "from_settings", range(1, 21), REST_SETTINGS),
    **_names(
        REDIS + "from_settings",
        [n for n in range(1, 72) if n not in REDIS_SETTING_DEFAULTS],
        STORAGE_REDIS + "test_every_redis_setting_reaches_the_backend",
    ),
    **_names(REDIS + "__init__", (15, 16, 17, 18, 22, 23, 24, 25, 27, 30, 32), REDIS_SETTINGS),
    **_names(REDIS + "evalsha", range(8, 33), DURABLE),
    **_names(
        REDIS + "__init__",
        (38, *range(42, 55)),
        STORAGE_REDIS + "test_wait_settings_must_let_wait_answer_before_the_socket_gives_up",
    ),
    **_names(REDIS + "check_target", range(2, 8), STORAGE_REDIS + "test_the_redis_url_is_checked_at_startup"),
    **_names(
        REDIS + "describe", range(1, 8), STORAGE_REDIS + "test_describe_shows_the_backend_its_url_and_the_mode_found"
    ),
    **_names(REDIS + "counted", (1, 2, 3, 4, 5, 6, 7, 9, 10), COUNTER),
    **_names(REDIS + "scan", (1, 2, 3, 5), MODES + "test_diagnostics_see_exactly_one_collections_keys_on_a_cluster"),
    **_names(
        REDIS + "_node_client", (1, 2), MODES + "test_write_without_enough_replicas_is_failed_or_unknown_never_success"
    ),
    **_names(
        REDIS + "_node_client", (3, 4, 5, 6), MODES + "test_cluster_write_without_enough_replicas_is_not_a_success"
    ),
    **_names(CMD + "hit", (10,), COUNTER),
    **_names(CMD + "hit", (5, 7, 20), ONE_TRANSACTION),
    **_names(CMD + "hits", (1, 2, 3, 4, 6, 8, 10, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24), COUNTER),
    **_names(CMD + "hits", (5, 7, 12), ONE_TRANSACTION),
    **_names(
        CMD + "counted", (1, 2, 3, 4, 5, 6, 7, 9, 10), SERVER + "test_the_rate_counter_counts_reads_and_starts_at_zero"
    ),
    **_names(CMD + "snapshot_ids", (3, 5, 16, 19), ONE_TRANSACTION),
    **_names(CMD + "changes_listed", (3, 5, 17), ONE_TRANSACTION),
    **_names(CMD + "changes_listed", (7, 10, 12, 16, 30), NEVER_WRITTEN),
    **_names(CMD + "version", (8, 10), NEVER_WRITTEN),
    **_names(
        CMD + "changes_since",
        (22, 23, 29, 33, 37),
        "tests/test_storage_single_trip.py::test_a_refresh_reads_what_changed_with_its_records_in_one_round_trip",
    ),
    **{
        f"storage.backends.commands.x_interpret_reply__mutmut_{n}": "tests/test_storage_contract_writes.py::"
        "test_each_refused_write_names_its_collection_its_record_and_what_refused_it"
        for n in (34, 35, 41, 42, 48, 49, 50, 61)
    },
    **{
        f"storage.backends.commands.x_interpret_reply__mutmut_{n}": "tests/test_storage_contract_writes.py::"
        "test_a_refused_reference_or_delete_names_what_refused_it"
        for n in (72, 74, 83, 84, 85, 91)
    },
    "storage.backends.commands.x_interpret_reply__mutmut_94": "tests/test_storage_contract_writes.py::"
    "test_a_reply_no_script_gives_is_a_command_error_that_shows_it",
}

CASE = (
    "a command name or SET option in lower case: Redis reads them case-insensitively, both transports pass "
    "them through unchanged and redis-py finds its reply callbacks in a CaseInsensitiveDict: same command, same reply"
)
HEADER_CASE = (
    "an HTTP header name in another case: header names are case-insensitive (httpx.Headers, and "
    "tests/upstash_server.py reads them through http.server's case-insensitive message)"
)
DEAD = (
    "removed with the dead code it mutated: RestBackend.latency(), .info() and parse_info() were called by no "
    "health check (they time their own PING and read INFO through server_info)"
)

EQUIVALENT = {
    CMD + "changes_since__mutmut_44": "the floor's default: changes.lua answers '0' when meta holds no floor, "
    "so the floor it returns is never empty",
    **_names(CMD + "version", (8,), CASE),
    **_names(CMD + "count", (7,), CASE),
    **_names(CMD + "ids_by", (7,), CASE),
    **_names(CMD + "get_many", (22,), CASE),
    **_names(CMD + "snapshot_ids", (7, 10), CASE),
    **_names(CMD + "hit", (9, 12, 15, 17, 19), CASE),
    **_names(CMD + "hits", (9, 11), CASE),
    **_names(CMD + "counted", (8,), CASE),
    **_names(REDIS + "counted", (8,), CASE),
    **_names(RESTB + "__init__", (34, 35, 37, 38, 42, 43), HEADER_CASE),
    CMD + "pipeline__mutmut_1": "the default of the base class's pipeline, which only raises NotImplementedError: "
    "RedisBackend and RestBackend override it, each with its own default False",
    CMD
    + "hit__mutmut_27": "the time left that hit() returns: no caller reads it (RateLimit.count in config/ratelimit.py, "
    "_bump in config/api/authentication.py and tests/storage_worker.py all discard it)",
    CMD + "hits__mutmut_21": "max(ttl, 1) for max(ttl, 0): hits()' time left is read only by RateLimit.blocked "
    "(config/ratelimit.py), which answers max(left, 1) itself: 0 and 1 give the same answer",
    **_names(
        REDIS + "from_settings",
        REDIS_SETTING_DEFAULTS,
        "a settings.get default: from_settings is only given config/settings.py's STORAGE (storage/config.py "
        "build_backend, storage/store.py), which always holds REDIS_MODE, REDIS_SSL_CERT_REQS, REDIS_SSL_CA_CERTS, "
        "REDIS_SENTINEL_PASSWORD, WAIT_REPLICAS and WAIT_TIMEOUT_MS",
    ),
    **_names(
        REDIS + "__init__",
        (1, 2, 7, 9),
        "a keyword default (socket or connect timeout, sentinel password, WAIT timeout): production builds the "
        "backend with from_settings, which always passes all four; only tests and bench/ rely on the defaults",
    ),
    **_names(
        REDIS + "__init__",
        (26, 28, 29),
        "the mode of an injected client: only tests inject one (fakeredis, tests/conftest.py make_backend); a "
        "production backend gets a URL, and every mode test in redis.py compares with 'cluster' only",
    ),
    CMD + "script_call__mutmut_13": "expected -2 for -1 (no expected version): update.lua and delete.lua only test "
    "spec.expected >= 0, create.lua ignores it (repair.lua gets its spec from command_diagnostics.repair, not here)",
    **_names(
        CMD + "script_call",
        (52, 53),
        "KEYS[3] / KEYS[4] (collection version, changes) are only declared: create/update/delete.lua and prelude.lua "
        "build those keys from spec.root and the collection; the mutated key keeps the {prefix} hash tag (one slot)",
    ),
    **_names(
        CMD + "script_call",
        (63, 65, 66),
        "ensure_ascii on updated_at: it is always an ISO-8601 timestamp (now_iso(), or a DateTimeField's value in "
        "diagnostics/transfer.py imports), pure ASCII, so both encodings give the same text",
    ),
    REDIS + "check_target__mutmut_1": "the default of redis_url: its one caller, select_backend (storage/config.py), "
    "always passes it",
    RESTB + "check_target__mutmut_1": "the default of rest_url: both callers (select_backend and RestBackend.__init__) "
    "always pass it",
    RESTB
    + "check_target__mutmut_2": "the default of rest_token: both callers (select_backend and RestBackend.__init__) "
    "always pass it",
    RESTB + "check_target__mutmut_3": "the default of rest_read_only_token, used only by RestBackend.__init__: 'XXXX' "
    "would refuse only a token spelt exactly XXXX (an empty one is refused first); Upstash tokens are long and "
    "random",
    RESTB + "check_target__mutmut_7": "(rest_url or 'XXXX'): an empty URL fails the https:// test either way, and the "
    "message shows mask_url(rest_url), the value given",
    **_names(
        RESTB + "__init__",
        (1, 2),
        "a default timeout: from_settings, the one production caller, always passes SOCKET_TIMEOUT and "
        "CONNECT_TIMEOUT (config/settings.py always sets both)",
    ),
    RESTB + "__init____mutmut_23": "sync_token '' for None: it is only tested for truth (_send) until the server "
    "sends a token, which replaces it",
    **_names(
        RESTB + "__init__",
        (27, 31),
        "follow_redirects None or left out: httpx.Client's default is False and it tests the value for truth only, "
        "so no redirect is followed either way",
    ),
    REST + "x_command__mutmut_1": "str(a) of a str is that same string: strings were already sent unchanged",
    REST + "x_payload_of__mutmut_23": "httpx.Headers.get is case-insensitive: 'LOCATION' finds the Location header",
    REST + "x_decode__mutmut_14": "'UTF-8' and 'utf-8' name the same codec",
    **_names(
        "storage.backends.commands.x_interpret_reply",
        (8, 11, 12, 13, 16),
        "removed with the branch it mutated: every ok reply (create/update/delete.lua, jsonfile_writes.py) has all "
        "five items, so the fallbacks for a reply without cascaded / created_at could not run",
    ),
    RESTB + "latency__mutmut_2": DEAD,
    RESTB + "info__mutmut_8": DEAD,
    **_names(REST + "x_parse_info", (3, 4, 5, 8, 16, 17, 19, 23), DEAD),
}
