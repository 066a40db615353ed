package org.dunblock.server.store;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * The one Redis key schema (documented in docs/architecture.md): every key name is built here. Numbers are spread over {@link #SHARDS} shards; every key of a
 * shard carries the hash tag {@code {sNN}}, so a number's record, its votes, its networks, the shard's index and
 * change stream live in one Redis Cluster slot and one Lua script may touch them all atomically.
 *
 * <pre>
 * dunblock:{sNN}:num:&lt;e164&gt;     hash    reputation record (see NumberRecord)
 * dunblock:{sNN}:votes:&lt;e164&gt;   hash    reporter hash -&gt; "category|occurredMs|network hash|platform|weight|quorum|
 *                                         cast ms|seasoned|mass key" (report.lua's header)
 * dunblock:{sNN}:vt:&lt;e164&gt;      zset    active votes by call time, to expire them at the report age limit
 * dunblock:{sNN}:nets:&lt;e164&gt;    zset    network voices, by lex: every active vote as "m|pol|net|mass key|reporter" and
 *                                         "q|pol|net|quorum|reporter"; a network counts its strongest vote (one network,
 *                                         one voice). Records written before held a hash of per-network averages here,
 *                                         rebuilt by report.lua on their next report
 * dunblock:{sNN}:idem:&lt;hash&gt;     string  stored answer to a report, per reporter and Idempotency-Key
 * dunblock:{sNN}:index           zset    every listed number -&gt; last write (ms); feeds the filter and exports
 * dunblock:{sNN}:changes         stream  one entry per listed-number change; instances follow it
 * dunblock:{sNN}:reports         stream  every accepted report (hashed reporter and network only)
 * dunblock:{sNN}:log:&lt;e164&gt;    stream  the number's reports (category, call time, platform; no reporter)
 * dunblock:{sNN}:win:&lt;e164&gt;    zset    reporters whose CONTACT_HARASSMENT/SILENT call is in the pattern windows
 * dunblock:{sNN}:winv:&lt;e164&gt;   hash    reporter hash -&gt; "category|network hash" for the window set
 * dunblock:{sNN}:range:&lt;block&gt;  hash    BLOCKed numbers of a block of 100 -&gt; until when they stay BLOCK (ms)
 * dunblock:{plat:&lt;name&gt;}:agg      hash   a platform's evidence aggregates (counts, categories, days, hours)
 * dunblock:{plat:&lt;name&gt;}:victims  HLL    hashed reporters who named the platform
 * dunblock:{plat:&lt;name&gt;}:numbers  zset   numbers that named it -&gt; counted reports
 * dunblock:{plat:&lt;name&gt;}:seen     set    hashes of (reporter, number) already counted for it
 * dunblock:{sNN}:audit           stream  operator actions on the shard's numbers (who, when, why)
 * dunblock:{meta}:secret-fingerprint  string  HMAC fingerprint of the server secret (the secret is never stored)
 * dunblock:{sNN}:export:&lt;version&gt;       hash  an export's rows of the shard: number -&gt; row hash (for since=)
 * dunblock:{sNN}:export:&lt;version&gt;:gone  set   numbers already written as removed (dedupe while exporting)
 * dunblock:{meta}:export:&lt;version&gt;      hash  an export's filters, status, SHA-256 and signature
 * dunblock:{meta}:exports-running:&lt;key id&gt;  zset  a key's running exports: version -&gt; lease end (ms)
 * dunblock:{meta}:exports-day:&lt;key id&gt;      zset  a key's exports started in the last 24 h: version -&gt; start
 * dunblock:{meta}:export-signing-key   string  generated Ed25519 key (PKCS#8), unless DUNBLOCK_EXPORT_SIGNING_KEY
 * dunblock:{meta}:filter-checkpoint    hash    the last filter snapshot and the stream offsets it holds
 * dunblock:{r:&lt;hash&gt;}:trust          hash    a reporter's trust (see ReporterTrust)
 * dunblock:rl:&lt;what&gt;:&lt;who&gt;           string  a fixed-window limit's uses (see RateLimiter)
 * dunblock:{lkN}:rl:lookups:&lt;minute&gt;  hash  lookups in one minute of the clients in bucket N (0-15):
 *                                      keyed hash of the client -&gt; lookups (see LookupLimiter)
 * dunblock:{appeals}:...               appeals and their indexes and limits (see AppealStore)
 * dunblock:{keys}:byhash / byid / audit  API keys by hash and by id, and their audit stream (see KeyRegistry)
 * dunblock:{audit}:log                 stream  audit of actions that belong to no shard (imports, appeal decisions)
 * dunblock:{vcr}:callers   hash    register of verified callers: e164 -&gt; {"name","category","note","at","by"}
 * dunblock:{vcr}:numbers   zset    the register's numbers (score 0), read by lex to page through them
 * dunblock:{vcr}:audit     stream  admin changes to the register (who, when, why); read with the audit log
 * </pre>
 *
 * <p>Register changes also add {@code "V:" + e164} to the number's shard change stream ({@link #VERIFIED_ENTRY}):
 * every instance follows those streams and re-reads the entry, so each instance's copy of the register follows.
 */
public final class KeySchema {
  /** Fixed forever: changing it would move numbers between shards. */
  public static final int SHARDS = 16;
  public static final String PREFIX = "dunblock:";
  /** A keyed fingerprint of the server secret (never the secret), to refuse starting with a different one. */
  public static final String SECRET_FINGERPRINT = PREFIX + "{meta}:secret-fingerprint";
  public static final String EXPORT_SIGNING_KEY = PREFIX + "{meta}:export-signing-key";
  /**
   * Index score of numbers under an operator override: far beyond any timestamp, so the retention trim (which
   * removes entries older than a cut-off) never drops them from the index or the filter.
   */
  public static final double PINNED_INDEX_SCORE = 9.0e15;
  /** {@link #PINNED_INDEX_SCORE} as Lua scripts take it. */
  public static final String PINNED_INDEX_SCORE_TEXT = String.format("%.0f", PINNED_INDEX_SCORE);

  private KeySchema() {
  }

  /**
   * Index and filter entries of operator prefix overrides are "P:" + the prefix ("P:+86138001"): they live in the
   * shard machinery like numbers (record, index, change stream, audit), so every filter and export follows them.
   */
  public static final String PREFIX_ENTRY = "P:";

  public static String prefixEntry(String prefix) {
    return PREFIX_ENTRY + prefix;
  }

  public static boolean isPrefixEntry(String entry) {
    return entry.startsWith(PREFIX_ENTRY);
  }

  /**
   * Index and filter entries of automatic ranges are "R:" + the block (a number without its last two digits,
   * "R:+86138001380"), published in the shard of the entry once enough numbers of the block are BLOCK.
   */
  public static final String RANGE_ENTRY = "R:";
  /** Numbers shorter than this (E.164 with '+') form no ranges: a block of short service numbers is many owners. */
  public static final int RANGE_MIN_NUMBER_LENGTH = 11;

  /** The block of 100 a number belongs to, or null when the number is too short to form ranges. */
  public static String rangeBlock(String e164) {
    return e164.length() < RANGE_MIN_NUMBER_LENGTH ? null : e164.substring(0, e164.length() - 2);
  }

  public static String rangeEntry(String block) {
    return RANGE_ENTRY + block;
  }

  /** The block record, in the slot of its index entry so one script updates both with the change stream. */
  public static String range(String block) {
    return tag(shardOf(rangeEntry(block))) + "range:" + block;
  }

  /** The register of verified callers (protect/VerifiedCallerStore); one slot, so one script writes it audited. */
  public static final String VERIFIED_CALLERS = PREFIX + "{vcr}:callers";
  public static final String VERIFIED_CALLER_NUMBERS = PREFIX + "{vcr}:numbers";
  public static final String VERIFIED_CALLER_AUDIT = PREFIX + "{vcr}:audit";
  /**
   * Change-stream (and so filter) entries of register changes are "V:" + the number ("V:+8695588"): they tell every
   * instance to re-read the number's register entry. A "V:" entry in a filter only costs a bit of it.
   */
  public static final String VERIFIED_ENTRY = "V:";

  public static String verifiedEntry(String e164) {
    return VERIFIED_ENTRY + e164;
  }

  /**
   * Whether a change-stream entry is a register change: the instances' own filters follow them, no app feed or
   * export may show them (the register is admin-only; docs/trust.md).
   */
  public static boolean isVerifiedEntry(String entry) {
    return entry.startsWith(VERIFIED_ENTRY);
  }

  public static String windows(String e164) {
    return tag(shardOf(e164)) + "win:" + e164;
  }

  public static String windowVotes(String e164) {
    return tag(shardOf(e164)) + "winv:" + e164;
  }

  public static int shardOf(String e164) {
    return Math.floorMod(Hashing.murmur3_32_fixed().hashString(e164, StandardCharsets.UTF_8).asInt(), SHARDS);
  }

  /** Every shard's key prefix, built once: a report names eleven keys. */
  private static final String[] TAGS = new String[SHARDS];

  static {
    for (int shard = 0; shard < SHARDS; shard++) {
      TAGS[shard] = PREFIX + "{s" + (shard < 10 ? "0" : "") + shard + "}:";
    }
  }

  static String tag(int shard) {
    return TAGS[shard];
  }

  /**
   * The key families a near cache keeps (number records, prefix-override records, range blocks), as prefixes for
   * Redis's broadcast tracking: one pair per shard.
   */
  public static java.util.List<String> cachedPrefixes() {
    java.util.List<String> prefixes = new java.util.ArrayList<>();
    for (int shard = 0; shard < SHARDS; shard++) {
      prefixes.add(tag(shard) + "num:");
      prefixes.add(tag(shard) + "range:");
    }
    return prefixes;
  }

  public static String number(String e164) {
    return tag(shardOf(e164)) + "num:" + e164;
  }

  public static String votes(String e164) {
    return tag(shardOf(e164)) + "votes:" + e164;
  }

  public static String voteTimes(String e164) {
    return tag(shardOf(e164)) + "vt:" + e164;
  }

  public static String numberLog(String e164) {
    return tag(shardOf(e164)) + "log:" + e164;
  }

  /**
   * Keys of one lending platform's evidence aggregates (normalised name). They carry the platform's own hash tag,
   * so they cannot share a slot with the numbers that name the platform: they are derived, updated after the
   * report by a second script.
   */
  public static String platform(String normalizedName, String part) {
    return PREFIX + "{plat:" + normalizedName + "}:" + part;
  }

  public static String networks(String e164) {
    return tag(shardOf(e164)) + "nets:" + e164;
  }

  public static String idempotency(String e164, String keyHash) {
    return tag(shardOf(e164)) + "idem:" + keyHash;
  }

  public static String index(int shard) {
    return tag(shard) + "index";
  }

  public static String changes(int shard) {
    return tag(shard) + "changes";
  }

  public static String audit(int shard) {
    return tag(shard) + "audit";
  }

  public static String reports(int shard) {
    return tag(shard) + "reports";
  }

  public static String exportRows(int shard, String version) {
    return tag(shard) + "export:" + version;
  }

  public static String exportGone(int shard, String version) {
    return tag(shard) + "export:" + version + ":gone";
  }

  public static String exportsRunning(String keyId) {
    return PREFIX + "{meta}:exports-running:" + keyId;
  }

  public static String exportsOfDay(String keyId) {
    return PREFIX + "{meta}:exports-day:" + keyId;
  }

  public static String exportMeta(String version) {
    return PREFIX + "{meta}:export:" + version;
  }

  /** The filter checkpoint; a new one is written under a temporary name and renamed over it. */
  public static final String FILTER_CHECKPOINT = PREFIX + "{meta}:filter-checkpoint";

  /** API keys: key hash -&gt; key (JSON), id -&gt; key hash, and the stream of key changes. One slot. */
  public static final String KEYS_BY_HASH = PREFIX + "{keys}:byhash";
  public static final String KEYS_BY_ID = PREFIX + "{keys}:byid";
  public static final String KEYS_AUDIT = PREFIX + "{keys}:audit";

  /** Audit stream for actions that belong to no number shard (appeal decisions, imports). */
  public static final String AUDIT_OTHER = PREFIX + "{audit}:log";

  /** The hash tag of a reporter's keys: their trust, and their report quota (so one script reads both). */
  public static String reporterTag(String reporterHash) {
    return "{r:" + reporterHash + "}";
  }

  public static String reporterTrust(String reporterHash) {
    return PREFIX + reporterTag(reporterHash) + ":trust";
  }

  /** A fixed-window limit's counter: {@code who} is a keyed hash, possibly wrapped in a hash tag. */
  public static String rateLimit(String what, String who) {
    return PREFIX + "rl:" + what + ":" + who;
  }

  /** Buckets of lookup clients' counters: each a hash a minute, in its own slot. */
  public static final int LOOKUP_COUNTER_BUCKETS = 16;

  /**
   * The hash holding the lookup counters of one window (the minute's number) for the clients whose keyed hash falls
   * in {@code bucket} (0 to {@link #LOOKUP_COUNTER_BUCKETS} - 1); each client's counter is the field of its hash.
   */
  public static String lookupCounters(int bucket, long window) {
    return PREFIX + "{lk" + bucket + "}:rl:lookups:" + window;
  }

  private static final String APPEALS = PREFIX + "{appeals}:";

  public static String appeal(String id) {
    return APPEALS + "a:" + id;
  }

  /** The index of appeals in one status ({@code pending}, {@code allowed}, {@code rejected}). */
  public static String appeals(String status) {
    return APPEALS + status;
  }

  /** Appeals from one client network (keyed hash) in the current hour. */
  public static String appealsFromNetwork(String networkHash) {
    return APPEALS + "rl:net:" + networkHash;
  }

  /** The pending appeal about one number, if any (its id; further appeals about the number join it). */
  public static String openAppeal(String e164) {
    return APPEALS + "open:" + e164;
  }

  /** Appeals about one number in the current hour. */
  public static String appealsAboutNumber(String e164) {
    return APPEALS + "rl:num:" + e164;
  }
}
