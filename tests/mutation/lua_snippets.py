"""The hand mutations of the Lua scripts: (script, exact original snippet, replacement, the tests
that must fail), run one at a time by tests/mutation/lua_mutants.py."""

# The Lua runs only on redis and rest (a real redis-server behind tests/upstash_server.py); the
# other backends and the slow multi-node topologies are deselected to keep one mutant under a minute.
KEEP = ["-k", "not fakeredis and not jsonfile and not cluster and not sentinel"]
WRITES = "tests/test_guarantee_writes.py"
CONTRACT = "tests/test_storage_contract.py"
SINGLE = "tests/test_storage_single_trip.py"
CACHE = "tests/test_guarantee_reads.py"
BOUNDED = ["tests/test_bounded_cache.py", "tests/test_index_reads.py", "tests/test_sort_index.py"]
LOST = "tests/test_storage_redis.py::test_a_write_whose_reply_is_lost_is_applied_once"
REST_LOST = "tests/test_guarantee_writes.py::test_rest_a_lost_reply_of_the_script_call_itself_is_applied_once"
TRIM = "tests/test_storage_contract.py::test_trimmed_change_log_makes_an_old_cache_reload"
CONTRACT_WRITES = "tests/test_storage_contract_writes.py"
UNIQUE = "tests/test_index_lookups.py"
REPAIR = "tests/test_diagnostics_verify.py"
INSPECT = "tests/test_storage_inspect_contract.py"
BUCKETS = "tests/test_unique_buckets.py"
ROW = [CONTRACT, CONTRACT_WRITES, SINGLE]  # the record and its unique / reference / sort indexes
SORT = ["tests/test_sort_index.py::test_the_sort_index_serves_the_default_session_order", SINGLE, *BOUNDED]
FILL = [
    "tests/test_sort_index.py::test_build_indexes_upgrades_data_written_before_sort_indexes",
    "tests/test_sort_index.py::test_an_interrupted_build_resumes_from_its_cursor",
    "tests/test_index_reads.py::test_the_sort_fill_places_only_records_still_at_their_planned_version",
]
FIX = [REPAIR, INSPECT]
STATE = [*BOUNDED, "tests/test_storage_contract_indexes.py", "tests/test_state_held_texts.py"]
PAGES = ["tests/test_paged_index.py", *SORT]
CREATION = ["tests/test_creation_index.py"]
REFS = ["tests/test_reference_hashes.py"]

# (script, exact original snippet, replacement, tests): every comparison and every write.
MUTANTS = [
    # prelude: the operation-id lookup and record
    ("prelude.lua", "local done = redis.call('GET', KEYS[6])", "local done = false", [LOST, REST_LOST]),
    ("prelude.lua", "  redis.call('EXPIRE', KEYS[6], spec.op_ttl)\n", "", [LOST, REST_LOST, WRITES]),
    ("prelude.lua", "redis.call('SET', KEYS[6], cjson.encode(result), 'EX', spec.op_ttl)", "", [LOST, REST_LOST]),
    # prelude: the collection version and change log
    (
        "prelude.lua",
        "local version = redis.call('INCR', key(collection, 'version'))",
        "local version = tonumber(redis.call('GET', key(collection, 'version')) or 0)",
        [CONTRACT, CACHE],
    ),
    ("prelude.lua", "redis.call('ZADD', changes, version, id)", "", [CONTRACT, CACHE]),
    (
        "prelude.lua",
        "if size > spec.changes_max + spec.changes_slack then",
        "if size < spec.changes_max + spec.changes_slack then",
        [CONTRACT],
    ),
    ("prelude.lua", "if size > spec.changes_max + spec.changes_slack then", "if false then", [TRIM]),
    ("prelude.lua", "redis.call('ZREMRANGEBYRANK', changes, 0, drop - 1)", "", [TRIM, CONTRACT]),
    ("prelude.lua", "redis.call('HSET', KEYS[5], 'floor:' .. collection, last[2])", "", [TRIM, CONTRACT]),
    # prelude: the stored unique value a record is indexed under
    ("prelude.lua", "if raw == nil or raw == cjson.null or raw == '' then", "if raw == nil then", ROW),
    ("prelude.lua", "if raw == u[3] then", "if false then", ROW),
    ("prelude.lua", "if given and given[1] == raw then", "if false then", ROW),
    (
        "prelude.lua",
        "if candidate ~= '' and unique_owner(u[1], candidate) == spec.id then",
        "if candidate ~= '' and unique_owner(u[1], candidate) ~= spec.id then",
        ROW,
    ),
    ("prelude.lua", "if old == nil then", "if false then", ROW),
    # prelude: unique and reference checks
    ("prelude.lua", "if u[3] ~= '' then\n      local owner", "if false then\n      local owner", [CONTRACT]),
    ("prelude.lua", "if owner and owner ~= id then", "if owner and owner == id then", [CONTRACT]),
    (
        "prelude.lua",
        "if r[3] ~= '' and redis.call('EXISTS', key(r[2], r[3])) == 0 then",
        "if r[3] ~= '' and redis.call('EXISTS', key(r[2], r[3])) == 1 then",
        [CONTRACT],
    ),
    # prelude: sort, unique and reference indexes
    ("prelude.lua", "if o[2] ~= '' then", "if o[2] == '' then", SORT),
    ("prelude.lua", "      pz_add(index, o[2], id)\n", "", SORT),
    ("prelude.lua", "        pz_remove(index, score, id)\n", "", SORT),
    ("prelude.lua", "if score == nil or score ~= o[2] then", "if false then", SORT),
    ("prelude.lua", "if u[2] ~= '' and u[2] ~= u[3] then", "if false then", ROW),
    ("prelude.lua", "if redis.call('HGET', hash, value) == id then", "if true then", [*ROW, *FIX]),
    ("prelude.lua", "redis.call('HDEL', hash, value)", "", [*ROW, *FIX]),
    (
        "prelude.lua",
        "if u[3] ~= '' then\n      redis.call('HSET', unique_bucket(u[1], u[3]), u[3], id)",
        "if false then\n      redis.call('HSET', unique_bucket(u[1], u[3]), u[3], id)",
        ROW,
    ),
    # prelude: the unique index's buckets, and the previous layout's single hash read and cleaned
    ("prelude.lua", "string.sub(redis.sha1hex(value), 1, 3)", "string.sub(redis.sha1hex(value), 1, 2)", [BUCKETS]),
    (
        "prelude.lua",
        "value), value) or redis.call('HGET', key(coll, 'unique', field), value)",
        "value), value)",
        [BUCKETS],
    ),
    (
        "prelude.lua",
        "ipairs({unique_bucket(field, value), key(coll, 'unique', field)})",
        "ipairs({unique_bucket(field, value)})",
        [BUCKETS],
    ),
    ("prelude.lua", "if b[2] ~= '' and b[2] ~= b[3] then", "if false then", ROW),
    ("prelude.lua", "ref_remove(key(coll, 'by', b[1], b[2]), id)", "", ROW),
    ("prelude.lua", "if b[3] ~= '' then", "if false then", ROW),
    ("prelude.lua", "ref_add(key(coll, 'by', b[1], b[3]), id)", "", ROW),
    # create
    ("create.lua", "if redis.call('EXISTS', KEYS[1]) == 1 then", "if redis.call('EXISTS', KEYS[1]) == 2 then", ROW),
    (
        "create.lua",
        "local problem = check_unique(spec.id, unique) or check_refs()",
        "local problem = check_refs()",
        ROW,
    ),
    (
        "create.lua",
        "local problem = check_unique(spec.id, unique) or check_refs()",
        "local problem = check_unique(spec.id, unique)",
        ROW,
    ),
    ("create.lua", "if problem then", "if false then", ROW),
    ("create.lua", "redis.call('SET', KEYS[1], ARGV[2])", "", ROW),
    ("create.lua", "index_creation(spec.id, spec.created_ms)", "", [*ROW, *CREATION]),
    ("prelude.lua", "  pz_add(creation(coll), score, id)", "", [*ROW, *CREATION, *FIX]),
    ("create.lua", "apply_indexes(spec.id, unique, by)", "", ROW),
    ("create.lua", "if version == 1 then", "if false then", SORT),
    ("create.lua", "redis.call('HSET', KEYS[5], 'ordered:' .. coll .. ':' .. o[1], '1')", "", SORT),
    (
        "create.lua",
        "return finish({'ok', 1, version, 0, ''})",
        "return finish({'ok', 1, 0, 0, ''})",
        [CONTRACT, CONTRACT_WRITES, CACHE],
    ),
    # update
    ("update.lua", "if not raw then", "if false then", ROW),
    ("update.lua", "if spec.expected >= 0 and current ~= spec.expected then", "if false then", [WRITES]),
    (
        "update.lua",
        "if spec.expected >= 0 and current ~= spec.expected then",
        "if spec.expected > 0 and current ~= spec.expected then",
        [WRITES, CONTRACT],
    ),
    ("update.lua", "if spec.expected >= 0 and current ~= spec.expected then", "if current ~= spec.expected then", ROW),
    ("update.lua", "if ask then", "if false then", ROW),
    (
        "update.lua",
        "local problem = check_unique(spec.id, unique) or check_refs()",
        "local problem = check_refs()",
        ROW,
    ),
    (
        "update.lua",
        "local problem = check_unique(spec.id, unique) or check_refs()",
        "local problem = check_unique(spec.id, unique)",
        ROW,
    ),
    ("update.lua", "if problem then", "if false then", ROW),
    ("update.lua", "local version = current + 1", "local version = current", ROW),
    (
        "update.lua",
        "redis.call('SET', KEYS[1], ARGV[2] .. comma .. '\"version\":'",
        "local _ = (ARGV[2] .. comma .. '\"version\":'",
        ROW,
    ),
    ("update.lua", "local comma = ARGV[2] == '{' and '' or ','", "local comma = ','", [SINGLE]),
    ("update.lua", "apply_indexes(spec.id, unique, by, doc)", "", ROW),
    ("update.lua", "if type(created_at) ~= 'string' then", "if true then", ROW),
    (
        "update.lua",
        "return finish({'ok', version, record_change(coll, spec.id), 0, created_at})",
        "return finish({'ok', version, version, 0, created_at})",
        [CONTRACT, CACHE],
    ),
    # delete
    ("delete.lua", "if not raw then", "if false then", ROW),
    ("delete.lua", "if spec.expected >= 0 and current ~= spec.expected then", "if false then", ROW),
    ("delete.lua", "if ask then", "if false then", ROW),
    ("delete.lua", "if count > 0 and not spec.cascade then", "if false then", ROW),
    ("delete.lua", "if count > 0 and not spec.cascade then", "if count > 1 and not spec.cascade then", ROW),
    ("delete.lua", "if spec.cascade then", "if false then", ROW),
    ("delete.lua", "            ref_remove(key(d[1], 'by', field, value), dep_id)\n", "", ROW),
    ("delete.lua", "ref_remove(key(d[1], 'by', field, value), dep_id)", "", ROW),
    ("delete.lua", "if dep_raw then", "if false then", ROW),
    ("delete.lua", "redis.call('DEL', dep_key)", "", ROW),
    ("delete.lua", "      unindex_creation(d[1], dep_id, dep)", "", [*ROW, *CREATION]),
    ("delete.lua", "pz_remove(key(d[1], 'order', field), epoch_ms(value), dep_id)", "", [*SORT, CONTRACT]),
    ("delete.lua", "      record_change(d[1], dep_id)", "", [*ROW, CACHE]),
    ("delete.lua", "    redis.call('DEL', members)", "", ROW),
    ("delete.lua", "redis.call('DEL', KEYS[1])\n", "\n", ROW),
    ("delete.lua", "unindex_creation(coll, spec.id, doc)", "", [*ROW, *CREATION]),
    ("prelude.lua", "redis.call('ZREM', key(collection, 'index'), id)", "", CREATION),
    (
        "prelude.lua",
        "pz_remove(creation(collection), score, id, score ~= nil)",
        "pz_remove(creation(collection), score, id, true)",
        CREATION,
    ),
    ("delete.lua", "apply_indexes(spec.id, unique, by, doc)", "", ROW),
    (
        "delete.lua",
        "return finish({'ok', 0, record_change(coll, spec.id), cascaded, ''})",
        "return finish({'ok', 0, 0, cascaded, ''})",
        [CONTRACT, CACHE],
    ),
    # repair
    ("repair.lua", "if current ~= spec.expected then", "if false then", FIX),
    ("repair.lua", "if not pz_remove(creation(coll), spec.score, spec.id) and not legacy then", "if false then", FIX),
    ("repair.lua", "  index_creation(spec.id, spec.score)", "", FIX),
    ("repair.lua", "if not unique_remove(spec.field, spec.value, spec.id) then", "if false then", FIX),
    (
        "repair.lua",
        "if ref_remove(key(coll, 'by', spec.field, spec.value), spec.id) == 0 then",
        "if false then",
        FIX,
    ),
    ("repair.lua", "if current < 0 then", "if false then", FIX),
    (
        "repair.lua",
        "if owner and owner ~= spec.id and redis.call('EXISTS', key(coll, owner)) == 1 then",
        "if false then",
        FIX,
    ),
    ("prelude.lua", "redis.call('ZADD', legacy, 'NX', score, id)", "", [*FIX, *CREATION]),
    ("repair.lua", "redis.call('HSET', unique_bucket(u[1], u[2]), u[2], spec.id)", "", FIX),
    ("repair.lua", "ref_add(key(coll, 'by', b[1], b[2]), spec.id)", "", FIX),
    ("repair.lua", "return finish({'ok', record_change(coll, spec.id)})", "return finish({'ok', 0})", FIX),
    # changes (read-only): what a cache catching up is told, and the records read with it
    (
        "changes.lua",
        "local version = tonumber(redis.call('GET', KEYS[1]) or '0')",
        "local version = 0",
        [CONTRACT_WRITES],
    ),
    ("changes.lua", "if version == tonumber(ARGV[1]) then", "if version ~= tonumber(ARGV[1]) then", [CONTRACT_WRITES]),
    ("changes.lua", "local floor = redis.call('HGET', KEYS[2], ARGV[2]) or '0'", "local floor = '0'", [TRIM]),
    ("changes.lua", "'(' .. ARGV[1]", "ARGV[1]", [CONTRACT_WRITES]),
    ("changes.lua", "docs = redis.call('MGET', unpack(keys))", "docs = {}", [CONTRACT_WRITES]),
    # owner (read-only): the record a unique index names, with the version it is read at
    ("owner.lua", "local version = tonumber(redis.call('GET', KEYS[2]) or '0')", "local version = 0", [UNIQUE]),
    ("owner.lua", "if not id then", "if id then", [UNIQUE]),
    ("owner.lua", " or redis.call('HGET', KEYS[3], ARGV[1])", "", [BUCKETS]),
    # uniquemove: the previous layout's hash moved into buckets, a newer bucket entry winning
    ("uniquemove.lua", "redis.call('HSETNX',", "redis.call('HSET',", [BUCKETS]),
    # page (read-only): the version the page is read with, the window, the order
    (
        "page.lua",
        "local version = tonumber(redis.call('GET', KEYS[2]) or '0')",
        "local version = 0",
        BOUNDED,
    ),
    # state (read-only): the version, size and sort flags, and the page read again when it moved
    ("state.lua", "local version = tonumber(redis.call('GET', KEYS[2]) or '0')", "local version = 0", STATE),
    (
        "state.lua",
        "local size = creation_paged and pz_count(creation) or redis.call('ZCARD', creation)",
        "local size = 0",
        STATE,
    ),
    ("state.lua", "index, paged = creation, creation_paged", "", CREATION),
    ("state.lua", "flags[i] = flag or ''", "flags[i] = ''", STATE),
    (
        "state.lua",
        "if version == tonumber(ARGV[1]) or limit <= 0 then",
        "if version ~= tonumber(ARGV[1]) or limit <= 0 then",
        STATE,
    ),
    ("state.lua", "docs[at[j]] = doc", "docs[at[j]] = false", STATE),
    # state: held texts left out only where the change log shows them unchanged
    ("state.lua", "      held[id] = true\n", "", STATE),
    ("state.lua", "      held[id] = nil\n", "", STATE),
    ("state.lua", "if floor <= since and", "if true and", STATE),
    ("state.lua", "if since >= 0 and since <= version and", "if since >= 0 and", STATE),
    ("state.lua", "'+inf') <= HELD_CHANGES_MAX then", "'+inf') >= 0 then", STATE),
    # members (read-only): the version, the chunks
    (
        "members.lua",
        "local version = tonumber(redis.call('GET', KEYS[2]) or '0')",
        "local version = 0",
        BOUNDED,
    ),
    ("members.lua", "math.min(start + 999, #ids)", "math.min(start + 998, #ids)", BOUNDED),
    # refs: a reference index in either form, a set converted when added to
    ("refs.lua", "return redis.call('TYPE', key).ok == 'set'", "return false", REFS),
    ("refs.lua", "    return redis.call('SCARD', key)", "    return 0", REFS),
    ("refs.lua", "    redis.call('HSET', key, unpack(args))", "", REFS),
    ("refs.lua", "  ref_convert(key)\n", "", REFS),
    # pages: a page of an index, paged or not (page.lua and state.lua)
    ("pages.lua", "  if limit > 0 then", "  if limit >= 0 then", [*STATE, "tests/test_storage_queryset.py", *CREATION]),
    (
        "pages.lua",
        "reverse and 'ZREVRANGE' or 'ZRANGE', index",
        "reverse and 'ZRANGE' or 'ZREVRANGE', index",
        [*STATE, *CREATION],
    ),
    ("pages.lua", "index, offset, offset + limit - 1)", "index, offset, offset + limit)", [*STATE, *CREATION]),
    ("pages.lua", "return redis.call('ZCARD', index), ids", "return -1, ids", [*STATE, *CREATION]),
    (
        "pages.lua",
        "return pz_count(index), pz_range(index, offset, limit, reverse)",
        "return -1, pz_range(index, offset, limit, reverse)",
        STATE,
    ),
    (
        "pages.lua",
        "    return pz_count(index), pz_range(index, offset, limit, reverse)",
        "    return pz_count(index), {}",
        STATE,
    ),
    # pages: the paged sort index
    ("pages.lua", "  elseif first then", "  elseif false then", PAGES),
    ("pages.lua", "if redis.call('ZCARD', page) > PAGE_MAX then", "if false then", PAGES),
    ("pages.lua", "local half = math.floor(PAGE_MAX / 2)", "local half = 1", PAGES),
    ("pages.lua", "    redis.call('ZREMRANGEBYRANK', page, half, -1)\n", "", PAGES),
    ("pages.lua", "  redis.call('INCR', base .. ':n')", "", PAGES),
    ("pages.lua", "  redis.call('DECR', base .. ':n')", "", PAGES),
    ("pages.lua", "    redis.call('ZREM', base .. ':dir', entry)\n", "", PAGES),
    ("pages.lua", "  if only_there then", "  if true then", PAGES),
    ("pages.lua", "        offset = offset - size", "        offset = 0", PAGES),
    ("pages.lua", "'(' .. pz_enc(score) .. id .. '!'", "'(' .. pz_enc(score) .. id .. '~'", PAGES),
    ("pages.lua", "ms = math.floor(tonumber(string.sub(digits .. '000', 1, 3)))", "ms = 0", PAGES),
    ("pages.lua", "(sign == '-' and -1 or 1)", "1", PAGES),
    ("pages.lua", "local yy = mo <= 2 and y - 1 or y", "local yy = y", PAGES),
    # sortfill: only a record still at the version its score was computed from
    ("sortfill.lua", "if entry[2] < 0 or (ok and (tonumber(doc.version) or 0) == entry[2]) then", "if true then", FILL),
    ("sortfill.lua", "entry[2] < 0 or (ok and", "(ok and", CREATION),
    ("sortfill.lua", "local stored = ok and epoch_ms(doc[ARGV[3]]) or nil", "local stored = nil", FILL),
    # the creation index: its walk, and its previous layout's form read while it is there
    (
        "pages.lua",
        "take(redis.call('ZRANGEBYSCORE', pz_page_key(base, entry), score, '+inf', 'WITHSCORES', 'LIMIT', 0, count))",
        "",
        CREATION,
    ),
    ("pages.lua", "      after = '(' .. entry\n", "", CREATION),
    ("pages.lua", "if redis.call('EXISTS', legacy) == 1 then", "if false then", CREATION),
    ("pages.lua", "half = PAGE_MAX -- an entry", "half = half -- an entry", PAGES),
    ("pages.lua", "redis.call('ZRANK', page, id) == PAGE_MAX and", "", PAGES),
    ("pages.lua", "and redis.call('ZREVRANGE', dir, 0, 0)[1] == entry then", "then", PAGES),
    ("ids.lua", "if not paged then", "if false then", CREATION),
    ("after.lua", "if paged then", "if true then", CREATION),
    ("page.lua", "index, paged = creation_index(KEYS[1], KEYS[3])", "", CREATION),
    ("sortfill.lua", "if entry[3] ~= '' then", "if entry[3] == '' then", FILL),
    ("sortfill.lua", "pz_add(KEYS[1], entry[3], entry[1])", "", FILL),
    ("sortfill.lua", "pz_remove(KEYS[1], stored, entry[1], true)", "", FILL),
    ("sortfill.lua", "placed = placed + 1", "", FILL),
]
