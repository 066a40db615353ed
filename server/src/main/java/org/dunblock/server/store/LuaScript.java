package org.dunblock.server.store;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A Lua script from {@code src/main/resources/lua/}, loaded once and run by EVALSHA. When Redis has forgotten it
 * (restart, SCRIPT FLUSH, a new cluster node) the NOSCRIPT error falls back to EVAL, which also caches it again.
 * On a Redis Cluster the load goes to every node and each run to the master of the script's keys' slot.
 */
public final class LuaScript {
  private final String name;
  private final String source;
  private final String sha;

  private LuaScript(String name, String source, String sha) {
    this.name = name;
    this.source = source;
    this.sha = sha;
  }

  /** Loads the script source from the classpath and registers it with Redis (blocking; call at start). */
  public static LuaScript load(String name, RedisClusterAsyncCommands<String, String> redis) {
    String source = source(name);
    String sha = LettuceFutures.awaitOrCancel(redis.scriptLoad(source), 30, TimeUnit.SECONDS);
    return new LuaScript(name, source, sha);
  }

  public CompletionStage<List<Object>> run(RedisClusterAsyncCommands<String, String> redis, String[] keys,
      String... args) {
    return redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
        .exceptionallyCompose(e -> {
          Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e;
          if (cause instanceof RedisNoScriptException) {
            return redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args);
          }
          return java.util.concurrent.CompletableFuture.failedFuture(cause);
        });
  }

  /** The text of a script in {@code lua/}, for the few synchronous callers that EVAL it themselves. */
  public static String source(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream("/lua/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing Lua script " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }
}
