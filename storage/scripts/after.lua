-- Read-only: up to ARGV[2] entries {id, score, ...} of a collection's creation index scoring at
-- least ARGV[1] ('': from the first), in order: the caller's cursor skips the ties it has seen.
-- KEYS: 1 the paged creation index (pages.lua), 2 the previous layout's creation index (read
-- instead while it is there)
local score, count = tonumber(ARGV[1]), tonumber(ARGV[2])
local index, paged = creation_index(KEYS[1], KEYS[2])
if paged then
  return pz_from(index, score, count)
end
return redis.call('ZRANGEBYSCORE', index, score or '-inf', '+inf', 'WITHSCORES', 'LIMIT', 0, count)
