-- wrk script: GET /v1/numbers/{number} for one of the first BENCH_HOT (default 50,000) preloaded numbers (+86 130
-- 0000 0000 onwards, export/Preload.java), drawn with a Zipf distribution, s = 1.1: rank k (from 0) with probability
-- proportional to 1 / (k + 1)^1.1. The shape of an address-book explosion: a few collector numbers ring thousands
-- of phones. Same draw as BenchRequest's "zipf" scenario (bench/Zipf.java): inverse transform over the cumulative
-- distribution, a binary search per request.
--   BENCH_REPORTED=1000000 BENCH_HOT=50000 wrk -t1 -c32 -d10s -s load-tests/wrk/lookup-zipf.lua http://127.0.0.1:8080
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local reported = tonumber(os.getenv("BENCH_REPORTED") or "1000000")
local hot = math.max(1, math.min(reported, tonumber(os.getenv("BENCH_HOT") or "50000")))
local s = 1.1
local cumulative = {}

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  local sum = 0
  for k = 1, hot do
    sum = sum + k ^ -s
    cumulative[k] = sum
  end
  for k = 1, hot do
    cumulative[k] = cumulative[k] / sum
  end
  cumulative[hot] = 1.0
end

-- The first rank (from 1) whose cumulative probability exceeds u.
local function rank(u)
  local lo, hi = 1, hot
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] > u then
      hi = mid
    else
      lo = mid + 1
    end
  end
  return lo
end

function request()
  return wrk.format("GET", "/v1/numbers/%2B86" .. string.format("%d", 13000000000 + rank(math.random()) - 1))
end
