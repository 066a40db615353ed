-- Takes one of an API key's export slots: at most ARGV[3] exports running at once and ARGV[4] started in any 24 h.
--
-- KEYS[1] the key's running exports: zset version -> end of its lease (ms); a lease ends on its own should the
--         instance running the export die, so a slot is never lost for good
-- KEYS[2] the key's exports of the last 24 h: zset version -> start (ms)
-- ARGV[1] now (ms)   ARGV[2] the new export's version   ARGV[3] max running   ARGV[4] max per 24 h
-- ARGV[5] lease (ms)
--
-- Returns {'ok'}, {'running', ms until the first lease ends} or {'daily', ms until the oldest start is 24 h old}.

local now = tonumber(ARGV[1])
local day = 86400000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - day)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {'running', tonumber(first[2]) - now}
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {'daily', tonumber(oldest[2]) + day - now}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('PEXPIRE', KEYS[2], day)
return {'ok'}
