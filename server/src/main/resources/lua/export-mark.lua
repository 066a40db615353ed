-- Records one page of an export's rows in the shard's snapshot and says which rows to write. All keys share
-- the shard's hash tag.
--
-- KEYS[1] this export's snapshot of the shard (number -> row hash)
-- KEYS[2] the previous export's snapshot of the shard (the since= version), or KEYS[1] when there is none
-- ARGV[1] snapshot ttl ms   ARGV[2] '1' when KEYS[2] is a previous snapshot, else '0'
-- ARGV[3], ARGV[4] ... pairs of number, row hash
--
-- Returns one integer per pair: 0 the number is already in this export (ZSCAN may return an element twice),
-- 1 new here but unchanged since the previous export, 2 new here and new or changed since the previous export.

local hasPrevious = ARGV[2] == '1'
local result = {}
for i = 3, #ARGV, 2 do
  local number, hash = ARGV[i], ARGV[i + 1]
  if redis.call('HSETNX', KEYS[1], number, hash) == 0 then
    result[#result + 1] = 0
  elseif hasPrevious and redis.call('HGET', KEYS[2], number) == hash then
    result[#result + 1] = 1
  else
    result[#result + 1] = 2
  end
end
if #ARGV > 2 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return result
