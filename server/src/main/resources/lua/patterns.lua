-- Keeps a number's abuse-pattern windows after report.lua has recorded a report, and writes into the number's
-- record until when each pattern holds if no new report comes, so a lookup ages them with one HGETALL.
-- All keys share the number's shard hash tag. Runs separately from report.lua on purpose: the vote arithmetic
-- there stays untouched, and a failure here costs a WARN hint, never a report.
--
-- KEYS[1] num hash      KEYS[2] window set (zset reporter hash -> call ms)  KEYS[3] window votes (reporter -> "cat|net")
-- ARGV[1] reporter hash ARGV[2] network hash  ARGV[3] category  ARGV[4] call ms  ARGV[5] now ms
-- ARGV[6] longest window ms
-- ARGV[7] fan-out window ms   ARGV[8] fan-out min reporters   ARGV[9] fan-out min networks
-- ARGV[10] bombing window ms  ARGV[11] bombing min reporters  ARGV[12] bombing min networks
--
-- Returns the number's record (HGETALL), for the caller to re-evaluate the number's verdict.

local reporter, net, category = ARGV[1], ARGV[2], ARGV[3]
local occurred, now, longest = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])

-- Trim: calls older than the longest window never count again.
local cutoff = '(' .. string.format('%d', now - longest)
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', cutoff)
if #old > 0 then
  redis.call('HDEL', KEYS[3], unpack(old))
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', cutoff)
end

-- One reporter counts once per number: their latest report is their vote, in or out of the windows.
if (category == 'CONTACT_HARASSMENT' or category == 'SILENT') and occurred > now - longest then
  redis.call('ZADD', KEYS[2], occurred, reporter)
  redis.call('HSET', KEYS[3], reporter, category .. '|' .. net)
else
  redis.call('ZREM', KEYS[2], reporter)
  redis.call('HDEL', KEYS[3], reporter)
end

-- Walking the calls newest first, the pattern first holds at the k-th call; it keeps holding until that call
-- leaves the window: until = call time + window. Bounded walk: a window of a thousand victims is plenty.
local function holdsUntil(cat, window, minReporters, minNetworks)
  local calls = redis.call('ZREVRANGEBYSCORE', KEYS[2], '+inf', '(' .. string.format('%d', now - window),
    'WITHSCORES', 'LIMIT', 0, 1000)
  local reporters, networks, seen = 0, 0, {}
  for i = 1, #calls, 2 do
    local v = redis.call('HGET', KEYS[3], calls[i])
    if v then
      local vcat, vnet = string.match(v, '^([^|]*)|(.*)$')
      if vcat == cat then
        reporters = reporters + 1
        if not seen[vnet] then
          seen[vnet] = true
          networks = networks + 1
        end
        if reporters >= minReporters and networks >= minNetworks then
          return tonumber(calls[i + 1]) + window
        end
      end
    end
  end
  return nil
end

local function keep(field, untilMs)
  if untilMs and untilMs > now then
    redis.call('HSET', KEYS[1], field, string.format('%d', untilMs))
  else
    redis.call('HDEL', KEYS[1], field)
  end
end

keep('fan_until', holdsUntil('CONTACT_HARASSMENT', tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])))
keep('bomb_until', holdsUntil('SILENT', tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])))

local expireAt = string.format('%d', now + longest)
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PEXPIREAT', KEYS[2], expireAt)
  redis.call('PEXPIREAT', KEYS[3], expireAt)
end
return redis.call('HGETALL', KEYS[1])
