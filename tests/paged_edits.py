"""A paged index (storage/scripts/pages.lua) edited by hand from tests, through pages.lua's own
functions: an entry without its record, a record taken out of its index, what a partial restore or
an operator's edit leaves behind. `client` is a redis-py client, or a command backend (its call)."""

from storage.scripts import HERE

HARNESS = """
local base, op = KEYS[1], ARGV[1]
if op == 'add' then
  for i = 2, #ARGV, 2 do pz_add(base, tonumber(ARGV[i]), ARGV[i + 1]) end
  return pz_count(base)
elseif op == 'remove' then
  local score = ARGV[2] ~= '' and tonumber(ARGV[2]) or nil
  return pz_remove(base, score, ARGV[3], ARGV[4] == '1') and 1 or 0
elseif op == 'range' then
  return pz_range(base, tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1')
elseif op == 'count' then
  return pz_count(base)
elseif op == 'score' then
  for _, entry in ipairs(redis.call('ZRANGE', base .. ':dir', 0, -1)) do
    local score = redis.call('ZSCORE', pz_page_key(base, entry), ARGV[2])
    if score then return score end
  end
  return false
elseif op == 'pages' then
  local found = {}
  for _, entry in ipairs(redis.call('ZRANGE', base .. ':dir', 0, -1)) do
    local page = pz_page_key(base, entry)
    found[#found + 1] = {redis.call('ZCARD', page), redis.call('OBJECT', 'ENCODING', page)}
  end
  return found
elseif op == 'ms' then
  local ms = epoch_ms(ARGV[2])
  return ms and string.format('%d', ms) or false
end
"""
SOURCE = (HERE / "pages.lua").read_text() + HARNESS


def harness(client, base):
    """pages.lua's functions, called by name on the paged index under `base`."""
    if hasattr(client, "script_load"):
        sha = client.script_load(SOURCE)

        def call(op, *args):
            return client.evalsha(sha, 1, base, op, *args)

    else:

        def call(op, *args):
            return client.call("EVAL", SOURCE, 1, base, op, *args)

    return call


def add_entry(client, base, record_id, score):
    harness(client, base)("add", score, record_id)


def remove_entry(client, base, record_id):
    """Take record_id out, wherever it is (every page looked through)."""
    return bool(harness(client, base)("remove", "", record_id, "0"))


def entry_score(client, base, record_id):
    """The score of record_id's entry, None when it has none."""
    found = harness(client, base)("score", record_id)
    return None if found is None else float(found)


def entry_ids(client, base):
    """Every id of the index, in its order."""
    call = harness(client, base)
    return call("range", 0, call("count"), "0")
