-- Files an appeal if the client network and the number are both under their hourly limit, atomically with the
-- limit counters. All keys share the {appeals} hash tag.
--
-- KEYS[1] appeal hash   KEYS[2] pending index (zset)   KEYS[3] network counter   KEYS[4] number counter
-- ARGV[1] appeal id     ARGV[2] number (E.164)         ARGV[3] contact           ARGV[4] reason
-- ARGV[5] now ms        ARGV[6] limit per window       ARGV[7] window ms
--
-- Returns {'ok', 0}, or {'limited', ms until the exhausted window ends}.

local limit = tonumber(ARGV[6])
for i = 3, 4 do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used >= limit then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then
      -- A counter without expiry cannot come from this script; give it one rather than lock out forever.
      redis.call('PEXPIRE', KEYS[i], ARGV[7])
      ttl = tonumber(ARGV[7])
    end
    return {'limited', ttl}
  end
end
for i = 3, 4 do
  if redis.call('INCR', KEYS[i]) == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[7])
  end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'number', ARGV[2], 'contact', ARGV[3], 'reason', ARGV[4],
  'status', 'pending', 'created', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return {'ok', 0}
