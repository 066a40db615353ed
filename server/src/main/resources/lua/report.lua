-- Records one report atomically: per-reporter dedupe, counts, categories, decayed masses, networks,
-- index, change stream, report log and idempotent answer; then, for a reported call, the number's abuse-pattern
-- windows. All keys share the number's shard hash tag.
--
-- KEYS[1] num hash      KEYS[2] votes hash     KEYS[3] nets hash (per polarity and network: count|mass|ms)
-- KEYS[4] idempotency key
-- KEYS[5] shard index   KEYS[6] change stream  KEYS[7] report log stream  KEYS[8] the number's report log
-- KEYS[9] active votes by call time (zset reporter hash -> occurred ms)
-- KEYS[10] pattern window set (zset reporter hash -> call ms)   KEYS[11] window votes (reporter -> "cat|net")
-- ARGV[1] number        ARGV[2] reporter hash  ARGV[3] network hash  ARGV[4] category
-- ARGV[5] 1 if negative ARGV[6] occurred ms    ARGV[7] now ms        ARGV[8] half-life ms
-- ARGV[9] idempotency ttl ms (0: no key)       ARGV[10] request fingerprint
-- ARGV[11] report id    ARGV[12] retention ms  ARGV[13] change stream max length
-- ARGV[14] platform     ARGV[15] note          ARGV[16] pinned index score (overridden numbers)
-- ARGV[17] vote lifetime ms (the maximum report age)
-- ARGV[18] vote weight (1 for crowd reports; bulk imports weigh a source's vote)
-- ARGV[19] '1' to leave the number's report log alone (an imported entry is not a reported call)
-- ARGV[20] the vote's quorum weight (DESIGN.md rule 4: the reporter's maturity x caller verification, at most 1)
-- ARGV[21..27], only for reported calls (absent: the windows are left alone): longest window ms,
--   fan-out window ms, fan-out min reporters, fan-out min networks,
--   bombing window ms, bombing min reporters, bombing min networks
--
-- A vote record is "category|occurredMs|networkHash|platform|weight|quorum weight", with "|x" appended once it has
-- expired; records written before quorum weights lack the last field (their quorum weight is min(1, weight)).
--
-- The BLOCK quorum counts by weight: besides the distinct reporters and networks (negr, negnets), the record keeps
-- negq (the negative votes' quorum weights summed) and negnq (per network the average quorum weight of its negative
-- votes, summed: one network, one voice, and a stockpile of fresh tokens averages to a fresh token), and the same
-- for LEGITIMATE votes (legq, legnq). Records written before weights start them from their plain counts.
--
-- Returns {'replay', stored} for a repeated Idempotency-Key, else {'ok', reportId, counted} and, when the windows
-- were kept, '' then the number's record (HGETALL, for the caller to re-evaluate its verdict), or the error that
-- stopped the windows: the report stands either way (the windows are derived; a failure there costs the pattern
-- reasons until the next report, never the report).

local useIdem = ARGV[9] ~= '0'
if useIdem then
  local stored = redis.call('GET', KEYS[4])
  if stored then
    return {'replay', stored}
  end
end

local number, reporter, net, category = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local negative = ARGV[5] == '1'
local occurred = tonumber(ARGV[6])
local now = tonumber(ARGV[7])
local halfLife = tonumber(ARGV[8])
local retention = tonumber(ARGV[12])
local voteWeightText = ARGV[18] or '1'
local voteWeight = tonumber(voteWeightText) or 1

local h = redis.call('HMGET', KEYS[1], 'neg', 'leg', 'ref', 'reports', 'negr', 'legr', 'negnets', 'first', 'last',
  'legnets', 'ovr', 'negq', 'negnq', 'legq', 'legnq')
-- A record untouched for longer than the retention is gone for readers already; start it afresh, keeping an
-- operator override (overrides never age out).
local lastWrite = tonumber(h[3])
if lastWrite and now - lastWrite > retention then
  local o = redis.call('HMGET', KEYS[1], 'ovr', 'ovr_reason', 'ovr_at', 'ovr_by')
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[9])
  if o[1] then
    redis.call('HSET', KEYS[1], 'ovr', o[1], 'ovr_reason', o[2], 'ovr_at', o[3], 'ovr_by', o[4])
  end
  h = {false, false, false, false, false, false, false, false, false, false, o[1], false, false, false, false}
end
local neg = tonumber(h[1]) or 0
local leg = tonumber(h[2]) or 0
local ref = tonumber(h[3]) or now
local reports = tonumber(h[4]) or 0
local negr = tonumber(h[5]) or 0
local legr = tonumber(h[6]) or 0
local negnets = tonumber(h[7]) or 0
local legnets = tonumber(h[10]) or 0
local negq = tonumber(h[12]) or negr
local negnq = tonumber(h[13]) or negnets
local legq = tonumber(h[14]) or legr
local legnq = tonumber(h[15]) or legnets
local first = tonumber(h[8])
local last = tonumber(h[9])

-- Masses are kept referred to t; instances with slightly different clocks never move t backwards.
local t = math.max(ref, now)
local function weightAt(ms)
  if ms >= t then return 1 end
  return 2 ^ (-(t - ms) / halfLife)
end
local f = weightAt(ref)
neg = neg * f
leg = leg * f

-- category, occurred ms, network, platform, weight, quorum weight, expired (older records: no weight means 1, no
-- quorum weight means min(1, weight)).
local function parseVote(v)
  local p = {}
  for part in string.gmatch(v .. '|', '([^|]*)|') do
    p[#p + 1] = part
  end
  local expired = p[#p] == 'x'
  local weight = tonumber(p[5]) or 1
  local quorum = tonumber(p[6]) or math.min(1, weight)
  return p[1], p[2], p[3], p[4], weight, quorum, expired
end

-- One network, one voice: a network's votes of one polarity weigh their average, not their sum, so any number of
-- tokens from one /24 (or /48) moves a score no more than one reporter there would. The nets hash keeps, per
-- polarity ('n' negative, 'l' LEGITIMATE) and network, "count|mass|ms|quorum": the votes, the sum of their weights
-- decayed to ms, the sum of their quorum weights (not decayed: the quorum counts who reported, the score how long
-- ago; entries written before quorum weights lack it, and every vote there counted 1). The number's masses and
-- weighted network counts are the sums of those averages, kept up to date as a network's votes come and go.
local function netAdjust(pol, pnet, dCount, dMass, dQuorum)
  local field = pol .. ':' .. pnet
  local count, mass, at, qsum = 0, 0, t, 0
  local cur = redis.call('HGET', KEYS[3], field)
  if cur then
    local c, m, a, q = string.match(cur, '^([^|]*)|([^|]*)|([^|]*)|?(.*)$')
    count, mass, at = tonumber(c), tonumber(m), tonumber(a)
    qsum = tonumber(q) or count
  end
  mass = mass * weightAt(at)
  local before = count > 0 and mass / count or 0
  local qbefore = count > 0 and qsum / count or 0
  count = count + dCount
  mass = mass + dMass
  qsum = qsum + dQuorum
  if count <= 0 or mass < 1e-12 then mass = math.max(mass, 0) end
  if count <= 0 or qsum < 1e-12 then qsum = math.max(qsum, 0) end
  local after = count > 0 and mass / count or 0
  local qafter = count > 0 and math.min(1, qsum / count) or 0
  if pol == 'l' then
    leg = leg - before + after
    legnq = legnq - qbefore + qafter
  else
    neg = neg - before + after
    negnq = negnq - qbefore + qafter
  end
  if count <= 0 then
    redis.call('HDEL', KEYS[3], field)
  else
    redis.call('HSET', KEYS[3], field, count .. '|' .. string.format('%.17g', mass) .. '|' .. string.format('%d', t)
      .. '|' .. string.format('%.17g', qsum))
  end
  return count
end

-- Takes an active vote out of the masses and the quorum counts (category and platform counts are history).
local function takeOut(cat, occ, pnet, weight, quorum)
  local pw = weightAt(tonumber(occ)) * weight
  if cat == 'LEGITIMATE' then
    if netAdjust('l', pnet, -1, -pw, -quorum) <= 0 then
      legnets = legnets - 1
    end
    legr = legr - 1
    legq = legq - quorum
  else
    negr = negr - 1
    negq = negq - quorum
    if netAdjust('n', pnet, -1, -pw, -quorum) <= 0 then
      negnets = negnets - 1
    end
  end
end

-- Votes about calls older than the report age limit stop counting, in the masses and in the quorum: they are as
-- stale as a report the API would refuse, and a recycled number must not lend them to a new BLOCK.
local lifetime = tonumber(ARGV[17])
local stale = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', '(' .. string.format('%d', now - lifetime))
for _, r in ipairs(stale) do
  local v = redis.call('HGET', KEYS[2], r)
  if v then
    local scat, socc, snet, _, sweight, squorum, sexpired = parseVote(v)
    if not sexpired then
      takeOut(scat, socc, snet, sweight, squorum)
      redis.call('HSET', KEYS[2], r, v .. '|x')
    end
  end
  redis.call('ZREM', KEYS[9], r)
end

local counted = 1
local previous = redis.call('HGET', KEYS[2], reporter)
if previous then
  -- One reporter counts once per number: take the old vote out, then put the new one in.
  counted = 0
  local pcat, pocc, pnet, pplat, pweight, pquorum, pexpired = parseVote(previous)
  if not pexpired then
    takeOut(pcat, pocc, pnet, pweight, pquorum)
  end
  if redis.call('HINCRBY', KEYS[1], 'c:' .. pcat, -1) <= 0 then
    redis.call('HDEL', KEYS[1], 'c:' .. pcat)
  end
  if pplat and pplat ~= '' then
    if redis.call('HINCRBY', KEYS[1], 'p:' .. pplat, -1) <= 0 then
      redis.call('HDEL', KEYS[1], 'p:' .. pplat)
    end
  end
else
  reports = reports + 1
end

local quorumText = ARGV[20] or ''
local quorum = tonumber(quorumText)
if quorum == nil then
  quorum = math.min(1, voteWeight)
  quorumText = string.format('%.17g', quorum)
end
local w = weightAt(occurred) * voteWeight
if negative then
  negr = negr + 1
  negq = negq + quorum
  if netAdjust('n', net, 1, w, quorum) == 1 then
    negnets = negnets + 1
  end
else
  legr = legr + 1
  legq = legq + quorum
  if netAdjust('l', net, 1, w, quorum) == 1 then
    legnets = legnets + 1
  end
end
redis.call('HINCRBY', KEYS[1], 'c:' .. category, 1)
local platform = ARGV[14]
if platform ~= '' then
  redis.call('HINCRBY', KEYS[1], 'p:' .. platform, 1)
end

-- Float residue from subtracting a vote must not leave a ghost mass.
if neg < 1e-9 then neg = 0 end
if leg < 1e-9 then leg = 0 end
local function settle(x)
  if x < 1e-9 then return '0' end
  return string.format('%.17g', x)
end
if first == nil or occurred < first then first = occurred end
if last == nil or occurred > last then last = occurred end

redis.call('HSET', KEYS[1],
  'neg', string.format('%.17g', neg), 'leg', string.format('%.17g', leg), 'ref', string.format('%d', t),
  'reports', reports, 'negr', negr, 'legr', legr, 'negnets', negnets, 'legnets', legnets,
  'first', string.format('%d', first), 'last', string.format('%d', last),
  'negq', settle(negq), 'negnq', settle(negnq), 'legq', settle(legq), 'legnq', settle(legnq))
-- Platform names are normalised by the server and never contain '|'.
-- A vote remembers its weight, so replacing or expiring it takes out what it put in.
redis.call('HSET', KEYS[2], reporter, category .. '|' .. string.format('%d', occurred) .. '|' .. net .. '|' .. platform
  .. '|' .. voteWeightText .. '|' .. quorumText)
redis.call('ZADD', KEYS[9], occurred, reporter)

-- From t (never behind the record's reference time), so every key of the number expires together with it.
local expireAt = t + retention
local overridden = h[11] ~= false
if overridden then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIREAT', KEYS[1], expireAt)
end
redis.call('PEXPIREAT', KEYS[2], expireAt)
redis.call('PEXPIREAT', KEYS[9], expireAt)
-- The new vote left its network a count of at least 1, so the nets hash exists.
redis.call('PEXPIREAT', KEYS[3], expireAt)

-- Overridden numbers sit at the index's pinned score, which the retention trim never reaches. A number new to the
-- index is a change for the filters (range.lua does the same); one already listed is in every filter already.
if redis.call('ZADD', KEYS[5], overridden and ARGV[16] or now, number) == 1 then
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[13], '*', 'op', 'add', 'n', number)
end
redis.call('XADD', KEYS[7], 'MINID', '~', string.format('%d', now - retention), '*',
  'id', ARGV[11], 'n', number, 'r', reporter, 'net', net, 'c', category, 'o', string.format('%d', occurred),
  'at', string.format('%d', now), 'p', ARGV[14], 'note', ARGV[15], 'counted', counted)

-- The number's own history for evidence packs: when calls happened, what they were, no reporter identity.
if ARGV[19] ~= '1' then
  redis.call('XADD', KEYS[8], 'MAXLEN', '~', '10000', '*', 'c', category, 'o', string.format('%d', occurred),
    'p', platform, 'counted', counted)
  redis.call('PEXPIREAT', KEYS[8], expireAt)
end

local answer = ARGV[11] .. '|' .. counted
if useIdem then
  redis.call('SET', KEYS[4], ARGV[10] .. '|' .. answer, 'PX', ARGV[9])
end
if ARGV[21] == nil then
  return {'ok', ARGV[11], tostring(counted)}
end

-- The abuse-pattern windows: the number's CONTACT_HARASSMENT and SILENT calls, and until when each pattern holds
-- if no new report comes (written into the record, so a lookup ages them with the one HGETALL it does anyway).
local function keepWindows()
  local windowCall = category == 'CONTACT_HARASSMENT' or category == 'SILENT'
  if not windowCall and redis.call('EXISTS', KEYS[10]) == 0 then
    -- No calls in the windows and none to add: no pattern holds.
    redis.call('HDEL', KEYS[1], 'fan_until', 'bomb_until')
    return
  end
  local longest = tonumber(ARGV[21])
  -- Trim: calls older than the longest window never count again.
  local cutoff = '(' .. string.format('%d', now - longest)
  local old = redis.call('ZRANGEBYSCORE', KEYS[10], '-inf', cutoff)
  if #old > 0 then
    redis.call('HDEL', KEYS[11], unpack(old))
    redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', cutoff)
  end

  -- One reporter counts once per number: their latest report is their vote, in or out of the windows.
  if windowCall and occurred > now - longest then
    redis.call('ZADD', KEYS[10], occurred, reporter)
    redis.call('HSET', KEYS[11], reporter, category .. '|' .. net)
  else
    redis.call('ZREM', KEYS[10], reporter)
    redis.call('HDEL', KEYS[11], reporter)
  end

  -- Walking the calls newest first, the pattern first holds at the k-th call; it keeps holding until that call
  -- leaves the window: until = call time + window. Bounded walk: a window of a thousand victims is plenty.
  local function holdsUntil(cat, window, minReporters, minNetworks)
    local calls = redis.call('ZREVRANGEBYSCORE', KEYS[10], '+inf', '(' .. string.format('%d', now - window),
      'WITHSCORES', 'LIMIT', 0, 1000)
    local reporters, networks, seen = 0, 0, {}
    for i = 1, #calls, 2 do
      local v = redis.call('HGET', KEYS[11], calls[i])
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

  keep('fan_until', holdsUntil('CONTACT_HARASSMENT', tonumber(ARGV[22]), tonumber(ARGV[23]), tonumber(ARGV[24])))
  keep('bomb_until', holdsUntil('SILENT', tonumber(ARGV[25]), tonumber(ARGV[26]), tonumber(ARGV[27])))

  local windowsExpireAt = string.format('%d', now + longest)
  if redis.call('EXISTS', KEYS[10]) == 1 then
    redis.call('PEXPIREAT', KEYS[10], windowsExpireAt)
    redis.call('PEXPIREAT', KEYS[11], windowsExpireAt)
  end
end

local kept, failure = pcall(keepWindows)
if not kept then
  return {'ok', ARGV[11], tostring(counted), type(failure) == 'table' and tostring(failure.err) or tostring(failure)}
end
local reply = {'ok', ARGV[11], tostring(counted), ''}
local record = redis.call('HGETALL', KEYS[1])
for i = 1, #record do
  reply[4 + i] = record[i]
end
return reply
