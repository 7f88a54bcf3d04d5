-- Read-only: the records of one reference set (e.g. the sessions of a client), read atomically
-- with the collection version.
-- KEYS: 1 the reference key (either form, refs.lua), 2 the collection version
-- ARGV: 1 record key prefix ("{prefix}:<collection>:")
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local ids = ref_members(KEYS[1])
local docs = {}
for start = 1, #ids, 1000 do
  local keys = {}
  for i = start, math.min(start + 999, #ids) do
    keys[#keys + 1] = ARGV[1] .. ids[i]
  end
  for _, doc in ipairs(redis.call('MGET', unpack(keys))) do
    docs[#docs + 1] = doc
  end
end
return {version, ids, docs}
