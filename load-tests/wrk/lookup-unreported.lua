-- wrk script: GET /v1/numbers/{number} for a fresh random Chinese mobile number on every request.
-- Nobody reported these numbers, so every answer comes from the Bloom filter without a Redis command
-- (bench.sh compares dunblock_lookups_total{path="filter"} on /metrics before and after).
--   wrk -t1 -c32 -d10s -s load-tests/wrk/lookup-unreported.lua http://127.0.0.1:8080
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  return wrk.format("GET", "/v1/numbers/" .. unreported_number():gsub("%+", "%%2B"))
end
