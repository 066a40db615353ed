-- wrk script: GET /v1/numbers/{number} for a fresh random Chinese mobile number on every request.
-- Nobody reported these numbers, so every answer should come from the Bloom filter without a
-- Redis command (compare dunblock_lookups_total{path="filter"} on /metrics before and after).
--   wrk -t1 -c32 -d10s --latency -s load-tests/wrk/lookup-unreported.lua http://127.0.0.1:8080
--
-- Numbers are +86 1PP XXXX XXXX with 1PP a mobile prefix that libphonenumber accepts for CN.
-- 186 is left out so that bench-lookups.sh can use +8618600000000 as its blocked number.

local prefixes = { "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
                   "150", "151", "152", "153", "155", "156", "157", "158", "159",
                   "180", "181", "182", "183", "184", "185", "187", "188", "189" }

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  -- Each thread gets its own sequence.
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  local national = prefixes[math.random(#prefixes)] .. string.format("%08d", math.random(0, 99999999))
  return wrk.format("GET", "/v1/numbers/%2B86" .. national)
end

-- One machine-readable line for bench-lookups.sh. errors.status counts answers with status >= 400
-- (e.g. a generated number the server finds invalid), which would spoil the measurement.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f socket_errors=%d http_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
