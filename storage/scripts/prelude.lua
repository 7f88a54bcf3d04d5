-- Shared by create.lua, update.lua and delete.lua (prepended by storage/scripts/__init__.py).
-- KEYS: 1 record, 2 index, 3 collection version, 4 changes, 5 meta, 6 operation id
-- ARGV: 1 the write's parameters as JSON, 2 the record's JSON text (create / update)
-- Every key lives under one hash tag ({prefix}), so the whole script runs on one cluster slot.
local spec = cjson.decode(ARGV[1])
local coll = spec.collection

local function key(...)
  return table.concat({spec.root, ...}, ':')
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

local function stored_version(raw)
  return tonumber(cjson.decode(raw).version) or 0
end

-- unique: {field, old normalised value, new normalised value}; '' means none
local function check_unique(id)
  for _, u in ipairs(spec.unique) do
    if u[3] ~= '' then
      local owner = redis.call('HGET', key(coll, 'unique', u[1]), u[3])
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

local function apply_indexes(id)
  for _, u in ipairs(spec.unique) do
    local hash = key(coll, 'unique', u[1])
    if u[2] ~= '' and u[2] ~= u[3] and redis.call('HGET', hash, u[2]) == id then
      redis.call('HDEL', hash, u[2])
    end
    if u[3] ~= '' then
      redis.call('HSET', hash, u[3], id)
    end
  end
  for _, b in ipairs(spec.by) do
    if b[2] ~= '' and b[2] ~= b[3] then
      redis.call('SREM', key(coll, 'by', b[1], b[2]), id)
    end
    if b[3] ~= '' then
      redis.call('SADD', key(coll, 'by', b[1], b[3]), id)
    end
  end
end
