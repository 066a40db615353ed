-- wrk script: POST /v1/reports, one report of a number nobody reported before on every request, as one reporter
-- (BENCH_TOKEN) from one network. For bench-scaleout.sh, which measures Redis memory per reported number.
--   BENCH_TOKEN=... wrk -t1 -c8 -d10s -s load-tests/wrk/report-fresh.lua http://127.0.0.1:8080
-- Each thread numbers its own block of +86139 numbers, so threads never report the same number; several wrk
-- processes at once set BENCH_BLOCK (0, 1, 2, ...) apart.

local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua") -- thread ids and the RESULT line

function init(args)
  token = os.getenv("BENCH_TOKEN")
  block = tonumber(os.getenv("BENCH_BLOCK") or "0") * 10 + (thread_id or 1)
  counter = 0
end

function request()
  counter = counter + 1
  local number = string.format("+86139%08d", block * 1000000 + counter)
  return wrk.format("POST", "/v1/reports", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = "203.0.113.9",
  }, '{"number":"' .. number .. '","category":"DEBT_COLLECTION"}')
end
