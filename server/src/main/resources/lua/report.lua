-- Records one report atomically: per-reporter dedupe, counts, categories, decayed masses, networks,
-- index, change stream, report log and idempotent answer; then, for a reported call, the number's abuse-pattern
-- windows. All keys share the number's shard hash tag.
--
-- KEYS[1] num hash      KEYS[2] votes hash     KEYS[3] network voices (zset, by lex; see "One network, one voice")
-- KEYS[4] idempotency key
-- KEYS[5] shard index   KEYS[6] change stream  KEYS[7] report log stream  KEYS[8] the number's report log
-- KEYS[9] active votes by call time (zset reporter hash -> occurred ms)
-- KEYS[10] pattern window set (zset reporter hash -> the report's arrival ms, see keepWindows)   KEYS[11] window votes (reporter -> "cat|net")
-- ARGV[1] number        ARGV[2] reporter hash  ARGV[3] network hash  ARGV[4] category
-- ARGV[5] 1 if negative ARGV[6] occurred ms    ARGV[7] now ms        ARGV[8] half-life ms
-- ARGV[9] idempotency ttl ms (0: no key)       ARGV[10] request fingerprint
-- ARGV[11] report id    ARGV[12] retention ms  ARGV[13] change stream max length
-- ARGV[14] platform     ARGV[15] note          ARGV[16] pinned index score (overridden numbers)
-- ARGV[17] vote lifetime ms (the maximum report age)
-- ARGV[18] vote weight (1 for crowd reports; bulk imports weigh a source's vote)
-- ARGV[19] '1' to leave the number's report log alone (an imported entry is not a reported call)
-- ARGV[20] the vote's quorum weight (DESIGN.md rule 4: the reporter's maturity x caller verification, at most 1)
-- ARGV[21] mode: '' stores the report; 'replay' only answers a stored Idempotency-Key, else {'limited'} and
--   nothing is written (the reporter's quota is spent: a retry may be answered, a new vote never stored);
--   'revote' stores the report only if it replaces this reporter's vote on the number, else {'limited'} and
--   nothing is written (the network's daily budget is spent: it is charged for new votes only)
-- ARGV[22] '1' if the reporter was past its first day when it cast this vote (operator confirmations credit only
--   such votes; docs/trust.md)
-- ARGV[23] the change entry's 'f' for app filters when the number is new to the index: 'add', or 'rm' for a number
--   whose lookup answers ALLOW whatever the crowd says (an emergency number: apps need not ask about it; the
--   instances' own filters add it either way, see override.lua)
-- ARGV[24..30], only for reported calls (absent: the windows are left alone): longest window ms,
--   fan-out window ms, fan-out min reporters, fan-out min networks,
--   bombing window ms, bombing min reporters, bombing min networks
--
-- Reporters cannot be identified from public answers (DESIGN.md rule 8): the vote's mass decays from the start of
-- the UTC day of its call, not from the call's instant (a public score that ticked at the call's exact age would date the call,
-- and so the reporter), and the pattern windows' ends are rounded up to the next UTC midnight for the same reason.
-- Exact call times stay in the vote records, the windows and the logs, which only operators see.
--
-- A vote record is "category|occurredMs|networkHash|platform|weight|quorum weight|cast ms|seasoned|mass key", with
-- "|x" appended once it has expired. Records written before quorum weights lack the last four fields (their quorum
-- weight is min(1, weight)), those written before cast times the last three (no cast time: no operator credit).
--
-- The BLOCK quorum counts by weight: besides the distinct reporters and networks (negr, negnets), the record keeps
-- negq (the negative votes' quorum weights summed) and negnq (per network the largest quorum weight of its negative
-- votes, summed: one network, one voice, the voice of its strongest reporter), and the same for LEGITIMATE votes
-- (legq, legnq). Records written before weights start them from their plain counts.
--
-- Returns {'replay', stored} for a repeated Idempotency-Key, {'limited'} when the mode refused to write, else
-- {'ok', reportId, counted} and, when the windows were kept, '' then the number's record (HGETALL, for the caller
-- to re-evaluate its verdict), or the error that stopped the windows: the report stands either way (the windows
-- are derived; a failure there costs the pattern reasons until the next report, never the report).

local mode = ARGV[21] or ''
local useIdem = ARGV[9] ~= '0'
if useIdem then
  local stored = redis.call('GET', KEYS[4])
  if stored then
    return {'replay', stored}
  end
end
if mode == 'replay' then
  return {'limited'}
end

local number, reporter, net, category = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local negative = ARGV[5] == '1'
local occurred = tonumber(ARGV[6])
local now = tonumber(ARGV[7])
local halfLife = tonumber(ARGV[8])
local retention = tonumber(ARGV[12])
local voteWeightText = ARGV[18] or '1'
local voteWeight = tonumber(voteWeightText) or 1
local seasonedText = ARGV[22] == '1' and '1' or '0'

local h = redis.call('HMGET', KEYS[1], 'neg', 'leg', 'ref', 'reports', 'negr', 'legr', 'negnets', 'first', 'last',
  'legnets', 'ovr', 'negq', 'negnq', 'legq', 'legnq', 'mday')
local lastWrite = tonumber(h[3])
local outlived = lastWrite and now - lastWrite > retention
if mode == 'revote' and (outlived or not redis.call('HGET', KEYS[2], reporter)) then
  -- A new vote for the network's spent budget: refused before anything is written.
  return {'limited'}
end
-- A record untouched for longer than the retention is gone for readers already; start it afresh, keeping an
-- operator override (overrides never age out).
if outlived then
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
-- A vote's mass decays from the start (UTC) of its call's day; see the header. Its mass at any later time is then
-- a function of that day and the time only, whenever the report arrived (the record's masses are referred to t and
-- decay from there alike), so neither the call's time of day nor the report's arrival shows in a score.
local DAY = 86400000
local function dayOf(ms)
  return ms - ms % DAY
end
local f = weightAt(ref)
neg = neg * f
leg = leg * f

-- A vote record's fields (older records: no weight means 1, no quorum weight means min(1, weight), no cast time,
-- seasoned flag or mass key means unknown).
local function parseVote(v)
  local p = {}
  for part in string.gmatch(v .. '|', '([^|]*)|') do
    p[#p + 1] = part
  end
  local vote = {expired = p[#p] == 'x'}
  if vote.expired then
    p[#p] = nil
  end
  vote.cat, vote.occ, vote.net, vote.plat = p[1], tonumber(p[2]), p[3], p[4] or ''
  vote.weightText = (p[5] and p[5] ~= '') and p[5] or '1'
  vote.weight = tonumber(vote.weightText) or 1
  vote.quorum = tonumber(p[6] or '') or math.min(1, vote.weight)
  vote.quorumText = (p[6] and p[6] ~= '') and p[6] or string.format('%.17g', vote.quorum)
  vote.cast, vote.seasoned, vote.mkey = p[7] or '', p[8] or '', p[9]
  return vote
end

local function voteText(vote)
  return vote.cat .. '|' .. string.format('%d', vote.occ) .. '|' .. vote.net .. '|' .. vote.plat .. '|'
    .. vote.weightText .. '|' .. vote.quorumText .. '|' .. vote.cast .. '|' .. vote.seasoned .. '|' .. vote.mkey
end

-- One network, one voice: a network's votes of one polarity count as its strongest vote, in the score (the largest
-- decayed weight) and in the quorum (the largest quorum weight). So any number of tokens from one /24 (or /48)
-- count no more than one reporter there, and a vote added to a network never lowers its voice (a fresh token on an
-- established reporter's carrier NAT cannot water it down). KEYS[3] holds every active vote twice, by lex order
-- within its polarity and network: "m|<pol>|<net>|<mass key>|<reporter>" and "q|<pol>|<net>|<quorum>|<reporter>"
-- (pol 'n' negative, 'l' LEGITIMATE). The mass key log2(weight) + occurred / half-life orders votes by decayed
-- weight at any time (they all decay alike); it is kept in the vote record so the vote's members can be removed
-- exactly. The last member of a range is the network's strongest vote; its exact weights come from its vote record.
-- The number's masses and weighted network counts are the sums of the networks' voices, moved by the difference
-- each time a network's votes change. (Records written before kept a hash of per-network averages there: migrate()
-- rebuilds them once, on the first report after the upgrade.)
local function massKey(weight, occ)
  local w = weight > 0 and weight or 1e-300
  return string.format('%026.6f', 1e9 + math.log(w) / math.log(2) + dayOf(occ) / halfLife)
end

local function quorumKey(q)
  return string.format('%.6f', math.max(0, math.min(1, q)))
end

local function polOf(cat)
  return cat == 'LEGITIMATE' and 'l' or 'n'
end

local function members(r, vote)
  local group = polOf(vote.cat) .. '|' .. vote.net .. '|'
  return 'm|' .. group .. vote.mkey .. '|' .. r, 'q|' .. group .. quorumKey(vote.quorum) .. '|' .. r
end

-- The network's voice now: its strongest vote's decayed weight and quorum weight, and whether it has a vote.
local function voice(pol, pnet)
  local group = pol .. '|' .. pnet .. '|'
  local m = redis.call('ZREVRANGEBYLEX', KEYS[3], '[m|' .. group .. '~', '[m|' .. group, 'LIMIT', 0, 1)
  if #m == 0 then
    return 0, 0, false
  end
  local q = redis.call('ZREVRANGEBYLEX', KEYS[3], '[q|' .. group .. '~', '[q|' .. group, 'LIMIT', 0, 1)
  local mv = redis.call('HGET', KEYS[2], string.match(m[1], '([^|]*)$'))
  local qv = redis.call('HGET', KEYS[2], string.match(q[1], '([^|]*)$'))
  -- (Every member has its vote; a missing one would only mean a member left behind, which weighs nothing.)
  local mass = mv and weightAt(dayOf(parseVote(mv).occ)) * parseVote(mv).weight or 0
  return mass, qv and parseVote(qv).quorum or 0, true
end

-- Votes written before network voices were maxima: rebuild KEYS[3] (a hash of averages then) from the votes, give
-- every active vote its mass key, and recompute the masses and weighted network counts from the maxima.
local function migrate()
  redis.call('DEL', KEYS[3])
  local all = redis.call('HGETALL', KEYS[2])
  local best = {}
  neg, leg, negnq, legnq, negnets, legnets = 0, 0, 0, 0, 0, 0
  for i = 1, #all, 2 do
    local r, vote = all[i], parseVote(all[i + 1])
    if not vote.expired then
      vote.mkey = massKey(vote.weight, vote.occ)
      redis.call('HSET', KEYS[2], r, voteText(vote))
      local mm, qm = members(r, vote)
      redis.call('ZADD', KEYS[3], 0, mm, 0, qm)
      local group = polOf(vote.cat) .. '|' .. vote.net
      local b = best[group] or {0, 0}
      best[group] = {math.max(b[1], weightAt(dayOf(vote.occ)) * vote.weight), math.max(b[2], vote.quorum)}
    end
  end
  for group, b in pairs(best) do
    if string.sub(group, 1, 1) == 'l' then
      leg, legnq, legnets = leg + b[1], legnq + b[2], legnets + 1
    else
      neg, negnq, negnets = neg + b[1], negnq + b[2], negnets + 1
    end
  end
end
-- Records written before masses decayed from the call's day (no 'mday' field) hold sums of exact-time masses:
-- rebuilt once from their votes, or subtracting day-based voices from them would leave residues for ever.
if redis.call('TYPE', KEYS[3]).ok == 'hash' or (h[3] and not h[16]) then
  migrate()
end

-- The networks whose votes change, with their voice before the first change; settled at the end.
local touched, touchedOrder = {}, {}
local function touch(pol, pnet)
  local group = pol .. '|' .. pnet
  if not touched[group] then
    local mass, q, had = voice(pol, pnet)
    touched[group] = {pol, pnet, mass, q, had}
    touchedOrder[#touchedOrder + 1] = group
  end
end

-- Takes an active vote out of the voices and the quorum counts (category and platform counts are history).
local function takeOut(r, vote)
  touch(polOf(vote.cat), vote.net)
  if not vote.mkey or vote.mkey == '' then
    vote.mkey = massKey(vote.weight, vote.occ)
  end
  local mm, qm = members(r, vote)
  redis.call('ZREM', KEYS[3], mm, qm)
  if vote.cat == 'LEGITIMATE' then
    legr = legr - 1
    legq = legq - vote.quorum
  else
    negr = negr - 1
    negq = negq - vote.quorum
  end
end

-- Votes about calls older than the report age limit stop counting, in the masses and in the quorum: they are as
-- stale as a report the API would refuse, and a recycled number must not lend them to a new BLOCK. All the votes of
-- one call day go at the same moment, the midnight after that day plus the limit (rule 8: a vote leaving at its
-- call's exact age would date the call to whoever sends a report then and watches the counts).
local lifetime = tonumber(ARGV[17])
local stale = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', '(' .. string.format('%d', dayOf(now - lifetime)))
for _, r in ipairs(stale) do
  local v = redis.call('HGET', KEYS[2], r)
  if v then
    local vote = parseVote(v)
    if not vote.expired then
      takeOut(r, vote)
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
  local pvote = parseVote(previous)
  if not pvote.expired then
    takeOut(reporter, pvote)
  end
  if redis.call('HINCRBY', KEYS[1], 'c:' .. pvote.cat, -1) <= 0 then
    redis.call('HDEL', KEYS[1], 'c:' .. pvote.cat)
  end
  if pvote.plat ~= '' then
    if redis.call('HINCRBY', KEYS[1], 'p:' .. pvote.plat, -1) <= 0 then
      redis.call('HDEL', KEYS[1], 'p:' .. pvote.plat)
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
local platform = ARGV[14]
-- Platform names are normalised by the server and never contain '|'.
-- A vote remembers its weights and mass key, so replacing or expiring it takes out exactly what it put in.
local vote = {cat = category, occ = occurred, net = net, plat = platform, weightText = voteWeightText,
  weight = voteWeight, quorum = quorum, quorumText = quorumText, cast = string.format('%d', now),
  seasoned = seasonedText, mkey = massKey(voteWeight, occurred)}
touch(polOf(category), net)
local mm, qm = members(reporter, vote)
redis.call('ZADD', KEYS[3], 0, mm, 0, qm)
redis.call('HSET', KEYS[2], reporter, voteText(vote))
if negative then
  negr = negr + 1
  negq = negq + quorum
else
  legr = legr + 1
  legq = legq + quorum
end

-- Every network whose votes changed moves the sums by the change of its voice.
for _, group in ipairs(touchedOrder) do
  local before = touched[group]
  local mass, q, had = voice(before[1], before[2])
  local dn = (had and 1 or 0) - (before[5] and 1 or 0)
  if before[1] == 'l' then
    leg = leg - before[3] + mass
    legnq = legnq - before[4] + q
    legnets = legnets + dn
  else
    neg = neg - before[3] + mass
    negnq = negnq - before[4] + q
    negnets = negnets + dn
  end
end

redis.call('HINCRBY', KEYS[1], 'c:' .. category, 1)
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
  'negq', settle(negq), 'negnq', settle(negnq), 'legq', settle(legq), 'legnq', settle(legnq), 'mday', '1')
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
-- The new vote is in the network voices, so they exist.
redis.call('PEXPIREAT', KEYS[3], expireAt)

-- Overridden numbers sit at the index's pinned score, which the retention trim never reaches. A number new to the
-- index is a change for the filters (range.lua does the same); one already listed is in every filter already.
if redis.call('ZADD', KEYS[5], overridden and ARGV[16] or now, number) == 1 then
  redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[13], '*', 'op', 'add', 'n', number, 'f', ARGV[23])
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
if ARGV[24] == nil then
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
  local longest = tonumber(ARGV[24])
  -- The windows hold reports by their ARRIVAL, not by the calls' exact times (DESIGN.md rule 8): anyone may add a
  -- vote with a call time of their choosing, so a pattern that depended on other reporters' exact call times would
  -- let a collector probe them (its own vote completes the pattern or not). When a report arrives, whoever watches
  -- the number sees it anyway. The call's time counts at day precision only: a call of a day that reaches into the
  -- longest window (today, or yesterday for a 24-hour window) is eligible.
  -- Trim: reports that arrived before the longest window never count again.
  local cutoff = '(' .. string.format('%d', now - longest)
  local old = redis.call('ZRANGEBYSCORE', KEYS[10], '-inf', cutoff)
  if #old > 0 then
    redis.call('HDEL', KEYS[11], unpack(old))
    redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', cutoff)
  end

  -- One reporter counts once per number: their latest report is their vote, in or out of the windows.
  if windowCall and dayOf(occurred) + DAY > now - longest then
    redis.call('ZADD', KEYS[10], now, reporter)
    redis.call('HSET', KEYS[11], reporter, category .. '|' .. net)
  else
    redis.call('ZREM', KEYS[10], reporter)
    redis.call('HDEL', KEYS[11], reporter)
  end

  -- Walking the reports newest first, the pattern first holds at the k-th; it keeps holding until that report
  -- leaves the window: until = its arrival + window, rounded up to a midnight (so a reason's end says no more than
  -- the day). Bounded walk: a window of a thousand victims is plenty.
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
            return dayOf(tonumber(calls[i + 1]) + window) + DAY
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

  keep('fan_until', holdsUntil('CONTACT_HARASSMENT', tonumber(ARGV[25]), tonumber(ARGV[26]), tonumber(ARGV[27])))
  keep('bomb_until', holdsUntil('SILENT', tonumber(ARGV[28]), tonumber(ARGV[29]), tonumber(ARGV[30])))

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
