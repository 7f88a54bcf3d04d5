-- Read-only: what changed in a collection since a version, with the changed records' texts, in one
-- round trip: the check a cached collection makes before each list, which, when something changed,
-- also reads only what changed.
-- KEYS: 1 the collection version, 2 meta (change-log floors), 3 the change log (a ZSET id -> version)
-- ARGV: 1 the version the cache holds, 2 this collection's floor field in meta, 3 record key prefix
-- ("{prefix}:<collection>:"), 4 the most texts to read here (more: the ids alone, read in chunks)
local version = tonumber(redis.call('GET', KEYS[1]) or '0')
if version == tonumber(ARGV[1]) then
  return {version, '0', {}, {}}  -- unchanged: what the cache holds is current
end
local floor = redis.call('HGET', KEYS[2], ARGV[2]) or '0'
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[1], '+inf')
local docs = {}
if #ids > 0 and #ids <= tonumber(ARGV[4]) then
  local keys = {}
  for i, id in ipairs(ids) do
    keys[i] = ARGV[3] .. id
  end
  docs = redis.call('MGET', unpack(keys))
end
return {version, floor, ids, docs}
