package org.dunblock.server.keys;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dunblock.server.config.ConfigException;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;

/**
 * Minting, listing and revoking API keys, synchronously: used by the {@code keys} command line and by the server
 * at start (to seed DUNBLOCK_ADMIN_KEY), never on an event loop. Every change is appended to the keys audit stream
 * in the same script (the keys share one hash tag, so this works on a Redis Cluster too).
 *
 * <pre>
 * dunblock:{keys}:byhash  hash    sha256(key) -&gt; ApiKey JSON
 * dunblock:{keys}:byid    hash    key id -&gt; sha256(key)
 * dunblock:{keys}:audit   stream  who minted or revoked which key, when
 * </pre>
 */
public final class KeyRegistry {
  public static final String BY_HASH = KeySchema.KEYS_BY_HASH;
  public static final String BY_ID = KeySchema.KEYS_BY_ID;
  public static final String AUDIT = KeySchema.KEYS_AUDIT;
  public static final String SEED_LABEL = "seeded from DUNBLOCK_ADMIN_KEY";

  private static final String WRITE_SCRIPT = LuaScript.source("key-write.lua");

  private final RedisClusterCommands<String, String> redis;
  private final Clock clock;

  public KeyRegistry(RedisClusterCommands<String, String> redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** A freshly minted key: the secret is shown once, here, and never stored. */
  public record Minted(String secret, ApiKey key) {
  }

  public Minted create(Role role, String label, String actor) {
    return put(ApiKeySecrets.generate(), role, label, actor);
  }

  /**
   * Makes DUNBLOCK_ADMIN_KEY an admin key. Keys seeded before with another value are revoked, so rotating the
   * variable and restarting retires the old key. A revoked key is never brought back: when the variable holds a key
   * revoked before (with {@code keys revoke}, or by a rotation), start fails with a {@link ConfigException} naming
   * the key, before anything is changed.
   */
  public ApiKey seedAdmin(String secret) {
    String hash = ApiKeySecrets.hash(secret);
    String existing = redis.hget(BY_HASH, hash);
    if (existing != null && !ApiKey.fromJson(existing).active()) {
      ApiKey key = ApiKey.fromJson(existing);
      throw new ConfigException("DUNBLOCK_ADMIN_KEY", "holds API key " + key.id() + ", which was revoked at "
          + key.revokedAt() + "; a revoked key stays revoked. Set DUNBLOCK_ADMIN_KEY to a new key (at least "
          + DunblockConfig.MIN_ADMIN_KEY_LENGTH + " characters) or unset it");
    }
    for (ApiKey key : list()) {
      if (key.active() && SEED_LABEL.equals(key.label()) && !key.id().equals(ApiKeySecrets.idOf(hash))) {
        revoke(key.id(), "startup", "DUNBLOCK_ADMIN_KEY changed");
      }
    }
    if (existing != null) {
      return ApiKey.fromJson(existing);
    }
    return put(secret, Role.ADMIN, SEED_LABEL, "startup").key();
  }

  private Minted put(String secret, Role role, String label, String actor) {
    String hash = ApiKeySecrets.hash(secret);
    ApiKey key = new ApiKey(ApiKeySecrets.idOf(hash), role, label == null ? "" : label, clock.instant(), null);
    write(hash, key, true, actor, "key.create", "role " + role.wire() + (label == null ? "" : ", label " + label));
    return new Minted(secret, key);
  }

  public List<ApiKey> list() {
    List<ApiKey> keys = new ArrayList<>();
    for (Map.Entry<String, String> e : redis.hgetall(BY_HASH).entrySet()) {
      keys.add(ApiKey.fromJson(e.getValue()));
    }
    keys.sort(Comparator.comparing(ApiKey::createdAt));
    return keys;
  }

  /** Revokes a key by id; returns the revoked key, or empty when no such key exists. */
  public Optional<ApiKey> revoke(String id, String actor, String reason) {
    String hash = redis.hget(BY_ID, id);
    if (hash == null) {
      return Optional.empty();
    }
    ApiKey key = ApiKey.fromJson(redis.hget(BY_HASH, hash));
    if (!key.active()) {
      return Optional.of(key);
    }
    ApiKey revoked = key.revoked(clock.instant());
    write(hash, revoked, false, actor, "key.revoke", reason);
    return Optional.of(revoked);
  }

  /** Stores a key (and its id, when new) with its audit entry, atomically. */
  private void write(String hash, ApiKey key, boolean isNew, String actor, String action, String reason) {
    redis.<Long>eval(WRITE_SCRIPT, ScriptOutputType.INTEGER, new String[] {BY_HASH, BY_ID, AUDIT},
        hash, key.toJson().encode(), isNew ? key.id() : "", Long.toString(clock.millis()), actor, action, key.id(),
        reason == null ? "" : reason);
  }
}
