-- Notes when an appeal about a number was first filed, in the number's record, only if the record exists (an appeal
-- of a range or prefix verdict has no votes to protect, and must not create a record). Votes cast since earn no
-- credit from operator decisions (ReporterTrust.decided; docs/trust.md).
--
-- KEYS[1] num hash   ARGV[1] the appeal's filing time ms
--
-- Returns {1} when it was noted now, else {0}.

if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0}
end
return {redis.call('HSETNX', KEYS[1], 'apl', ARGV[1])}
