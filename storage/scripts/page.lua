-- Read-only: one page of a collection, read atomically with the collection version and size.
-- KEYS: 1 the index (a paged sort index, or the paged creation index: pages.lua), 2 the collection
-- version, 3 the previous layout's creation index (read instead while it is there)
-- ARGV: 1 record key prefix ("{prefix}:<collection>:"), 2 offset, 3 limit, 4 "1" for descending
-- order, 5 "1" when the index is a sort index
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local offset, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local index, paged = KEYS[1], true
if ARGV[5] ~= '1' then
  index, paged = creation_index(KEYS[1], KEYS[3])
end
local total, ids = index_page(index, paged, offset, limit, ARGV[4] == '1')
local docs = {}
if #ids > 0 then
  local keys = {}
  for i, id in ipairs(ids) do
    keys[i] = ARGV[1] .. id
  end
  docs = redis.call('MGET', unpack(keys))
end
return {version, total, ids, docs}
