-- Shared by the wrk scripts: random CN mobile numbers nobody reported (the prefixes BenchRequest uses: 130, the
-- preload's, and 186 left out) and the one machine-readable RESULT line bench.sh reads. errors.status counts
-- answers with status >= 400, which would spoil a measurement.

prefixes = { "131", "132", "133", "134", "135", "136", "137", "138", "139",
             "150", "151", "152", "153", "155", "156", "157", "158", "159",
             "180", "181", "182", "183", "184", "185", "187", "188", "189" }

function unreported_number()
  return "+86" .. prefixes[math.random(#prefixes)] .. string.format("%08d", math.random(0, 99999999))
end

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f socket_errors=%d http_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
