-- wrk script for benchmarks/load/run.sh. LOAD_MODE (environment):
--   read     GET /api/v1/employees/{id}, id uniformly random in 1..LOAD_COUNT
--   write    half POST /api/v1/employees (create), half PUT /api/v1/employees/{id} (update); the ids each thread
--            updates walk a sequence of their own, so no two requests in flight update the same employee
--   picture  GET /api/v1/employees/{id}/picture, id random in 1..LOAD_PICTURES
--   floor    GET /api/v1/floor: a constant JSON document (the bare API only; no auth, no database)
-- LOAD_TOKEN, when set, is sent as a bearer token. done() prints one "RESULT" line run.sh parses; a response is
-- counted as an error unless its status is 2xx.
local mode = os.getenv("LOAD_MODE") or "read"
local count = tonumber(os.getenv("LOAD_COUNT") or "10000")
local pictures = tonumber(os.getenv("LOAD_PICTURES") or "100")
local token = os.getenv("LOAD_TOKEN") or ""
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tid * 7919)
  non2xx = 0
  n = 0
  headers = { ["Content-Type"] = "application/json" }
  if token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  n = n + 1
  if mode == "floor" then
    return wrk.format("GET", "/api/v1/floor", headers)
  elseif mode == "picture" then
    return wrk.format("GET", "/api/v1/employees/" .. math.random(1, pictures) .. "/picture", headers)
  elseif mode == "write" then
    if n % 2 == 0 then
      return wrk.format("POST", "/api/v1/employees", headers,
        '{"name":"Load ' .. tid .. "-" .. n .. '","address":"1 Write Mix Road"}')
    end
    local id = ((n * next_thread_count() + tid) % count) + 1
    return wrk.format("PUT", "/api/v1/employees/" .. id, headers,
      '{"name":"Updated ' .. n .. '","address":"2 Write Mix Road"}')
  end
  return wrk.format("GET", "/api/v1/employees/" .. math.random(1, count), headers)
end

function next_thread_count()
  return tonumber(os.getenv("LOAD_THREADS") or "2")
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad,
    e.connect + e.read + e.write + e.timeout))
end
