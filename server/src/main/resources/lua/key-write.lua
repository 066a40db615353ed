-- One API key change and its audit entry, atomically (the keys share the {keys} hash tag: one cluster slot).
-- KEYS: byhash, byid, audit
-- ARGV: key hash, key JSON, key id to index ("" when the key exists already), at (ms), actor, action, target, reason
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
end
redis.call('XADD', KEYS[3], '*', 'at', ARGV[4], 'actor', ARGV[5], 'action', ARGV[6], 'target', ARGV[7],
  'reason', ARGV[8])
return 1
