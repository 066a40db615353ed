-- Admits one report from a reporter: counts it against the reporter's daily quota and returns the reporter's trust,
-- the weight its votes carry. Both keys carry the reporter's hash tag.
--
-- KEYS[1] quota counter   KEYS[2] trust hash (t = trust, a = agreed, o = overturned)
-- ARGV[1] quota per window   ARGV[2] window ms
--
-- Returns {'ok', trust as text} or {'limited', ms until the window ends}.

local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {'limited', ttl}
end
if redis.call('INCR', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {'ok', redis.call('HGET', KEYS[2], 't') or '1'}
