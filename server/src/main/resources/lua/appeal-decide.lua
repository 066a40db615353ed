-- Closes a pending appeal (allowed or rejected) exactly once, or reopens one whose decision could not be applied.
-- All keys share the {appeals} hash tag.
--
-- KEYS[1] appeal hash   KEYS[2] pending index   KEYS[3] index of the new status (allowed or rejected)
-- ARGV[1] new status ('allowed' | 'rejected' | 'pending' to reopen)   ARGV[2] actor (key id)   ARGV[3] note
-- ARGV[4] now ms        ARGV[5] retention of decided appeals, ms
-- ARGV[6] pending lifetime ms (a reopened appeal is deleted this long after it was first filed, as if never decided)
--
-- Returns {'ok', number, created ms}, {'absent', ''} or {'decided', current status}.

local id = redis.call('HGET', KEYS[1], 'id')
if not id then
  return {'absent', ''}
end
local status = redis.call('HGET', KEYS[1], 'status')
local now = tonumber(ARGV[4])

if ARGV[1] == 'pending' then
  -- Undo a decision whose effect (the override) failed, so an operator can decide again.
  redis.call('ZREM', KEYS[3], id)
  redis.call('HSET', KEYS[1], 'status', 'pending')
  redis.call('HDEL', KEYS[1], 'decidedBy', 'note', 'decided')
  local created = redis.call('HGET', KEYS[1], 'created')
  redis.call('PEXPIREAT', KEYS[1], tonumber(created) + tonumber(ARGV[6]))
  redis.call('ZADD', KEYS[2], created, id)
  return {'ok', redis.call('HGET', KEYS[1], 'number')}
end

if status ~= 'pending' then
  return {'decided', status}
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'decidedBy', ARGV[2], 'note', ARGV[3], 'decided', ARGV[4])
-- The appellant's contact is personal data: a decided appeal is deleted after the retention.
redis.call('PEXPIREAT', KEYS[1], now + tonumber(ARGV[5]))
redis.call('ZREM', KEYS[2], id)
redis.call('ZADD', KEYS[3], now, id)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. string.format('%d', now - tonumber(ARGV[5])))
return {'ok', redis.call('HGET', KEYS[1], 'number'), redis.call('HGET', KEYS[1], 'created')}
