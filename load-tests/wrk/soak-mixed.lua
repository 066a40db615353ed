-- wrk script for soak.sh: lookups and reports mixed, answers counted by what a client sees.
--   SOAK_TOKENS=tokens.txt SOAK_REPORT_PERCENT=10 wrk -t1 -c16 -d15s --latency -s load-tests/wrk/soak-mixed.lua URL
-- SOAK_TOKENS is a file of reporter tokens, one a line (soak.sh makes them). Each report is a fresh random number
-- from a random token and a network of its own (X-Forwarded-For, believed from 127.0.0.1), with an Idempotency-Key.
-- Half the lookups ask for numbers this thread reported (they pass the Bloom filter and read Redis), half for
-- random numbers nobody reported (answered by the filter).
-- Answers: 200 = lookup (degraded when the body says so), 202 = report acknowledged, 503 = report refused (must
-- carry Retry-After), anything else = error.

local prefixes = { "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
                   "150", "151", "152", "153", "155", "156", "157", "158", "159",
                   "180", "181", "182", "183", "184", "185", "187", "188", "189" }
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("SOAK_TOKENS")) do
    tokens[#tokens + 1] = line
  end
  percent = tonumber(os.getenv("SOAK_REPORT_PERCENT") or "10")
  math.randomseed(os.time() * 1000 + id * 7919)
  reported = {}
  sequence = 0
  lookups, degraded, acked, refused, refused_bare, errors = 0, 0, 0, 0, 0, 0
end

local function random_number()
  return "+86" .. prefixes[math.random(#prefixes)] .. string.format("%08d", math.random(0, 99999999))
end

local function path_of(number)
  return "/v1/numbers/" .. (number:gsub("%+", "%%2B"))
end

function request()
  sequence = sequence + 1
  if math.random(100) <= percent then
    local t = math.random(#tokens)
    local number = random_number()
    reported[(sequence % 1000) + 1] = number
    return wrk.format("POST", "/v1/reports", {
      ["Authorization"] = "Bearer " .. tokens[t],
      ["X-Forwarded-For"] = string.format("198.18.%d.%d", t % 256, 1 + id),
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("soak-%d-%d-%d", id, sequence, math.random(1, 1e9)),
    }, string.format('{"number":"%s","category":"DEBT_COLLECTION"}', number))
  end
  local known = reported[math.random(1000)]
  if known ~= nil and math.random(2) == 1 then
    return wrk.format("GET", path_of(known))
  end
  return wrk.format("GET", path_of(random_number()))
end

function response(status, headers, body)
  if status == 200 then
    lookups = lookups + 1
    if body:find('"degraded":true', 1, true) then
      degraded = degraded + 1
    end
  elseif status == 202 then
    acked = acked + 1
  elseif status == 503 then
    refused = refused + 1
    if headers["Retry-After"] == nil then
      refused_bare = refused_bare + 1
    end
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local totals = { lookups = 0, degraded = 0, acked = 0, refused = 0, refused_bare = 0, errors = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f lookups=%d degraded=%d "
    .. "acked=%d refused=%d refused_without_retry_after=%d errors=%d socket_errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    totals.lookups, totals.degraded, totals.acked, totals.refused, totals.refused_bare, totals.errors,
    e.connect + e.read + e.write + e.timeout))
end
