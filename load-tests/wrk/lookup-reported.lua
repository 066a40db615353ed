-- wrk script: GET /v1/numbers/{number} for a random number of the preloaded range (+86 130 0000 0000 onwards,
-- BENCH_REPORTED of them, written by export/Preload.java): each passes the Bloom filter and is read from Redis.
--   BENCH_REPORTED=1000000 wrk -t1 -c32 -d10s -s load-tests/wrk/lookup-reported.lua http://127.0.0.1:8080
-- Same numbers as BenchRequest's "reported" scenario.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local reported = tonumber(os.getenv("BENCH_REPORTED") or "1000000")

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  return wrk.format("GET", "/v1/numbers/%2B86" .. string.format("%d", 13000000000 + math.random(0, reported - 1)))
end
