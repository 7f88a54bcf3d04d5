-- Move the previous layout's single unique HASH into its buckets (prelude.lua unique_bucket), one
-- HSCAN step at a time: an entry its bucket holds already (a newer write's) wins. Idempotent; Redis
-- deletes the HASH once empty.
-- KEYS: 1 the previous single HASH (also the base of the bucket keys)
-- ARGV: 1 HSCAN cursor, 2 entries per step (a hint to HSCAN)
-- Returns {next cursor, entries moved, entries left}
local step = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local entries = step[2]
for i = 1, #entries, 2 do
  local value = entries[i]
  redis.call('HSETNX', KEYS[1] .. ':' .. string.sub(redis.sha1hex(value), 1, 3), value, entries[i + 1])
  redis.call('HDEL', KEYS[1], value)
end
return {step[1], #entries / 2, redis.call('HLEN', KEYS[1])}
