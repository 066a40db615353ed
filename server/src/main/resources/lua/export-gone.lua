-- Finds the numbers of the previous export that this export no longer lists, each once. All keys share the
-- shard's hash tag.
--
-- KEYS[1] this export's snapshot of the shard   KEYS[2] set of numbers already written as removed
-- ARGV[1] ttl ms of the set   ARGV[2] ... numbers from the previous export's snapshot of the shard
--
-- Returns the numbers to write as removed.

local gone = {}
for i = 2, #ARGV do
  local number = ARGV[i]
  if redis.call('HEXISTS', KEYS[1], number) == 0 and redis.call('SADD', KEYS[2], number) == 1 then
    gone[#gone + 1] = number
  end
end
if #gone > 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
return gone
