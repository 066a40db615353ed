-- wrk script: POST /v1/reports of a random unreported number, by a random reporter token from BENCH_TOKENS (one per
-- line; bench.sh mints them) from a random client address in 198.18.0.0/15 (512 networks of /24) sent as
-- X-Forwarded-For, which the server believes from 127.0.0.1 (DUNBLOCK_TRUSTED_PROXIES). Same shape as
-- BenchRequest's "report" scenario.
--   BENCH_TOKENS=tokens.txt wrk -t1 -c32 -d10s -s load-tests/wrk/report.lua http://127.0.0.1:8080
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local tokens

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  tokens = bench_tokens()
end

function request()
  return report_request(tokens, '{"number":"' .. unreported_number() .. '","category":"DEBT_COLLECTION"}')
end
