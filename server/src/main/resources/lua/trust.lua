-- Moves one reporter's trust by a step, kept within bounds, and counts why.
--
-- KEYS[1] trust hash (t = trust, a = agreed, o = overturned)
-- ARGV[1] step (positive: agreed with the outcome; negative: overturned)   ARGV[2] minimum   ARGV[3] maximum
-- ARGV[4] expiry ms (trust of a reporter who stops reporting is forgotten, like its votes)

local t = tonumber(redis.call('HGET', KEYS[1], 't') or '1') + tonumber(ARGV[1])
t = math.max(tonumber(ARGV[2]), math.min(tonumber(ARGV[3]), t))
redis.call('HSET', KEYS[1], 't', string.format('%.4f', t))
redis.call('HINCRBY', KEYS[1], tonumber(ARGV[1]) >= 0 and 'a' or 'o', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {string.format('%.4f', t)}
