local raw = redis.call('GET', KEYS[1])
if not raw then
  return finish({'not_found'})
end
local current = stored_version(raw)
if current ~= spec.expected then
  return finish({'conflict', current})
end
local problem = check_unique(spec.id) or check_refs()
if problem then
  return finish(problem)
end
redis.call('SET', KEYS[1], ARGV[2])
apply_indexes(spec.id)
return finish({'ok', current + 1, record_change(coll, spec.id)})
