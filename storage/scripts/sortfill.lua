-- Fill a sort index for records written before it existed, each only if the record is still at
-- the version its score was computed from (a newer write placed it already, itself).
-- KEYS: 1 the sort index
-- ARGV: 1 record key prefix ("{prefix}:<collection>:"), 2 JSON list of {id, version, score or ''}
local placed = 0
for _, entry in ipairs(cjson.decode(ARGV[2])) do
  local raw = redis.call('GET', ARGV[1] .. entry[1])
  if raw then
    local ok, doc = pcall(cjson.decode, raw)
    if ok and type(doc) == 'table' and (tonumber(doc.version) or 0) == entry[2] then
      if entry[3] ~= '' then
        redis.call('ZADD', KEYS[1], entry[3], entry[1])
      else
        redis.call('ZREM', KEYS[1], entry[1])
      end
      placed = placed + 1
    end
  end
end
return placed
