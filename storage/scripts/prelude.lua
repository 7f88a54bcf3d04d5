-- Shared by create.lua, update.lua and delete.lua (prepended by storage/scripts/__init__.py).
-- KEYS: 1 record, 2 the previous layout's creation index, 3 collection version, 4 changes, 5 meta, 6 operation id
-- ARGV: 1 the write's parameters as JSON; 2 create: the record's JSON text, update: its text up to
-- the system fields (storage/document.py head()), both without the id (the key names the record);
-- 3 update: the new updated_at as JSON text
-- Every key lives under one hash tag ({prefix}), so the whole script runs on one cluster slot.
local spec = cjson.decode(ARGV[1])
local coll = spec.collection

local function key(...)
  return table.concat({spec.root, ...}, ':')
end

-- The paged creation index of a collection (pages.lua); KEYS[2] is the previous layout's one
-- sorted set, kept by the writes while it is there (until `manage.py build_indexes` moves it).
local function creation(collection)
  return key(collection, 'order', 'created_at')
end

-- Put a record in this collection's creation index, and in the previous layout's sorted set while
-- that is there.
local function index_creation(id, score)
  local legacy = key(coll, 'index')
  if redis.call('EXISTS', legacy) == 1 then
    redis.call('ZADD', legacy, 'NX', score, id)
  end
  pz_add(creation(coll), score, id)
end

-- Take a record out of its collection's creation index (both forms), found by its stored
-- created_at (every page is looked through only when that can't be read).
local function unindex_creation(collection, id, doc)
  redis.call('ZREM', key(collection, 'index'), id)
  local score = epoch_ms(doc and doc.created_at)
  pz_remove(creation(collection), score, id, score ~= nil)
end

-- A retry of a write whose reply was lost finds its own result here instead of applying twice.
-- Touching the op key makes the retry a write of its own, so a WAIT after it (STORAGE_WAIT_REPLICAS)
-- also covers the original write.
local done = redis.call('GET', KEYS[6])
if done then
  redis.call('EXPIRE', KEYS[6], spec.op_ttl)
  return cjson.decode(done)
end

local function finish(result)
  redis.call('SET', KEYS[6], cjson.encode(result), 'EX', spec.op_ttl)
  return result
end

-- Bump the collection version and record which id changed at that version. Past the limit the
-- oldest entries are trimmed and the trimmed version is kept as the floor: a cache older than the
-- floor reloads the whole collection instead of trusting an incomplete change list.
local function record_change(collection, id)
  local version = redis.call('INCR', key(collection, 'version'))
  local changes = key(collection, 'changes')
  redis.call('ZADD', changes, version, id)
  local size = redis.call('ZCARD', changes)
  if size > spec.changes_max + spec.changes_slack then
    local drop = size - spec.changes_max
    local last = redis.call('ZRANGE', changes, drop - 1, drop - 1, 'WITHSCORES')
    redis.call('ZREMRANGEBYRANK', changes, 0, drop - 1)
    redis.call('HSET', KEYS[5], 'floor:' .. collection, last[2])
  end
  return version
end

local function stored_version(doc)
  return tonumber(doc.version) or 0
end

local function text_of(value)
  if value == nil or value == cjson.null then
    return ''
  end
  return tostring(value)
end

-- A unique index is 4,096 small HASHes (value -> id; listpack-encoded, about half the memory of one
-- big hash), by the first 3 hex digits of the value's sha1 (storage/keys.py unique_bucket). The
-- previous layout's single HASH is read too until build_indexes has moved it into them.
local function unique_bucket(field, value)
  return key(coll, 'unique', field, string.sub(redis.sha1hex(value), 1, 3))
end

local function unique_owner(field, value)
  return redis.call('HGET', unique_bucket(field, value), value) or redis.call('HGET', key(coll, 'unique', field), value)
end

-- Remove the entry of value if it names id, from its bucket and from the previous single HASH;
-- true when one was removed.
local function unique_remove(field, value, id)
  local removed = false
  for _, hash in ipairs({unique_bucket(field, value), key(coll, 'unique', field)}) do
    if redis.call('HGET', hash, value) == id then
      redis.call('HDEL', hash, value)
      removed = true
    end
  end
  return removed
end

-- The normalised value a stored unique field is indexed under. The write says how its new value
-- normalises (u = {field, new normalised, new value}); for another stored value, the index entry
-- that names this record is looked for under the value as stored, trimmed, and ASCII lower-cased.
-- nil when none is found and Python has not told us (spec.normalised): the script asks.
local function indexed_unique(doc, u)
  local raw = doc and doc[u[1]]
  if raw == nil or raw == cjson.null or raw == '' then
    return ''
  end
  if raw == u[3] then
    return u[2]
  end
  local given = spec.normalised[u[1]]
  if given and given[1] == raw then
    return given[2]
  end
  if type(raw) == 'string' then
    local trimmed = string.match(raw, '^%s*(.-)%s*$')
    for _, candidate in ipairs({raw, trimmed, string.lower(trimmed)}) do
      if candidate ~= '' and unique_owner(u[1], candidate) == spec.id then
        return candidate
      end
    end
  end
  return nil
end

-- {field, old, new} entries of the unique and by indexes, the old values read from the stored
-- record (doc; nil on create). A third result asks Python to normalise a stored value.
local function index_changes(doc)
  local unique, by = {}, {}
  for _, u in ipairs(spec.unique) do
    local old = indexed_unique(doc, u)
    if old == nil then
      return nil, nil, {'normalise', u[1], doc[u[1]]}
    end
    table.insert(unique, {u[1], old, u[2]})
  end
  for _, b in ipairs(spec.by) do
    table.insert(by, {b[1], doc and text_of(doc[b[1]]) or '', b[2]})
  end
  return unique, by, nil
end

-- unique: {field, old normalised value, new normalised value}
local function check_unique(id, unique)
  for _, u in ipairs(unique) do
    if u[3] ~= '' then
      local owner = unique_owner(u[1], u[3])
      if owner and owner ~= id then
        return {'unique', u[1], owner}
      end
    end
  end
  return nil
end

-- refs: {field, target collection, value}: the target record must exist
local function check_refs()
  for _, r in ipairs(spec.refs) do
    if r[3] ~= '' and redis.call('EXISTS', key(r[2], r[3])) == 0 then
      return {'ref', r[1], r[3]}
    end
  end
  return nil
end

-- sorts: {field, score or ''} of the record written; its old place is found from the stored
-- record (doc, nil on create) by the score of its old value (pages.lua). The new place is set
-- even when unchanged, so that a write during a build of the index places its own record.
local function apply_sorts(id, doc)
  for _, o in ipairs(spec.sorts) do
    local index = key(coll, 'order', o[1])
    local old = doc and doc[o[1]]
    if type(old) == 'string' and old ~= '' then
      local score = epoch_ms(old)
      if score == nil or score ~= o[2] then
        pz_remove(index, score, id)
      end
    end
    if o[2] ~= '' then
      pz_add(index, o[2], id)
    end
  end
end

local function apply_indexes(id, unique, by, doc)
  apply_sorts(id, doc)
  for _, u in ipairs(unique) do
    if u[2] ~= '' and u[2] ~= u[3] then
      unique_remove(u[1], u[2], id)
    end
    if u[3] ~= '' then
      redis.call('HSET', unique_bucket(u[1], u[3]), u[3], id)
    end
  end
  for _, b in ipairs(by) do
    if b[2] ~= '' and b[2] ~= b[3] then
      ref_remove(key(coll, 'by', b[1], b[2]), id)
    end
    if b[3] ~= '' then
      ref_add(key(coll, 'by', b[1], b[3]), id)
    end
  end
end
