-- Drops the entries of a shard's index whose last write is older than the cutoff (numbers past their retention,
-- ranges that lapsed), at most ARGV[2] of them, and tells the app filter feeds: one change entry per dropped entry,
-- op 'age-out', f 'rm' (feed/FilterFeed: a removal), so devices drop them from their filters with the next small
-- download instead of the next snapshot. Instances' own filters do not add them (filter/FilterFollowerVerticle);
-- their next rebuild leaves them out. Several instances may trim at once: only the one whose ZREM removed an entry
-- writes its change entry.
--
-- KEYS[1] shard index   KEYS[2] shard change stream
-- ARGV[1] cutoff ms (entries scored at or below it go)   ARGV[2] most entries to drop   ARGV[3] change stream max length
--
-- Returns {the number of entries dropped} (less than ARGV[2]: the shard is done).

local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local dropped = 0
for _, entry in ipairs(old) do
  if redis.call('ZREM', KEYS[1], entry) == 1 then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'op', 'age-out', 'n', entry, 'f', 'rm')
    dropped = dropped + 1
  end
end
return {dropped}
