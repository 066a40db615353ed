-- Adds, updates or removes entries of the operators' register of verified callers, atomically with one audit
-- entry per change. All keys share the register's hash tag. Instances learn of each change from the "V:" entry the
-- caller then adds to the number's shard change stream (VerifiedCallerStore).
--
-- KEYS[1] register hash (e164 -> entry JSON)   KEYS[2] register numbers (zset, score 0, read by lex for paging)
-- KEYS[3] register audit stream
-- ARGV[1] now ms   ARGV[2] actor   ARGV[3] reason (the request's, or the import's id)
-- ARGV[4..] triples: number, entry JSON ('' to remove), name (for the audit details)
--
-- Returns, per triple, 'added', 'updated', 'unchanged' (same name, category and note), 'removed' or 'absent'.

local now, actor, reason = ARGV[1], ARGV[2], ARGV[3]
local out = {}
for i = 4, #ARGV, 3 do
  local number, entry, name = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local old = redis.call('HGET', KEYS[1], number)
  if entry == '' then
    if old then
      redis.call('HDEL', KEYS[1], number)
      redis.call('ZREM', KEYS[2], number)
      local was = cjson.decode(old)
      redis.call('XADD', KEYS[3], '*', 'at', now, 'actor', actor, 'action', 'verified-caller.remove',
        'target', number, 'reason', reason, 'details', 'was ' .. tostring(was.name))
      out[#out + 1] = 'removed'
    else
      out[#out + 1] = 'absent'
    end
  else
    local outcome = 'added'
    local details = name
    if old then
      local was, new = cjson.decode(old), cjson.decode(entry)
      if was.name == new.name and was.category == new.category and was.note == new.note then
        outcome = 'unchanged'
      else
        outcome = 'updated'
        details = name .. ' (was ' .. tostring(was.name) .. ')'
      end
    end
    if outcome ~= 'unchanged' then
      redis.call('HSET', KEYS[1], number, entry)
      redis.call('ZADD', KEYS[2], 0, number)
      redis.call('XADD', KEYS[3], '*', 'at', now, 'actor', actor, 'action', 'verified-caller.set',
        'target', number, 'reason', reason, 'details', details)
    end
    out[#out + 1] = outcome
  end
end
return out
