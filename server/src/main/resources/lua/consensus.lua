-- Moves a number's settled outcome for reporter trust from one state to another exactly once, however many
-- instances see the change at the same time: reporters' trust is adjusted only by the call that wins.
--
-- KEYS[1] num hash; ARGV[1] the field ('tc': the crowd's outcome, '' -> BLOCK -> ALLOW and then final;
--                                      'tj': the last operator decision trust was moved for)
-- ARGV[2] expected current value ('*' for any value other than ARGV[3])   ARGV[3] new value
--
-- Returns {1} when this call made the move, else {0}.

local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if ARGV[2] == '*' then
  if current == ARGV[3] then
    return {0}
  end
elseif current ~= ARGV[2] then
  return {0}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return {1}
