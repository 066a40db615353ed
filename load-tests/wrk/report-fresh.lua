-- wrk script: POST /v1/reports, one report of a number nobody reported before on every request, as one reporter
-- (BENCH_TOKEN) from one network. For bench-scaleout.sh, which measures Redis memory per reported number.
--   BENCH_TOKEN=... wrk -t1 -c8 -d10s -s load-tests/wrk/report-fresh.lua http://127.0.0.1:8080
-- Each thread numbers its own block of +86139 numbers, so threads never report the same number; several wrk
-- processes at once set BENCH_BLOCK (0, 1, 2, ...) apart.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  token = os.getenv("BENCH_TOKEN")
  block = tonumber(os.getenv("BENCH_BLOCK") or "0") * 10 + (thread_id or 1)
  counter = 0
end

function request()
  counter = counter + 1
  local number = string.format("+86139%08d", block * 1000000 + counter)
  return wrk.format("POST", "/v1/reports", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = "203.0.113.9",
  }, '{"number":"' .. number .. '","category":"DEBT_COLLECTION"}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f socket_errors=%d http_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
