package org.dunblock.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisClusterClientsTest {
  @Test
  void onlyTheClusterSchemeSelectsTheClusterClient() {
    assertTrue(RedisClusterClients.isCluster("redis-cluster://10.0.0.1:6379"));
    assertTrue(RedisClusterClients.isCluster("REDIS-CLUSTER://10.0.0.1:6379"));
    assertFalse(RedisClusterClients.isCluster("redis://10.0.0.1:6379"));
    assertFalse(RedisClusterClients.isCluster("rediss://10.0.0.1:6379"));
  }

  @Test
  void everyListedNodeIsASeedWithTheSharedCredentials() {
    List<RedisURI> seeds =
        RedisClusterClients.seeds("redis-cluster://app:s3cret@redis-1:6379, redis-2:7000,redis-3:6379");
    assertEquals(List.of("redis-1:6379", "redis-2:7000", "redis-3:6379"),
        seeds.stream().map(u -> u.getHost() + ":" + u.getPort()).toList());
    for (RedisURI seed : seeds) {
      RedisCredentials credentials = seed.getCredentialsProvider().resolveCredentials().block();
      assertEquals("app", credentials.getUsername());
      assertEquals("s3cret", new String(credentials.getPassword()));
    }
  }

  @Test
  void aUrlWithoutNodesIsRefusedWithTheExpectedForm() {
    org.dunblock.server.config.ConfigException e = assertThrows(org.dunblock.server.config.ConfigException.class,
        () -> RedisClusterClients.seeds("redis-cluster://"));
    assertTrue(e.getMessage().contains("redis-cluster://host:port"), e.getMessage());
  }

  @Test
  void aPasswordWithASlashIsNotCutAtTheSlash() {
    // Percent-encoded, as Lettuce reads a password; the path cut no longer splits the credentials either.
    List<RedisURI> seeds = RedisClusterClients.seeds("redis-cluster://app:pa%2Fss@redis-1:6379,redis-2:6379");
    assertEquals(List.of("redis-1:6379", "redis-2:6379"),
        seeds.stream().map(u -> u.getHost() + ":" + u.getPort()).toList());
    assertEquals("pa/ss", new String(seeds.get(0).getCredentialsProvider().resolveCredentials().block()
        .getPassword()));
  }

  @Test
  void aMalformedUrlIsRefusedWithoutRepeatingItsPassword() {
    // Lettuce's own errors quote these URLs (a raw '/' in the password: "For input string: \"ret-pw@host:6379\"").
    for (String url : List.of("redis://:s3c/ret-pw@host:6379", "redis://:s3cret pw@host:6379", "redis://:s3cret-pw@",
        "redis-cluster://app:s3c/ret-pw@redis-1:6379", "redis-cluster://app:s3cret pw@redis-1:6379")) {
      org.dunblock.server.config.ConfigException e = assertThrows(org.dunblock.server.config.ConfigException.class,
          () -> ReputationStore.connect(null, java.time.Duration.ofSeconds(1), url), url);
      assertTrue(e.getMessage().startsWith("DUNBLOCK_REDIS_URL"), e.getMessage());
      assertFalse(e.getMessage().contains("s3c") || e.getMessage().contains("ret-pw"), e.getMessage());
      assertEquals(null, e.getCause(), "no cause whose message would quote the URL");
    }
  }
}
