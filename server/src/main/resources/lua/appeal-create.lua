-- Files an appeal, or joins the pending one about the same number, atomically with the limit counters. All keys
-- share the {appeals} hash tag.
--
-- KEYS[1] new appeal hash   KEYS[2] pending index (zset)   KEYS[3] network counter   KEYS[4] number counter
-- KEYS[5] the number's open-appeal pointer (string: the pending appeal's id)
-- KEYS[6] the hash of the appeal the caller found in the pointer (KEYS[1] again when it found none)
-- ARGV[1] new appeal id     ARGV[2] number (E.164)         ARGV[3] contact           ARGV[4] reason
-- ARGV[5] now ms            ARGV[6] limit per window       ARGV[7] window ms
-- ARGV[8] pending lifetime ms (an undecided appeal is deleted this long after it was filed)
-- ARGV[9] most statements one appeal takes (the first one included)
-- ARGV[10] the id the caller found in the pointer ('' for none)
--
-- The network limit applies to every filing; the number's limit only to opening a new appeal, never to joining
-- one: a vandal's appeals cannot lock the owner out, since the owner's statement joins the appeal they opened.
--
-- Returns {'ok', id}, {'joined', id}, {'limited', ms until the exhausted window ends}, {'full', id}, or
-- {'moved', id in the pointer now ('' for none)} when the pointer no longer names what the caller found: the caller
-- runs the script again with that appeal's key. A script touches only the keys it is given.

local now = tonumber(ARGV[5])
local limit = tonumber(ARGV[6])
local pendingMs = tonumber(ARGV[8])

-- Undecided appeals past their lifetime: their hashes expire by themselves; drop them from the review queue.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%d', now - pendingMs))

local function limited(key)
  local used = tonumber(redis.call('GET', key) or '0')
  if used < limit then
    return nil
  end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    -- A counter without expiry cannot come from this script; give it one rather than lock out forever.
    redis.call('PEXPIRE', key, ARGV[7])
    ttl = tonumber(ARGV[7])
  end
  return ttl
end

local function count(key)
  if redis.call('INCR', key) == 1 then
    redis.call('PEXPIRE', key, ARGV[7])
  end
end

local ttl = limited(KEYS[3])
if ttl then
  return {'limited', ttl}
end

local open = redis.call('GET', KEYS[5]) or ''
if open ~= ARGV[10] then
  return {'moved', open}
end
if open ~= '' and redis.call('HGET', KEYS[6], 'status') == 'pending' then
  local statements = tonumber(redis.call('HGET', KEYS[6], 'statements') or '1')
  if statements >= tonumber(ARGV[9]) then
    return {'full', open}
  end
  count(KEYS[3])
  local n = statements + 1
  redis.call('HSET', KEYS[6], 'statements', n, 'contact.' .. n, ARGV[3], 'reason.' .. n, ARGV[4],
    'created.' .. n, ARGV[5])
  return {'joined', open}
end

ttl = limited(KEYS[4])
if ttl then
  return {'limited', ttl}
end
count(KEYS[3])
count(KEYS[4])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'number', ARGV[2], 'contact', ARGV[3], 'reason', ARGV[4],
  'status', 'pending', 'created', ARGV[5], 'statements', 1)
redis.call('PEXPIREAT', KEYS[1], now + pendingMs)
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
redis.call('SET', KEYS[5], ARGV[1])
redis.call('PEXPIREAT', KEYS[5], now + pendingMs)
return {'ok', ARGV[1]}
