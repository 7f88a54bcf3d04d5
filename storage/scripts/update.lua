-- One round trip: the stored record gives the current version, created_at and the old index values.
local raw = redis.call('GET', KEYS[1])
if not raw then
  return finish({'not_found'})
end
local doc = cjson.decode(raw)
local current = stored_version(doc)
if spec.expected >= 0 and current ~= spec.expected then
  return finish({'conflict', current})
end
local unique, by, ask = index_changes(doc)
if ask then
  return ask -- nothing applied, not kept under the operation id: the write comes back answered
end
local problem = check_unique(spec.id, unique) or check_refs()
if problem then
  return finish(problem)
end

-- The new text is spliced, never re-encoded (cjson would rewrite numbers and escape slashes):
-- created_at keeps its stored text when the record ends the way storage writes it.
local created_text = string.match(raw, ',"created_at":("[^"]*"),"updated_at":"[^"]*"}$')
  or cjson.encode(doc.created_at)
local version = current + 1
local comma = ARGV[2] == '{' and '' or ',' -- a head of no field but the id, which is left out
redis.call('SET', KEYS[1], ARGV[2] .. comma .. '"version":' .. string.format('%d', version)
  .. ',"created_at":' .. created_text .. ',"updated_at":' .. ARGV[3] .. '}')
apply_indexes(spec.id, unique, by, doc)
local created_at = doc.created_at
if type(created_at) ~= 'string' then
  created_at = ''
end
return finish({'ok', version, record_change(coll, spec.id), 0, created_at})
