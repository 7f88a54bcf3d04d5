if redis.call('EXISTS', KEYS[1]) == 1 then
  return finish({'exists'})
end
local unique, by = index_changes(nil)
local problem = check_unique(spec.id, unique) or check_refs()
if problem then
  return finish(problem)
end
redis.call('SET', KEYS[1], ARGV[2])
pz_add(creation(coll), spec.created_ms, spec.id)
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('ZADD', KEYS[2], spec.created_ms, spec.id)
end
apply_indexes(spec.id, unique, by)
local version = record_change(coll, spec.id)
if version == 1 then
  -- a collection born with its sort indexes: they are complete (older data needs build_indexes)
  for _, o in ipairs(spec.sorts) do
    redis.call('HSET', KEYS[5], 'ordered:' .. coll .. ':' .. o[1], '1')
  end
end
return finish({'ok', 1, version, 0, ''})
