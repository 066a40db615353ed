-- wrk script: POST /v1/reports of one of 20,000 numbers, by a random reporter token from BENCH_TOKENS (one per line;
-- cpu-ab.sh and bench.sh mint them) from a random client address in 198.18.0.0/15 sent as X-Forwarded-For (as
-- report.lua). After the first few seconds most reports are of listed numbers: another reporter's vote, or a
-- reporter voting again, so numbers reach the quorum, BLOCK, and blocks of 100 form ranges.
--   BENCH_TOKENS=tokens.txt wrk -t1 -c32 -d10s -s load-tests/wrk/report-listed.lua http://127.0.0.1:8080
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
dofile(here .. "result.lua")

local tokens
local categories = { "DEBT_COLLECTION", "CONTACT_HARASSMENT", "THREAT", "SILENT", "LEGITIMATE" }

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919)
  tokens = bench_tokens()
end

function request()
  return report_request(tokens, string.format('{"number":"+86135%08d","category":"%s"}', math.random(0, 19999),
    categories[math.random(#categories)]))
end
