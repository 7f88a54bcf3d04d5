-- Read-only: one page of a collection, read atomically with the collection version and size.
-- KEYS: 1 the index (the creation ZSET of ids, or a paged sort index: pages.lua), 2 the collection version
-- ARGV: 1 record key prefix ("{prefix}:<collection>:"), 2 offset, 3 limit, 4 "1" for descending
-- order, 5 "1" when the index is a paged one
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local paged = ARGV[5] == '1'
local total = paged and pz_count(KEYS[1]) or redis.call('ZCARD', KEYS[1])
local ids = {}
if paged then
  ids = pz_range(KEYS[1], offset, limit, ARGV[4] == '1')
elseif limit > 0 then
  if ARGV[4] == '1' then
    ids = redis.call('ZREVRANGE', KEYS[1], offset, offset + limit - 1)
  else
    ids = redis.call('ZRANGE', KEYS[1], offset, offset + limit - 1)
  end
end
local docs = {}
if #ids > 0 then
  local keys = {}
  for i, id in ipairs(ids) do
    keys[i] = ARGV[1] .. id
  end
  docs = redis.call('MGET', unpack(keys))
end
return {version, total, ids, docs}
