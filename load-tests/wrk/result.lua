-- Shared by the wrk scripts: random CN mobile numbers nobody reported (the prefixes BenchRequest uses: 130, the
-- preload's, and 186 left out), the reporter tokens and report requests of the report scripts, and the one
-- machine-readable RESULT line bench.sh reads. errors.status counts
-- answers with status >= 400, which would spoil a measurement.

prefixes = { "131", "132", "133", "134", "135", "136", "137", "138", "139",
             "150", "151", "152", "153", "155", "156", "157", "158", "159",
             "180", "181", "182", "183", "184", "185", "187", "188", "189" }

function unreported_number()
  return "+86" .. prefixes[math.random(#prefixes)] .. string.format("%08d", math.random(0, 99999999))
end

-- The reporter tokens of BENCH_TOKENS, one per line (bench.sh and cpu-ab.sh mint them).
function bench_tokens()
  local tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if #line > 0 then
      tokens[#tokens + 1] = line
    end
  end
  return tokens
end

-- POST /v1/reports of body by a random one of tokens, from a random client address in 198.18.0.0/15 (512
-- networks of /24) sent as X-Forwarded-For, which the server believes from 127.0.0.1 (DUNBLOCK_TRUSTED_PROXIES).
function report_request(tokens, body)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["X-Forwarded-For"] = string.format("198.%d.%d.%d", 18 + math.random(0, 1), math.random(0, 255),
      math.random(1, 254)),
  }
  return wrk.format("POST", "/v1/reports", headers, body)
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
