-- The wrk script of bench/api_bench.py: one load mode per run, one connection per wrk thread (so a
-- thread's responses answer its requests in order, which lets PATCH track each record's ETag).
--
-- wrk -t N -c N -d 4s -s bench/api.lua http://127.0.0.1:PORT -- MODE DIR TOKEN NONCE PATCH_FIRST PATCH_EACH
--   MODE        detail | list | filtered | post | patch | mixed | constant
--   DIR         holds ids.txt (client ids, one a line) and owners.txt (clients that have sessions)
--   PATCH_FIRST index in ids.txt of this run's first patched record (every run patches fresh ones)
--   PATCH_EACH  records patched per thread, round robin; each starts at version 1
-- done() prints one JSON line: requests, seconds, rps, p50, p99 (seconds), errors and their kinds.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("number", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(found, line) end
  end
  return found
end

local mode, token, nonce, ids, owners, patched, versions
local serial, pending = 0, nil
local headers = {}

function init(args)
  mode, token, nonce = args[1], args[3], args[4]
  ids = lines(args[2] .. "/ids.txt")
  owners = lines(args[2] .. "/owners.txt")
  local first, each = tonumber(args[5]), tonumber(args[6])
  patched, versions = {}, {}
  for i = 0, each - 1 do
    local id = ids[(first + number * each + i) % #ids + 1]
    table.insert(patched, id)
    versions[id] = 1
  end
  headers = {["Authorization"] = "Token " .. token, ["Accept"] = "application/json",
             ["Content-Type"] = "application/json"}
  math.randomseed(1000 + number)
end

local function get(path)
  pending = nil
  return wrk.format("GET", path, headers)
end

local function detail() return get("/api/clients/" .. ids[(number * 7919 + serial) % #ids + 1] .. "/") end
local function list() return get("/api/clients/?limit=50") end
local function filtered()
  return get("/api/sessions/?client_id=" .. owners[(number * 7919 + serial) % #owners + 1])
end

local function post()
  pending = nil
  local body = string.format('{"name":"Load %d","email":"load-%s-%d-%d@example.com","tags":["load"]}',
                             serial, nonce, number, serial)
  return wrk.format("POST", "/api/clients/", headers, body)
end

local function patch()
  local id = patched[serial % #patched + 1]
  pending = id
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  h["If-Match"] = '"' .. versions[id] .. '"'
  return wrk.format("PATCH", "/api/clients/" .. id .. "/", h, string.format('{"notes":"patch %d"}', serial))
end

local function mixed()
  local roll = math.random(100)
  if roll <= 60 then return detail() end
  if roll <= 80 then return list() end
  if roll <= 90 then return filtered() end
  if roll <= 95 then return patch() end
  return post()
end

local modes = {detail = detail, list = list, filtered = filtered, post = post, patch = patch, mixed = mixed,
               constant = function() return get("/api/ceiling/") end}

function request()
  serial = serial + 1
  return modes[mode]()
end

function response(status, response_headers, body)
  if pending ~= nil and status < 300 then
    local tag = response_headers["ETag"] or response_headers["etag"]
    local version = tag and tonumber(string.match(tag, "(%d+)"))
    versions[pending] = version or versions[pending] + 1
  end
  pending = nil
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.6f,"rps":%.3f,"p50":%.6f,"p99":%.6f,"errors":%d,' ..
    '"error_kinds":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1e6,
    latency:percentile(99) / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    e.connect, e.read, e.write, e.status, e.timeout))
end
