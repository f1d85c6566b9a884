-- wrk script for bench/serve-load.sh: POSTs one kind of request to
-- `dancu serve` and counts the answers by status (ok: 200, or 201 for codes).
--
-- Environment:
--   DANCU_LOAD_KIND     inspect1 (one ID a request), inspect (DANCU_LOAD_BATCH
--                       IDs a request), lookup (a full lookup of a sandbox
--                       citizen through the provincial JSON gateway) or codes
--                       (POST /v1/dossier-codes, cycling over 2,000 units so
--                       no unit runs out of its 9,999 serials of the day)
--   DANCU_LOAD_DATA     TSV file: personal_id, name, birth_date
--   DANCU_LOAD_BATCH    IDs per request for `inspect` (default 10000)
--   DANCU_LOAD_KEY      the client key (sent as a Bearer token)
--
-- Bodies are built once, in init(); request() cycles through them.

local kind = os.getenv("DANCU_LOAD_KIND") or "inspect1"
local data = os.getenv("DANCU_LOAD_DATA")
local batch = tonumber(os.getenv("DANCU_LOAD_BATCH") or "10000")
local key = os.getenv("DANCU_LOAD_KEY") or ""

local requests = {}
local cursor = 0
ok = 0
other = 0
first_other = ""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function rows()
  local out = {}
  for line in io.lines(data) do
    local id, name, birth = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
    if id then table.insert(out, { id = id, name = name, birth = birth }) end
  end
  return out
end

function init(args)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
  local citizens = rows()
  if kind == "inspect1" then
    for i = 1, math.min(#citizens, 1000) do
      local body = string.format('{"inputs":["%s"]}', citizens[i].id)
      table.insert(requests, wrk.format("POST", "/v1/identity/inspect", headers, body))
    end
  elseif kind == "inspect" then
    local ids = {}
    for i = 1, batch do ids[i] = '"' .. citizens[(i - 1) % #citizens + 1].id .. '"' end
    local body = '{"inputs":[' .. table.concat(ids, ",") .. ']}'
    table.insert(requests, wrk.format("POST", "/v1/identity/inspect", headers, body))
  elseif kind == "codes" then
    for i = 1, 2000 do
      local body = string.format('{"unit":"BENCH.%04d","date":"2026-12-03"}', i)
      table.insert(requests, wrk.format("POST", "/v1/dossier-codes", headers, body))
    end
  else
    for i = 1, #citizens do
      local c = citizens[i]
      local body = string.format(
        '{"gateway":"provincial_json","id":"%s","name":"%s","birth_date":"%s","procedure":"1.001776",' ..
        '"purpose":"benchmark","officer":{"id":"canbo.bench","unit":"000.00.21.H06"}}',
        c.id, c.name, c.birth)
      table.insert(requests, wrk.format("POST", "/v1/citizens/lookup", headers, body))
    end
  end
end

function request()
  cursor = cursor % #requests + 1
  return requests[cursor]
end

-- A dossier code is created: 201.
local expected = (kind == "codes") and 201 or 200

function response(status, headers, body)
  if status == expected then
    ok = ok + 1
  else
    other = other + 1
    if first_other == "" then first_other = status .. " " .. body:sub(1, 200) end
  end
end

function done(summary, latency, requests)
  local o, x, first = 0, 0, ""
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    x = x + t:get("other")
    if first == "" then first = t:get("first_other") end
  end
  io.write(string.format("answers: ok=%d other=%d\n", o, x))
  if first ~= "" then io.write("first non-200: " .. first .. "\n") end
end
