-- wrk script: GET /v1/numbers/{number} for a random number of the preloaded range (+86 130 0000 0000 onwards,
-- BENCH_REPORTED of them, written by export/Preload.java), drawn uniformly from its first BENCH_HOT (default: all of
-- them): each passes the Bloom filter and is read from Redis, or from the near cache once it holds it.
--   BENCH_REPORTED=1000000 BENCH_HOT=50000 wrk -t1 -c32 -d10s -s load-tests/wrk/lookup-reported.lua http://127.0.0.1:8080
-- Same numbers as BenchRequest's "reported" scenario (BENCH_HOT numbers) and "cold" one (all of them).
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local reported = tonumber(os.getenv("BENCH_REPORTED") or "1000000")
local hot = math.max(1, math.min(reported, tonumber(os.getenv("BENCH_HOT") or reported)))

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  return wrk.format("GET", "/v1/numbers/%2B86" .. string.format("%d", 13000000000 + math.random(0, hot - 1)))
end
