-- wrk script: GET /v1/numbers/{number} for one number, again and again. Point it at a number that
-- is BLOCK (bench-lookups.sh makes one): each lookup then passes the Bloom filter and reads Redis.
--   BENCH_NUMBER=+8618600000000 wrk -t1 -c32 -d10s --latency -s load-tests/wrk/lookup-blocked.lua http://127.0.0.1:8080

local number = os.getenv("BENCH_NUMBER") or "+8618600000000"
local path = "/v1/numbers/" .. number:gsub("%+", "%%2B")

function request()
  return wrk.format("GET", path)
end

-- Same line format as lookup-unreported.lua.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f socket_errors=%d http_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
