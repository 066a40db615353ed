-- Counts one use against a fixed-window limit, unless the limit is already spent.
--
-- KEYS[1] the window's counter
-- ARGV[1] limit per window   ARGV[2] window length ms
-- Without KEYS[2], ARGV[3] may say 'peek' (only check the limit, count nothing) or 'charge' (count the use whatever
-- the limit: a use let through by an earlier peek; networks' report budgets are charged for new votes only).
-- KEYS[2] (optional) a hash in the counter's slot, read in the same round trip once the use is counted:
--   ARGV[3] 'name=value' to set field name to value unless it is set (HSETNX), or '' for none
--   ARGV[4] the hash's new expiry ms when ARGV[3] sets a field ('0': leave it)
--   ARGV[5..] the fields to read
--
-- Returns {'ok', uses so far[, the fields' values (nil when absent)...]} or {'limited', ms until the window ends}.

local only = not KEYS[2] and ARGV[3] or ''
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) and only ~= 'charge' then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {'limited', ttl}
end
if only == 'peek' then
  return {'ok', used}
end
local now = redis.call('INCR', KEYS[1])
if now == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if KEYS[2] then
  if ARGV[3] ~= '' then
    local name, value = string.match(ARGV[3], '^([^=]*)=(.*)$')
    redis.call('HSETNX', KEYS[2], name, value)
    if ARGV[4] ~= '0' then
      redis.call('PEXPIRE', KEYS[2], ARGV[4])
    end
  end
  local reply = {'ok', now}
  local values = redis.call('HMGET', KEYS[2], unpack(ARGV, 5))
  for i = 1, #values do
    reply[2 + i] = values[i]
  end
  return reply
end
return {'ok', now}
