-- Read-only: a collection's version, size and complete sort indexes, read atomically; and, when the
-- version is not the one the caller knows, one page too (the page it read last), so that a list
-- after a change costs the same one round trip as an unchanged list. The texts of the page's
-- records the caller already holds (read at version ARGV[7]) are not sent again when the change
-- log shows them unchanged since: after one change, one text travels, not the whole page.
-- KEYS: 1 the paged creation index, 2 the collection version, 3 meta, 4 the page's index (creation
-- or sort), 5 the change log, 6 the previous layout's creation index (read instead while it is there)
-- ARGV: 1 the version the caller knows (-1: none), 2 record key prefix ("{prefix}:<collection>:"),
-- 3 offset, 4 limit (0: no page), 5 "1" for descending order, 6 the change log's floor field in
-- meta, 7 the version the held texts were read at (-1: none), 8 the ids whose text the caller
-- holds (space-separated), 9 "1" when the page's index is a sort index, 10... the sort
-- flags' fields in meta
local HELD_CHANGES_MAX = 1000 -- more changes than this since the held page: send every text
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local creation, creation_paged = creation_index(KEYS[1], KEYS[6])
local size = creation_paged and pz_count(creation) or redis.call('ZCARD', creation)
local flags = {}
if #ARGV >= 10 then
  for i, flag in ipairs(redis.call('HMGET', KEYS[3], unpack(ARGV, 10))) do
    flags[i] = flag or ''
  end
end
local limit = tonumber(ARGV[4])
if version == tonumber(ARGV[1]) or limit <= 0 then
  return {version, size, flags, -1, {}, {}, {}}
end
local offset = tonumber(ARGV[3])
local index, paged = KEYS[4], true
if ARGV[9] ~= '1' then
  index, paged = creation, creation_paged
end
local total, ids = index_page(index, paged, offset, limit, ARGV[5] == '1')

-- Held texts are still current when the change log is complete since they were read (its floor is
-- not above that version), the version has not gone back (a reset backend), and their ids have no
-- change after it.
local held = {}
local since = tonumber(ARGV[7])
if since >= 0 and since <= version and ARGV[8] ~= '' then
  local floor = tonumber(redis.call('HGET', KEYS[3], ARGV[6]) or '0')
  local after = '(' .. since
  if floor <= since and redis.call('ZCOUNT', KEYS[5], after, '+inf') <= HELD_CHANGES_MAX then
    for id in string.gmatch(ARGV[8], '[^ ]+') do
      held[id] = true
    end
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], after, '+inf')) do
      held[id] = nil
    end
  end
end

local docs, kept, keys, at = {}, {}, {}, {}
for i, id in ipairs(ids) do
  docs[i] = false
  if held[id] then
    table.insert(kept, id)
  else
    table.insert(keys, ARGV[2] .. id)
    table.insert(at, i)
  end
end
if #keys > 0 then
  for j, doc in ipairs(redis.call('MGET', unpack(keys))) do
    docs[at[j]] = doc
  end
end
return {version, size, flags, total, ids, docs, kept}
