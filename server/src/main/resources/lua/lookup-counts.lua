-- Adds one flush's lookups to the minute's counters of many clients, in one round trip (the lookup limit).
--
-- KEYS[1] one bucket's hash of counters for the minute (field: a client's keyed hash, value: its lookups)
-- ARGV[1] the hash's expiry ms, set whenever it has none: when this call made it, or made it again after a loss
--         (a failover to a replica without it); never extended, so a minute's counters go at a bounded time
-- ARGV[2], ARGV[3], ... pairs: a client's field, the lookups to add
--
-- Returns each client's count so far (every instance's), in the order given.

local totals = {}
for i = 2, #ARGV, 2 do
  totals[#totals + 1] = redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return totals
