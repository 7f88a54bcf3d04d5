-- A reference index key ({root}:<collection>:by:<field>:<value>: the ids of the records with that
-- value) is a HASH id -> '1', which Redis keeps compact while small; the previous layout wrote a
-- SET of ids, still read as such and converted to a hash when next added to (or by build_indexes).
-- Prepended by storage/scripts/__init__.py to the scripts that read or write one.
local function ref_is_set(key)
  return redis.call('TYPE', key).ok == 'set'
end

local function ref_members(key)
  if ref_is_set(key) then
    return redis.call('SMEMBERS', key)
  end
  return redis.call('HKEYS', key)
end

local function ref_count(key)
  if ref_is_set(key) then
    return redis.call('SCARD', key)
  end
  return redis.call('HLEN', key)
end

-- Rewrite a key still in the SET form as a hash of the same ids; true when it did.
local function ref_convert(key)
  if not ref_is_set(key) then
    return false
  end
  local ids = redis.call('SMEMBERS', key)
  redis.call('DEL', key)
  for start = 1, #ids, 1000 do
    local args = {}
    for i = start, math.min(start + 999, #ids) do
      args[#args + 1] = ids[i]
      args[#args + 1] = '1'
    end
    redis.call('HSET', key, unpack(args))
  end
  return true
end

local function ref_add(key, id)
  ref_convert(key)
  redis.call('HSET', key, id, '1')
end

-- How many were removed (0 or 1).
local function ref_remove(key, id)
  if ref_is_set(key) then
    return redis.call('SREM', key, id)
  end
  return redis.call('HDEL', key, id)
end
