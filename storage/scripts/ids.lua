-- Read-only: every id of a collection in creation order, read atomically with its version.
-- KEYS: 1 the paged creation index (pages.lua), 2 the previous layout's creation index (read
-- instead while it is there), 3 the collection version
local version = tonumber(redis.call('GET', KEYS[3]) or '0')
local index, paged = creation_index(KEYS[1], KEYS[2])
if not paged then
  return {version, redis.call('ZRANGE', index, 0, -1)}
end
local ids = {}
for _, entry in ipairs(redis.call('ZRANGE', index .. ':dir', 0, -1)) do
  for _, id in ipairs(redis.call('ZRANGE', pz_page_key(index, entry), 0, -1)) do
    ids[#ids + 1] = id
  end
end
return {version, ids}
