if redis.call('EXISTS', KEYS[1]) == 1 then
  return finish({'exists'})
end
local unique, by = index_changes(nil)
local problem = check_unique(spec.id, unique) or check_refs()
if problem then
  return finish(problem)
end
redis.call('SET', KEYS[1], ARGV[2])
index_creation(spec.id, spec.created_ms)
apply_indexes(spec.id, unique, by)
local version = record_change(coll, spec.id)
if version == 1 then
  -- a collection born with its sort indexes: they are complete (older data needs build_indexes)
  for _, o in ipairs(spec.sorts) do
    redis.call('HSET', KEYS[5], 'ordered:' .. coll .. ':' .. o[1], '1')
  end
end
return finish({'ok', 1, version, 0, ''})
