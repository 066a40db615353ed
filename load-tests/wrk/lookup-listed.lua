-- wrk script: GET /v1/numbers/{number} of the first BENCH_LISTED (default 5,000) numbers report-listed.lua reports
-- (+86 135 0000 0000 onwards): once they are listed each passes the Bloom filter and is read from Redis, or from the
-- near cache (store/RecordCache) when the instance keeps one. cpu-ab.sh lists them first with
-- CPU_AB_PREPARE=report-listed.lua.
--   BENCH_LISTED=5000 wrk -t1 -c32 -d10s -s load-tests/wrk/lookup-listed.lua http://127.0.0.1:8080
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local listed = tonumber(os.getenv("BENCH_LISTED") or "5000")

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  return wrk.format("GET", string.format("/v1/numbers/%%2B86135%08d", math.random(0, listed - 1)))
end
