-- Moves a number's settled crowd outcome from one state to another exactly once, however many instances see the
-- change at the same time: reporters' trust is adjusted only by the instance that wins.
--
-- KEYS[1] num hash (field tc: '' none yet, BLOCK when the crowd blocked it, ALLOW when counter-votes overturned that)
-- ARGV[1] expected current state   ARGV[2] new state
--
-- Returns 1 when this call made the move, else 0.

local current = redis.call('HGET', KEYS[1], 'tc') or ''
if current ~= ARGV[1] then
  return {0}
end
redis.call('HSET', KEYS[1], 'tc', ARGV[2])
return {1}
