-- Keeps one block of 100 numbers' record of BLOCKed members and publishes the block's filter entry ("R:" + block)
-- through the shard index and change stream once enough members are BLOCK. All keys share the entry's hash tag.
--
-- KEYS[1] block record (hash number -> until ms)   KEYS[2] shard index   KEYS[3] change stream
-- ARGV[1] entry ("R:+86138001380")  ARGV[2] number  ARGV[3] until when the number stays BLOCK (ms; 0: not BLOCK)
-- ARGV[4] now ms                    ARGV[5] members needed for the range   ARGV[6] change stream max length
--
-- Returns {members BLOCK now, 1 if this call published the entry}.

local now = tonumber(ARGV[4])
local untilMs = tonumber(ARGV[3])
if untilMs > now then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[2])
end

local members, latest = 0, 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local u = tonumber(all[i + 1])
  if u <= now then
    redis.call('HDEL', KEYS[1], all[i])
  else
    members = members + 1
    if u > latest then latest = u end
  end
end
if members == 0 then
  return {0, 0}
end
redis.call('PEXPIREAT', KEYS[1], string.format('%d', latest))

local published = 0
if members >= tonumber(ARGV[5]) then
  -- Refreshing the index score keeps the entry clear of the retention trim while the range holds.
  if redis.call('ZADD', KEYS[2], now, ARGV[1]) == 1 then
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'op', 'add', 'n', ARGV[1])
    published = 1
  end
end
return {members, published}
