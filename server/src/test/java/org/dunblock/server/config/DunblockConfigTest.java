package org.dunblock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DunblockConfigTest {

  @Test
  void defaultsMatchTheDesign() {
    DunblockConfig c = DunblockConfig.fromEnv(Map.of());
    assertEquals(8080, c.http().port());
    assertTrue(c.redis().url().isEmpty());
    assertEquals(Path.of("./data"), c.redis().dataDir());
    assertEquals("CN", c.defaultRegion());
    assertEquals(10_000_000L, c.filter().expectedNumbers());
    assertEquals(0.001, c.filter().fpp());
    assertEquals(3, c.scoring().blockMinReporters());
    assertEquals(3, c.scoring().blockMinNetworks());
    assertEquals(Duration.ofDays(60), c.scoring().maxReportAge());
    assertEquals("everysec", c.redis().embeddedFsync());
  }

  @Test
  void environmentOverridesDefaults() {
    DunblockConfig c = DunblockConfig.fromEnv(Map.of(
        "DUNBLOCK_PORT", "9090",
        "DUNBLOCK_REDIS_URL", "redis://:pw@10.0.0.5:6379",
        "DUNBLOCK_SECRET", "0123456789abcdef0123",
        "DUNBLOCK_DEFAULT_REGION", "us",
        "DUNBLOCK_TRUSTED_PROXIES", "10.0.0.0/8, ::1",
        "DUNBLOCK_HALF_LIFE_DAYS", "7",
        "DUNBLOCK_BLOCK_MIN_NETWORKS", "4",
        // Twelve fresh victims must still reach a quorum of four: 12 x 0.4 = 4.8 (and eight fresh 3.2 stay short).
        "DUNBLOCK_FRESH_REPORTER_WEIGHT", "0.4",
        "DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY", "2000",
        "DUNBLOCK_EMBEDDED_REDIS_FSYNC", "ALWAYS"));
    assertEquals(9090, c.http().port());
    assertEquals("redis://:pw@10.0.0.5:6379", c.redis().url().orElseThrow());
    assertEquals("US", c.defaultRegion());
    assertEquals(List.of("10.0.0.0/8", "::1"), c.trustedProxies());
    assertEquals(Duration.ofDays(7), c.scoring().halfLife());
    assertEquals(4, c.scoring().blockMinNetworks());
    assertEquals(0.4, c.scoring().freshReporterWeight());
    assertEquals(2000, c.limits().reportsPerNetworkPerDay());
    assertEquals("always", c.redis().embeddedFsync());
  }

  @Test
  void policiesThatBreakTheWeightedQuorumOfRuleFourAreRefusedAtStart() {
    // Eight fresh networks would count 3.2 and score 0.615: they could block a clean number.
    ConfigException eight = assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_FRESH_REPORTER_WEIGHT", "0.4")));
    assertEquals("DUNBLOCK_FRESH_REPORTER_WEIGHT", eight.variable());
    assertTrue(eight.getMessage().contains("eight networks"), eight.getMessage());
    // Twelve fresh victims would count 2.4: an honest address-book explosion could not block.
    ConfigException twelve = assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_FRESH_REPORTER_WEIGHT", "0.2")));
    assertEquals("DUNBLOCK_FRESH_REPORTER_WEIGHT", twelve.variable());
    assertTrue(twelve.getMessage().contains("twelve"), twelve.getMessage());
    // A quorum of four networks with the default fresh weight: twelve fresh victims count 3.6.
    assertEquals("DUNBLOCK_FRESH_REPORTER_WEIGHT", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_BLOCK_MIN_NETWORKS", "4"))).variable());
    // Five established reporters on five networks at the lowest trust must block.
    assertEquals("DUNBLOCK_BLOCK_MIN_NETWORKS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_BLOCK_MIN_NETWORKS", "6"))).variable());
    assertEquals("DUNBLOCK_BLOCK_SCORE", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_BLOCK_SCORE", "0.7"))).variable());
    assertEquals("DUNBLOCK_REPORTER_MATURITY_DAYS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_REPORTER_MATURITY_DAYS", "1"))).variable());
    assertEquals("DUNBLOCK_FAILED_VERIFICATION_WEIGHT", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_FAILED_VERIFICATION_WEIGHT", "0"))).variable());
    assertEquals("DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY", "0"))).variable());
    assertEquals("DUNBLOCK_FANOUT_MIN_REPORTERS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_FANOUT_MIN_REPORTERS", "13"))).variable());
  }

  @Test
  void badValuesNameTheVariable() {
    assertEquals("DUNBLOCK_PORT", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_PORT", "eighty"))).variable());
    assertEquals("DUNBLOCK_TRUSTED_PROXIES", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_TRUSTED_PROXIES", "proxy.example"))).variable());
    assertEquals("DUNBLOCK_FILTER_FPP", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_FILTER_FPP", "2"))).variable());
    assertEquals("DUNBLOCK_EMBEDDED_REDIS_FSYNC", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_EMBEDDED_REDIS_FSYNC", "no"))).variable());
    assertEquals("DUNBLOCK_PROT", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_PROT", "80"))).variable());
  }

  @Test
  void settingsUnderWhichFiveReportersCouldNotBlockAreRefused() {
    assertEquals("DUNBLOCK_BLOCK_SCORE", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_BLOCK_SCORE", "0.9"))).variable());
    // A one-day half-life halves a day-old report: five of them score 0.556.
    assertEquals("DUNBLOCK_BLOCK_SCORE", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_HALF_LIFE_DAYS", "1", "DUNBLOCK_BLOCK_SCORE", "0.6"))).variable());
    assertEquals("DUNBLOCK_BLOCK_MIN_NETWORKS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_BLOCK_MIN_NETWORKS", "6"))).variable());
  }

  @Test
  void anExternalRedisNeedsASharedSecret() {
    assertEquals("DUNBLOCK_SECRET", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_REDIS_URL", "redis://10.0.0.5:6379"))).variable());
  }

  @Test
  void quorumCannotBeConfiguredBelowTheDesignFloor() {
    assertEquals("DUNBLOCK_BLOCK_MIN_REPORTERS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_BLOCK_MIN_REPORTERS", "1"))).variable());
  }

  @Test
  void descriptionHidesSecretsAndRedisPassword() {
    DunblockConfig c = DunblockConfig.fromEnv(Map.of(
        "DUNBLOCK_REDIS_URL", "redis://:hunter2hunter2@10.0.0.5:6379",
        "DUNBLOCK_SECRET", "supersecretvalue-123456"));
    String description = c.describe();
    assertFalse(description.contains("hunter2"), description);
    assertFalse(description.contains("supersecretvalue"), description);
  }

  @Test
  void theRecordAndItsPartsPrintNoSecretIfLogged() throws Exception {
    var pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    String signingKey = java.util.Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
    DunblockConfig c = DunblockConfig.fromEnv(Map.of(
        "DUNBLOCK_REDIS_URL", "redis://:hunter2hunter2@10.0.0.5:6379",
        "DUNBLOCK_SECRET", "supersecretvalue-123456",
        "DUNBLOCK_ADMIN_KEY", "admin-key-that-is-long-enough-42",
        "DUNBLOCK_EXPORT_SIGNING_KEY", signingKey));
    for (Object part : new Object[] {c, c.redis(), c.exports(), c.http()}) {
      String printed = part.toString();
      assertFalse(printed.contains("hunter2"), printed);
      assertFalse(printed.contains("supersecretvalue"), printed);
      assertFalse(printed.contains("admin-key-that-is-long-enough"), printed);
      assertFalse(printed.contains(signingKey.substring(0, 24)), printed);
    }
  }

  @Test
  void redisPasswordsWithAtOrSlashAreRedactedWhole() {
    for (String url : new String[] {"redis://:hunter2@hunter2@10.0.0.5:6379", "redis://default:hun/ter2@10.0.0.5:6379/0",
        "redis-cluster://:hunter2@h1:6379,h2:6379"}) {
      DunblockConfig c = DunblockConfig.fromEnv(Map.of("DUNBLOCK_REDIS_URL", url,
          "DUNBLOCK_SECRET", "supersecretvalue-123456"));
      for (String printed : new String[] {c.toString(), c.describe(), c.redis().toString()}) {
        assertFalse(printed.contains("hunter2") || printed.contains("hun/ter2") || printed.contains("ter2"), printed);
        assertTrue(printed.contains("10.0.0.5") || printed.contains("h1:6379"), printed);
      }
    }
  }

  @Test
  void trustedProxyRangesWiderThanASlash8OrSlash16AreRefused() {
    for (String wide : new String[] {"0.0.0.0/0", "10.0.0.0/7", "::/0", "2001:db8::/15"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_TRUSTED_PROXIES", "127.0.0.1, " + wide)), wide);
      assertEquals("DUNBLOCK_TRUSTED_PROXIES", e.variable());
      assertTrue(e.getMessage().contains(wide) && e.getMessage().contains("wider"), e.getMessage());
    }
    DunblockConfig ok = DunblockConfig.fromEnv(Map.of("DUNBLOCK_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/16, ::1"));
    assertEquals(List.of("10.0.0.0/8", "2001:db8::/16", "::1"), ok.trustedProxies());
  }

  @Test
  void appealLimitsAndRetentionAreConfigurable() {
    DunblockConfig defaults = DunblockConfig.fromEnv(Map.of());
    assertEquals(5, defaults.limits().appealsPerHour());
    assertEquals(Duration.ofDays(90), defaults.appealRetention());
    DunblockConfig c = DunblockConfig.fromEnv(Map.of("DUNBLOCK_APPEALS_PER_HOUR", "2",
        "DUNBLOCK_APPEAL_RETENTION_DAYS", "30"));
    assertEquals(2, c.limits().appealsPerHour());
    assertEquals(Duration.ofDays(30), c.appealRetention());
    assertEquals(c, c.mutate().build());
    assertEquals("DUNBLOCK_APPEALS_PER_HOUR", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_APPEALS_PER_HOUR", "0"))).variable());
    assertEquals("DUNBLOCK_APPEAL_RETENTION_DAYS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_APPEAL_RETENTION_DAYS", "0"))).variable());
  }

  @Test
  void abusePatternSettingsAreReadAndChecked() {
    assertEquals(PatternPolicy.defaults(), DunblockConfig.fromEnv(Map.of()).patterns());
    PatternPolicy p = DunblockConfig.fromEnv(Map.of("DUNBLOCK_FANOUT_MIN_REPORTERS", "5",
        "DUNBLOCK_FANOUT_WINDOW_MINUTES", "720", "DUNBLOCK_BOMBING_MIN_NETWORKS", "2",
        "DUNBLOCK_RANGE_MIN_BLOCKED", "10")).patterns();
    assertEquals(5, p.fanOutMinReporters());
    assertEquals(java.time.Duration.ofHours(12), p.fanOutWindow());
    assertEquals(2, p.bombingMinNetworks());
    assertEquals(10, p.rangeMinBlocked());
    assertEquals("DUNBLOCK_FANOUT_MIN_NETWORKS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_FANOUT_MIN_NETWORKS", "4"))).variable());
    assertEquals("DUNBLOCK_FANOUT_WINDOW_MINUTES", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_FANOUT_WINDOW_MINUTES", "2000"))).variable());
    assertEquals("DUNBLOCK_RANGE_MIN_BLOCKED", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_RANGE_MIN_BLOCKED", "100"))).variable());
  }

  @Test
  void connectionTimeoutsAndTheLookupLimitAreSettings() {
    DunblockConfig defaults = DunblockConfig.fromEnv(Map.of());
    assertEquals(Duration.ofSeconds(60), defaults.http().idleTimeout());
    assertEquals(Duration.ofSeconds(30), defaults.http().requestTimeout());
    assertEquals(600, defaults.limits().lookupsPerClientPerMinute());
    assertFalse(defaults.http().accessLog());
    assertTrue(defaults.http().tlsCert().isEmpty());
    DunblockConfig set = DunblockConfig.fromEnv(Map.of("DUNBLOCK_IDLE_TIMEOUT_SECONDS", "5",
        "DUNBLOCK_REQUEST_TIMEOUT_MS", "1500", "DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE", "0",
        "DUNBLOCK_ACCESS_LOG", "true"));
    assertEquals(Duration.ofSeconds(5), set.http().idleTimeout());
    assertEquals(Duration.ofMillis(1500), set.http().requestTimeout());
    assertEquals(0, set.limits().lookupsPerClientPerMinute());
    assertTrue(set.http().accessLog());
    assertEquals("DUNBLOCK_REQUEST_TIMEOUT_MS", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_REQUEST_TIMEOUT_MS", "0"))).variable());
    assertEquals("DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE", "-1"))).variable());
  }

  @Test
  void theImportLineBoundIsASettingWithAHundredMillionByDefault() {
    assertEquals(100_000_000, DunblockConfig.fromEnv(Map.of()).limits().importMaxLines());
    DunblockConfig set = DunblockConfig.fromEnv(Map.of("DUNBLOCK_IMPORT_MAX_LINES", "5000"));
    assertEquals(5000, set.limits().importMaxLines());
    assertEquals(5000, set.mutate().build().limits().importMaxLines());
    assertTrue(set.describe().contains("importMaxLines=5000"), set.describe());
    assertEquals("DUNBLOCK_IMPORT_MAX_LINES", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_IMPORT_MAX_LINES", "0"))).variable());
  }
}
