-- Read-only: the record a unique index names for one value (e.g. the client with an email), read
-- atomically with the collection version.
-- KEYS: 1 the value's bucket of the unique index (normalised value -> id), 2 the collection version,
-- 3 the previous layout's single HASH (read when the bucket has no entry: data not moved yet)
-- ARGV: 1 the normalised value, 2 record key prefix ("{prefix}:<collection>:")
local version = tonumber(redis.call('GET', KEYS[2]) or '0')
local id = redis.call('HGET', KEYS[1], ARGV[1]) or redis.call('HGET', KEYS[3], ARGV[1])
if not id then
  return {version, {}, {}}
end
return {version, {id}, {redis.call('GET', ARGV[2] .. id)}}
