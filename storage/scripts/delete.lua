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

-- dependents: {collection, field, by-indexed fields of that collection, its sort indexes}
for _, d in ipairs(spec.dependents) do
  local count = ref_count(key(d[1], 'by', d[2], spec.id))
  if count > 0 and not spec.cascade then
    return finish({'dependents', d[1], count})
  end
end

local cascaded = 0
if spec.cascade then
  for _, d in ipairs(spec.dependents) do
    local members = key(d[1], 'by', d[2], spec.id)
    for _, dep_id in ipairs(ref_members(members)) do
      local dep_key = key(d[1], dep_id)
      local dep_raw = redis.call('GET', dep_key)
      local dep = nil -- nil: its index entry is looked for on every page
      if dep_raw then
        dep = cjson.decode(dep_raw)
        for _, field in ipairs(d[3]) do
          local value = dep[field]
          if type(value) == 'string' and value ~= '' then
            ref_remove(key(d[1], 'by', field, value), dep_id)
          end
        end
        for _, field in ipairs(d[4]) do
          local value = dep[field]
          if type(value) == 'string' and value ~= '' then
            pz_remove(key(d[1], 'order', field), epoch_ms(value), dep_id)
          end
        end
        redis.call('DEL', dep_key)
        cascaded = cascaded + 1
      end
      unindex_creation(d[1], dep_id, dep)
      record_change(d[1], dep_id)
    end
    redis.call('DEL', members)
  end
end

redis.call('DEL', KEYS[1])
unindex_creation(coll, spec.id, doc)
apply_indexes(spec.id, unique, by, doc)
return finish({'ok', 0, record_change(coll, spec.id), cascaded, ''})
