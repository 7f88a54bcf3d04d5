-- One repair found by diagnostics/integrity.py, applied only if the record is still at the version the
-- repair was planned on (spec.expected; -1 = there was no record), so a concurrent write wins.
-- spec.action: unindex | reindex | drop_unique | drop_by. Every change bumps the collection version
-- and records the id, so every process's cache notices.
local raw = redis.call('GET', KEYS[1])
local current = -1
if raw then
  local ok, doc = pcall(cjson.decode, raw)
  current = (ok and type(doc) == 'table' and tonumber(doc.version)) or -2
end
if current ~= spec.expected then
  return finish({'changed'})
end

local action = spec.action
if action == 'unindex' then
  local legacy = redis.call('ZREM', KEYS[2], spec.id) == 1
  if not pz_remove(creation(coll), spec.score, spec.id) and not legacy then
    return finish({'changed'})
  end
elseif action == 'drop_unique' then
  if not unique_remove(spec.field, spec.value, spec.id) then
    return finish({'changed'})
  end
elseif action == 'drop_by' then
  if ref_remove(key(coll, 'by', spec.field, spec.value), spec.id) == 0 then
    return finish({'changed'})
  end
elseif action == 'reindex' then
  if current < 0 then
    return finish({'changed'})
  end
  -- check every unique entry first: the fix is all or nothing
  for _, u in ipairs(spec.unique) do
    local owner = unique_owner(u[1], u[2])
    if owner and owner ~= spec.id and redis.call('EXISTS', key(coll, owner)) == 1 then
      return finish({'unique', u[1], owner})
    end
  end
  index_creation(spec.id, spec.score)
  for _, u in ipairs(spec.unique) do
    redis.call('HSET', unique_bucket(u[1], u[2]), u[2], spec.id)
  end
  for _, b in ipairs(spec.by) do
    ref_add(key(coll, 'by', b[1], b[2]), spec.id)
  end
else
  return redis.error_reply('unknown repair action ' .. tostring(action))
end
return finish({'ok', record_change(coll, spec.id)})
