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
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisClusterClients.seeds("redis-cluster://"));
    assertTrue(e.getMessage().contains("redis-cluster://host:port"), e.getMessage());
  }
}
