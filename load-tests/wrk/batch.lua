-- wrk script: POST /v1/numbers/lookup with 20 numbers, 19 nobody reported and 1 of the preloaded range (the 95/5
-- mix, rounded). Same shape as BenchRequest's "batch" scenario.
--   BENCH_REPORTED=1000000 wrk -t1 -c32 -d10s -s load-tests/wrk/batch.lua http://127.0.0.1:8080
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local reported = tonumber(os.getenv("BENCH_REPORTED") or "1000000")
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
end

function request()
  local numbers = { string.format('"+86%d"', 13000000000 + math.random(0, reported - 1)) }
  for i = 2, 20 do
    numbers[i] = '"' .. unreported_number() .. '"'
  end
  return wrk.format("POST", "/v1/numbers/lookup", headers, '{"numbers":[' .. table.concat(numbers, ",") .. "]}")
end
