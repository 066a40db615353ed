-- Adds one report to a lending platform's evidence aggregates, once per reporter and number. Runs after
-- report.lua has stored the report; the platform's keys have their own hash tag, so this is a second script.
-- Safe to run again for the same report (a retry, an Idempotency-Key replay): the seen set makes it a no-op.
--
-- KEYS[1] aggregate hash   KEYS[2] victims HyperLogLog   KEYS[3] numbers zset   KEYS[4] seen set
-- ARGV[1] pair hash (reporter and number)   ARGV[2] reporter hash   ARGV[3] number   ARGV[4] category
-- ARGV[5] occurred ms   ARGV[6] local day (yyyy-MM-dd)   ARGV[7] local hour (0-23)   ARGV[8] time zone
-- ARGV[9] expire at ms
--
-- Returns {1} when the report was added, {0} when this reporter was already counted for this number.

if redis.call('SADD', KEYS[4], ARGV[1]) == 0 then
  return {0}
end
redis.call('PFADD', KEYS[2], ARGV[2])
redis.call('ZINCRBY', KEYS[3], 1, ARGV[3])
redis.call('HINCRBY', KEYS[1], 'reports', 1)
redis.call('HINCRBY', KEYS[1], 'c:' .. ARGV[4], 1)
redis.call('HINCRBY', KEYS[1], 'd:' .. ARGV[6], 1)
redis.call('HINCRBY', KEYS[1], 'h:' .. ARGV[7], 1)
redis.call('HINCRBY', KEYS[1], 'z:' .. ARGV[8], 1)

local occurred = tonumber(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 'first', 'last')
local first = tonumber(h[1])
local last = tonumber(h[2])
if first == nil or occurred < first then
  redis.call('HSET', KEYS[1], 'first', ARGV[5])
end
if last == nil or occurred > last then
  redis.call('HSET', KEYS[1], 'last', ARGV[5])
end

for i = 1, 4 do
  redis.call('PEXPIREAT', KEYS[i], ARGV[9])
end
return {1}
