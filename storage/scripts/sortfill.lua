-- Fill a sort index (a paged index, pages.lua) for records written before it existed, each only if
-- the record is still at the version its score was computed from (a newer write placed it already,
-- itself). An entry of the record at another score (its stored value's: a planned score that
-- differs from it) is moved, and taken out for no score; a record not placed yet is not looked for.
-- KEYS: 1 the sort index
-- ARGV: 1 record key prefix ("{prefix}:<collection>:"), 2 JSON list of {id, version, score or ''}
-- (version -1: whatever the record's version or text, for the creation index: created_at never
-- changes, an update does not place the record, and one that does not parse keeps its place), 3 the
-- sorted field
local placed = 0
for _, entry in ipairs(cjson.decode(ARGV[2])) do
  local raw = redis.call('GET', ARGV[1] .. entry[1])
  if raw then
    local ok, doc = pcall(cjson.decode, raw)
    ok = ok and type(doc) == 'table'
    if entry[2] < 0 or (ok and (tonumber(doc.version) or 0) == entry[2]) then
      local stored = ok and epoch_ms(doc[ARGV[3]]) or nil
      if stored and stored ~= entry[3] then
        pz_remove(KEYS[1], stored, entry[1], true)
      end
      if entry[3] ~= '' then
        pz_add(KEYS[1], entry[3], entry[1])
      end
      placed = placed + 1
    end
  end
end
return placed
