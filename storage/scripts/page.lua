-- Read-only: one page of a collection, read atomically with the collection version and size.
-- KEYS: 1 the index (the creation ZSET of ids, or a paged sort index: pages.lua), 2 the collection version
-- ARGV: 1 record key prefix ("{prefix}:<collection>:"), 2 offset, 3 limit, 4 "1" for descending
-- order, 5 "1" when the index is a paged one
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local total, ids = index_page(KEYS[1], ARGV[5] == '1', offset, limit, ARGV[4] == '1')
local docs = {}
if #ids > 0 then
  local keys = {}
  for i, id in ipairs(ids) do
    keys[i] = ARGV[1] .. id
  end
  docs = redis.call('MGET', unpack(keys))
end
return {version, total, ids, docs}
