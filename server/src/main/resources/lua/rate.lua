-- Counts one use against a fixed-window limit, unless the limit is already spent.
--
-- KEYS[1] the window's counter
-- ARGV[1] limit per window   ARGV[2] window length ms
-- KEYS[2], ARGV[3] (optional) a hash in the counter's slot and one of its fields, read in the same round trip
--
-- Returns {'ok', uses so far[, the field's value or nil]} or {'limited', ms until the window ends}.

local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {'limited', ttl}
end
local now = redis.call('INCR', KEYS[1])
if now == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if KEYS[2] then
  return {'ok', now, redis.call('HGET', KEYS[2], ARGV[3])}
end
return {'ok', now}
