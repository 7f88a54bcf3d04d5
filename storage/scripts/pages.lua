-- A paged index (prepended to the scripts that keep or read a sort index): an ordered set of
-- (score, id) kept in pages of at most PAGE_MAX entries, which Redis stores compactly (about 53
-- bytes an entry, against about 140 in one large sorted set), under a directory whose members
-- sort as the lowest entry of their page when it was made. `base` is the index's key:
--   base:dir    ZSET, every score 0, member = the page's first entry (score, 16 hex digits, then
--               the id) .. ' ' .. its page number: by lexicographic order, the entries' own order
--   base:p:<n>  ZSET id -> score: one page      base:n  how many entries      base:next  page numbers
-- Every entry of a page sorts at or after its directory member and before the next page's (an
-- entry sorting before every member goes to the first page, whose member is lowered to it). An
-- entry is found by its score and id;
-- where its score can't be told (a stored value the script can't read), the pages are looked
-- through one by one.
local PAGE_MAX = 120 -- under zset-max-listpack-entries (128), so a page stays compact
local SCORE_OFFSET = 4503599627370496 -- 2^52: every millisecond of years 1 to 9999 encodes positive

local function pz_enc(score)
  return string.format('%016x', score + SCORE_OFFSET)
end

local function pz_page_key(base, entry)
  return base .. ':p:' .. string.match(entry, ' (%d+)$')
end

-- The directory entry of the page where (score, id) belongs, nil when the index is empty; and
-- true when it sorts before every page (the first page is given it).
local function pz_locate(base, score, id)
  local dir = base .. ':dir'
  local found = redis.call('ZREVRANGEBYLEX', dir, '(' .. pz_enc(score) .. id .. '!', '-', 'LIMIT', 0, 1)[1]
  if found then
    return found, false
  end
  return redis.call('ZRANGE', dir, 0, 0)[1], true
end

local function pz_add(base, score, id)
  local dir = base .. ':dir'
  local entry, first = pz_locate(base, score, id)
  if not entry then
    entry = pz_enc(score) .. id .. ' ' .. redis.call('INCR', base .. ':next')
    redis.call('ZADD', dir, 0, entry)
  elseif first then -- the first page's member sorts at or before its lowest entry, as every page's
    local lowered = pz_enc(score) .. id .. ' ' .. string.match(entry, ' (%d+)$')
    redis.call('ZREM', dir, entry)
    redis.call('ZADD', dir, 0, lowered)
    entry = lowered
  end
  local page = pz_page_key(base, entry)
  if redis.call('ZADD', page, score, id) == 0 then
    return -- already there (its score set again)
  end
  redis.call('INCR', base .. ':n')
  if redis.call('ZCARD', page) > PAGE_MAX then -- split: the upper half makes a new page
    local half = math.floor(PAGE_MAX / 2)
    if redis.call('ZRANK', page, id) == PAGE_MAX and redis.call('ZREVRANGE', dir, 0, 0)[1] == entry then
      half = PAGE_MAX -- an entry after every other (the creation order): the full page stays full
    end
    local moved = redis.call('ZRANGE', page, half, -1, 'WITHSCORES')
    local number = redis.call('INCR', base .. ':next')
    local args = {}
    for i = 1, #moved, 2 do
      args[#args + 1] = moved[i + 1]
      args[#args + 1] = moved[i]
    end
    redis.call('ZADD', base .. ':p:' .. number, unpack(args))
    redis.call('ZREMRANGEBYRANK', page, half, -1)
    redis.call('ZADD', base .. ':dir', 0, pz_enc(tonumber(moved[2])) .. moved[1] .. ' ' .. number)
  end
end

local function pz_remove_at(base, entry, id)
  local page = pz_page_key(base, entry)
  if redis.call('ZREM', page, id) == 0 then
    return false
  end
  redis.call('DECR', base .. ':n')
  if redis.call('EXISTS', page) == 0 then
    redis.call('ZREM', base .. ':dir', entry)
  end
  return true
end

-- Remove id, found by its score; where it is not (or the score is nil: not known), every page is
-- looked through unless `only_there`.
local function pz_remove(base, score, id, only_there)
  if score then
    local entry = pz_locate(base, score, id)
    if entry and pz_remove_at(base, entry, id) then
      return true
    end
  end
  if only_there then
    return false
  end
  for _, entry in ipairs(redis.call('ZRANGE', base .. ':dir', 0, -1)) do
    if pz_remove_at(base, entry, id) then
      return true
    end
  end
  return false
end

local function pz_count(base)
  return tonumber(redis.call('GET', base .. ':n') or '0')
end

-- The ids at [offset, offset + limit) in the index's order (reverse: descending).
local function pz_range(base, offset, limit, reverse)
  local ids = {}
  local dir, start, step = base .. ':dir', 0, 64
  local order = reverse and 'ZREVRANGE' or 'ZRANGE'
  while limit > 0 and #ids < limit do
    local entries = redis.call(order, dir, start, start + step - 1)
    if #entries == 0 then
      break
    end
    for _, entry in ipairs(entries) do
      local page = pz_page_key(base, entry)
      local size = redis.call('ZCARD', page)
      if offset >= size then
        offset = offset - size
      else
        for _, id in ipairs(redis.call(order, page, offset, offset + limit - #ids - 1)) do
          ids[#ids + 1] = id
        end
        offset = 0
        if #ids >= limit then
          return ids
        end
      end
    end
    start = start + step
  end
  return ids
end

-- Up to `count` entries scoring at least `score` (nil: from the first), in order, flattened as
-- ZRANGE WITHSCORES answers: {id, score, id, score...}.
local function pz_from(base, score, count)
  local dir, found = base .. ':dir', {}
  local function take(entries)
    for i = 1, #entries, 2 do
      if #found >= count * 2 then
        return
      end
      found[#found + 1] = entries[i]
      found[#found + 1] = entries[i + 1]
    end
  end
  local after = '-'
  if score then -- the last page beginning below the score may end at or above it
    local entry = redis.call('ZREVRANGEBYLEX', dir, '(' .. pz_enc(score), '-', 'LIMIT', 0, 1)[1]
    if entry then
      take(redis.call('ZRANGEBYSCORE', pz_page_key(base, entry), score, '+inf', 'WITHSCORES', 'LIMIT', 0, count))
      after = '(' .. entry
    end
  end
  while #found < count * 2 do
    local entries = redis.call('ZRANGEBYLEX', dir, after, '+', 'LIMIT', 0, 16)
    if #entries == 0 then
      break
    end
    for _, entry in ipairs(entries) do
      if #found >= count * 2 then
        break
      end
      take(redis.call('ZRANGE', pz_page_key(base, entry), 0, count - #found / 2 - 1, 'WITHSCORES'))
    end
    after = '(' .. entries[#entries]
  end
  return found
end

-- The creation index: paged under `base`, unless the previous layout's one sorted set (`legacy`)
-- is still there: until `manage.py build_indexes` has moved it, that set is the one read (the
-- writes keep both meanwhile). (index, paged?)
local function creation_index(base, legacy)
  if redis.call('EXISTS', legacy) == 1 then
    return legacy, false
  end
  return base, true
end

-- (size, the ids at [offset, offset + limit)) of an index: a paged one, or one sorted set (the
-- creation index of the previous layout), as page.lua and state.lua read either.
local function index_page(index, paged, offset, limit, reverse)
  if paged then
    return pz_count(index), pz_range(index, offset, limit, reverse)
  end
  local ids = {}
  if limit > 0 then
    ids = redis.call(reverse and 'ZREVRANGE' or 'ZRANGE', index, offset, offset + limit - 1)
  end
  return redis.call('ZCARD', index), ids
end

-- Whole milliseconds since the epoch of an ISO 8601 time as storage writes them
-- (YYYY-MM-DDTHH:MM:SS, a fraction, then Z, an offset or nothing for UTC), the score Python gave
-- it (storage/cache.py epoch_ms); nil for any other form.
local function epoch_ms(text)
  if type(text) ~= 'string' then
    return nil
  end
  local y, mo, d, h, mi, s, rest = string.match(text, '^(%d%d%d%d)%-(%d%d)%-(%d%d)T(%d%d):(%d%d):(%d%d)(.*)$')
  if not y then
    return nil
  end
  y, mo, d, h, mi, s = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(s)
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or s > 59 then
    return nil
  end
  local ms = 0
  local digits, zone = string.match(rest, '^%.(%d+)(.*)$')
  if digits then
    ms = math.floor(tonumber(string.sub(digits .. '000', 1, 3)))
    rest = zone
  end
  local offset = 0
  if rest ~= '' and rest ~= 'Z' then
    local sign, oh, om = string.match(rest, '^([+-])(%d%d):(%d%d)$')
    if not sign then
      return nil
    end
    offset = (tonumber(oh) * 60 + tonumber(om)) * (sign == '-' and -1 or 1)
  end
  -- days from the civil date (proleptic Gregorian)
  local yy = mo <= 2 and y - 1 or y
  local era = math.floor(yy / 400)
  local yoe = yy - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  return ((days * 24 + h) * 60 + mi - offset) * 60000 + s * 1000 + ms
end
