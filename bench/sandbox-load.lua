-- wrk script for bench/sandbox-load.sh: POSTs full lookups of real
-- citizens (from `dancu sandbox export`) to one sandbox channel and counts
-- what comes back.
--
-- Environment:
--   DANCU_LOAD_DATA     TSV file: personal_id, name, birth_date (dd/mm/yyyy or yyyy)
--   DANCU_LOAD_FORMAT   json (provincial JSON channel) or soap (LGSP, C06)
--   DANCU_LOAD_PATH     request path, e.g. /tinh/tracuu
--   DANCU_LOAD_HEADERS  extra request headers, one "Name: value" a line
--
-- Every request body is built once, in init(); request() only cycles
-- through them. response() counts 200 answers that carry the citizen
-- (SoCongDan="1"), 200 answers without one, and everything else.

local data = os.getenv("DANCU_LOAD_DATA")
local format = os.getenv("DANCU_LOAD_FORMAT") or "json"
local path = os.getenv("DANCU_LOAD_PATH") or "/tinh/tracuu"
local extra = os.getenv("DANCU_LOAD_HEADERS") or ""

local requests = {}
local count = 0
local cursor = 0
local found_marker

-- Per-thread counters, read back in done() (globals, for thread:get).
found = 0
empty = 0
other = 0
first_other = ""

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function wire_birth(b)
  local d, m, y = b:match("^(%d%d)/(%d%d)/(%d%d%d%d)$")
  if d then
    return "NgayThangNam", y .. m .. d
  end
  if b:match("^%d%d%d%d$") then
    return "Nam", b
  end
  return nil
end

local function json_body(rid, id, name, field, value)
  return string.format(
    '{"MaYeuCau":"%s","MaDVC":"1.001776","MaTichHop":"037","MaCanBo":"canbo.bench",'
      .. '"MaDonVi":"000.00.21.H06","SoDinhDanh":"%s","HoVaTen":"%s","%s":"%s"}',
    rid, id, name, field, value)
end

local function soap_body(rid, id, name, field, value)
  return '<?xml version="1.0" encoding="utf-8"?>'
    .. '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    .. ' xmlns:dan="http://dancuquocgia.bca"><soapenv:Body><dan:TraCuuThongTinCongDan>'
    .. '<dan:MaYeuCau>' .. rid .. '</dan:MaYeuCau>'
    .. '<dan:MaDVC>1.001776</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop>'
    .. '<dan:MaCanBo>canbo.bench</dan:MaCanBo><dan:MaDonVi>000.00.21.H06</dan:MaDonVi>'
    .. '<dan:SoDinhDanh>' .. id .. '</dan:SoDinhDanh>'
    .. '<dan:HoVaTen>' .. name .. '</dan:HoVaTen>'
    .. '<dan:NgayThangNamSinh><dan:' .. field .. '>' .. value .. '</dan:' .. field .. '>'
    .. '</dan:NgayThangNamSinh></dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>'
end

function init(args)
  local headers = {}
  for line in extra:gmatch("[^\n]+") do
    local k, v = line:match("^([^:]+):%s*(.*)$")
    if k then
      headers[k] = v
    end
  end
  local build
  if format == "soap" then
    headers["Content-Type"] = "text/xml; charset=utf-8"
    headers["SOAPAction"] = '"TraCuuThongTinCongDan"'
    build = soap_body
    found_marker = 'SoCongDan="1"'
  else
    headers["Content-Type"] = "application/json"
    build = json_body
    -- The collection is a JSON string: its quotes are escaped.
    found_marker = 'SoCongDan=\\"1\\"'
  end
  local f = assert(io.open(data, "r"), "DANCU_LOAD_DATA: cannot open " .. tostring(data))
  for line in f:lines() do
    local id, name, birth = line:match("^(%d+)\t([^\t]+)\t(.+)$")
    local field, value = wire_birth(birth or "")
    if id and field then
      count = count + 1
      local rid = string.format("b0000000-0000-4000-8000-%012d", count)
      requests[count] = wrk.format("POST", path, headers, build(rid, id, name, field, value))
    end
  end
  f:close()
  assert(count > 0, "no citizens in " .. tostring(data))
  -- Threads start at different citizens.
  cursor = (id or 0) * 7919 % count
end

function request()
  cursor = cursor % count + 1
  return requests[cursor]
end

function response(status, headers, body)
  if status == 200 and body:find(found_marker, 1, true) then
    found = found + 1
  elseif status == 200 then
    empty = empty + 1
  else
    other = other + 1
    if first_other == "" then
      first_other = status .. " " .. body:sub(1, 200)
    end
  end
end

function done(summary, latency, requests)
  local f, e, o, sample = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    f = f + t:get("found")
    e = e + t:get("empty")
    o = o + t:get("other")
    if sample == "" then
      sample = t:get("first_other")
    end
  end
  io.write(string.format("answers: found=%d empty=%d other=%d\n", f, e, o))
  if sample ~= "" then
    io.write("first non-200: " .. sample .. "\n")
  end
end
