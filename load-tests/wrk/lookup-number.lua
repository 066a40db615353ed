-- wrk script: GET /v1/numbers/{number} for one number, again and again. Point it at a number that is BLOCK
-- (bench-scaleout.sh makes one): each lookup then passes the Bloom filter and reads Redis.
--   BENCH_NUMBER=+8618600000000 wrk -t1 -c32 -d10s -s load-tests/wrk/lookup-number.lua http://127.0.0.1:8080
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local number = os.getenv("BENCH_NUMBER") or "+8618600000000"
local path = "/v1/numbers/" .. number:gsub("%+", "%%2B")

function request()
  return wrk.format("GET", path)
end
