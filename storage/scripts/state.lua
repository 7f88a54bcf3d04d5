-- Read-only: a collection's version, size and complete sort indexes, read atomically; and, when the
-- version is not the one the caller knows, one page too (the page it read last), so that a list
-- after a change costs the same one round trip as an unchanged list.
-- KEYS: 1 the creation index, 2 the collection version, 3 meta, 4 the page's index (creation or sort)
-- ARGV: 1 the version the caller knows (-1: none), 2 record key prefix ("{prefix}:<collection>:"),
-- 3 offset, 4 limit (0: no page), 5 "1" for descending order, 6... the sort flags' fields in meta
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local size = redis.call('ZCARD', KEYS[1])
local flags = {}
if #ARGV >= 6 then
  for i, flag in ipairs(redis.call('HMGET', KEYS[3], unpack(ARGV, 6))) do
    flags[i] = flag or ''
  end
end
local limit = tonumber(ARGV[4])
if version == tonumber(ARGV[1]) or limit <= 0 then
  return {version, size, flags, -1, {}, {}}
end
local offset = tonumber(ARGV[3])
local total = redis.call('ZCARD', KEYS[4])
local ids
if ARGV[5] == '1' then
  ids = redis.call('ZREVRANGE', KEYS[4], offset, offset + limit - 1)
else
  ids = redis.call('ZRANGE', KEYS[4], offset, offset + limit - 1)
end
local docs = {}
if #ids > 0 then
  local keys = {}
  for i, id in ipairs(ids) do
    keys[i] = ARGV[2] .. id
  end
  docs = redis.call('MGET', unpack(keys))
end
return {version, size, flags, total, ids, docs}
