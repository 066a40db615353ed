-- Sets or clears an operator override on one number, atomically with its index entry, the change stream every
-- instance follows and the shard's audit stream. All keys share the number's shard hash tag.
--
-- KEYS[1] num hash   KEYS[2] shard index   KEYS[3] change stream   KEYS[4] shard audit stream
-- ARGV[1] number     ARGV[2] verdict (ALLOW|BLOCK, or '' to clear)  ARGV[3] reason  ARGV[4] actor
-- ARGV[5] now ms     ARGV[6] retention ms  ARGV[7] change stream max length  ARGV[8] pinned index score
-- ARGV[9] who decides: 'admin' (the override API) or 'appeal' (an operator allowing an appeal)
-- ARGV[10] '1': refuse to replace a BLOCK an admin set (an operator who is not an admin allowing an appeal)
--
-- Returns {'set'|'cleared'|'absent'|'admin_decision', previous verdict or ''}; 'admin_decision' changed nothing.
--
-- The change entry's 'f' field tells app filters (feed/FilterFeed) what to do with the entry: 'rm' when a lookup of
-- it now answers ALLOW from the entry itself (an ALLOW override, or a clear that leaves no record), 'add' otherwise.
-- Instances' own filters add every entry whatever 'f' says (an ALLOW override is still a Redis record).

local number, verdict, reason, actor = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[5])
local previous = redis.call('HGET', KEYS[1], 'ovr') or ''
-- Overrides set before 'ovr_src' existed came from the override API, which only admins may use.
if ARGV[10] == '1' and previous == 'BLOCK' and (redis.call('HGET', KEYS[1], 'ovr_src') or 'admin') ~= 'appeal' then
  return {'admin_decision', previous}
end

local feed = 'add'
if verdict == '' then
  if previous == '' then
    return {'absent', ''}
  end
  redis.call('HDEL', KEYS[1], 'ovr', 'ovr_reason', 'ovr_at', 'ovr_by', 'ovr_src')
  local ref = tonumber(redis.call('HGET', KEYS[1], 'ref'))
  if ref then
    -- Back to crowd evidence only: it ages out like any other record.
    redis.call('PEXPIREAT', KEYS[1], ref + tonumber(ARGV[6]))
    redis.call('ZADD', KEYS[2], ref, number)
  else
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], number)
    feed = 'rm'
  end
else
  if verdict == 'ALLOW' then
    feed = 'rm'
  end
  redis.call('HSET', KEYS[1], 'ovr', verdict, 'ovr_reason', reason, 'ovr_at', ARGV[5], 'ovr_by', actor,
    'ovr_src', ARGV[9])
  redis.call('PERSIST', KEYS[1])
  redis.call('ZADD', KEYS[2], ARGV[8], number)
end

redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'op', verdict == '' and 'override-clear' or 'override', 'n', number,
  'f', feed)
redis.call('XADD', KEYS[4], '*', 'at', ARGV[5], 'actor', actor,
  'action', verdict == '' and 'override.clear' or 'override.set', 'target', number,
  'reason', reason, 'details', verdict == '' and ('was ' .. previous) or (verdict .. (previous ~= '' and (' (was ' .. previous .. ')') or '')))
return {verdict == '' and 'cleared' or 'set', previous}
