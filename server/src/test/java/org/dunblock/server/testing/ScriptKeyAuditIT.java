package org.dunblock.server.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.ScriptOutputType;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The audit itself: it must catch a script reaching a key it was not given, and pass one that keeps to its KEYS. */
class ScriptKeyAuditIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();

  @Test
  void aScriptThatBuildsAKeyNameFailsTheTest() throws Exception {
    ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
    audit.beforeEach(null);
    redis.commands().set("dunblock:{t}:a:42", "x");
    redis.commands().eval("local other = string.gsub(KEYS[1], '[^:]+$', ARGV[1]) "
        + "redis.call('SET', KEYS[1], 'mine') return redis.call('GET', other)",
        ScriptOutputType.VALUE, new String[] {"dunblock:{t}:a:new"}, "42");
    AssertionError failed = assertThrows(AssertionError.class, () -> audit.afterEach(null));
    assertTrue(failed.getMessage().contains("GET dunblock:{t}:a:42: dunblock:{t}:a:42 is not among its KEYS "
        + "[dunblock:{t}:a:new]"), failed.getMessage());
    assertEquals(1, failed.getMessage().lines().count() - 1, failed.getMessage());
  }

  @Test
  void scriptsThatKeepToTheirKeysPassAndAreNamed() throws Exception {
    ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
    audit.beforeEach(null);
    redis.commands().eval("redis.call('HSET', KEYS[1], 'f', ARGV[1]) redis.call('ZADD', KEYS[2], 1, 'm') "
            + "return redis.call('TIME')",
        ScriptOutputType.MULTI, new String[] {"dunblock:{t}:h", "dunblock:{t}:z"}, "v \"quoted\" \u00e9\n");
    String sha = redis.commands().scriptLoad(org.dunblock.server.store.LuaScript.source("rate.lua"));
    redis.commands().evalsha(sha, ScriptOutputType.MULTI, new String[] {"dunblock:{t}:rl"}, "1", "60000", "5");
    assertDoesNotThrow(() -> audit.afterEach(null));
    assertEquals(Set.of("an inline script", "rate.lua"), audit.scriptsRun());
    assertEquals("v \"quoted\" \u00e9\n",
        ScriptKeyAudit.parse("+1.2 [0 lua] \"HSET\" \"k\" \"f\" \"v \\\"quoted\\\" \\xc3\\xa9\\n\"").get(4));
    assertEquals(List.of("127.0.0.1:5", "GET", "a b"), ScriptKeyAudit.parse("+1.2 [0 127.0.0.1:5] \"GET\" \"a b\""));
  }
}
