package org.dunblock.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.store.RedisClusterClients;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose files cannot run here (no container engine), so this checks that they fit the server: every
 * DUNBLOCK_ variable is one the server accepts (its own configuration parser reads them), the load balancer's
 * backends are the Dunblock services on their configured port and it trusts exactly the balancer's address, Redis
 * persists, and the cluster file forms the cluster its instances are pointed at. With docker-compose installed (CI)
 * each file also passes {@code docker-compose config -q}.
 */
class ComposeFilesTest {
  static final Path ROOT = Path.of("..");
  static final Path HAPROXY = ROOT.resolve("deploy/haproxy.cfg");
  static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z_]+):([-?])([^}]*)}");
  static final Pattern BACKEND = Pattern.compile("^\\s*server\\s+(\\S+)\\s+([^:\\s]+):(\\d+)", Pattern.MULTILINE);

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> services(String file) throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve(file)));
    return (Map<String, Map<String, Object>>) compose.get("services");
  }

  /** Compose's interpolation: {@code ${X:-default}} gives the default, {@code ${X:?message}} a value of ours. */
  static String interpolate(String value) {
    Matcher m = INTERPOLATION.matcher(value.replace("$$", "$"));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(2).equals("-") ? m.group(3)
          : "value-set-by-the-operator-0123456789"));
    }
    return m.appendTail(out).toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new HashMap<>();
    ((Map<String, Object>) service.getOrDefault("environment", Map.of()))
        .forEach((name, value) -> env.put(name, interpolate(String.valueOf(value))));
    return env;
  }

  static Map<String, Map<String, Object>> dunblockServices(Map<String, Map<String, Object>> services) {
    Map<String, Map<String, Object>> dunblock = new HashMap<>();
    services.forEach((name, service) -> {
      if ("dunblock-server:latest".equals(service.get("image"))) {
        dunblock.put(name, service);
      }
    });
    return dunblock;
  }

  @SuppressWarnings("unchecked")
  static String fixedAddress(Map<String, Object> service) {
    Map<String, Object> networks = (Map<String, Object>) service.get("networks");
    return (String) ((Map<String, Object>) networks.get("default")).get("ipv4_address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
  void dunblockInstancesAreConfiguredWithSettingsTheServerAccepts(String file) throws IOException {
    Map<String, Map<String, Object>> services = services(file);
    Map<String, Map<String, Object>> dunblock = dunblockServices(services);
    assertTrue(dunblock.size() >= 2, file + " runs at least two instances: " + dunblock.keySet());
    String balancer = fixedAddress(services.get("lb"));
    for (Map.Entry<String, Map<String, Object>> instance : dunblock.entrySet()) {
      Map<String, String> env = environment(instance.getValue());
      assertTrue(env.keySet().stream().allMatch(n -> n.startsWith("DUNBLOCK_")), env.keySet().toString());
      // The server's own parser: unknown DUNBLOCK_ names and a missing DUNBLOCK_SECRET fail here.
      DunblockConfig config = DunblockConfig.fromEnv(env);
      assertTrue(env.containsKey("DUNBLOCK_SECRET"), "every instance shares the secret");
      assertEquals(List.of(balancer), config.trustedProxies(), "instances believe X-Forwarded-For of the balancer");
      assertTrue(String.valueOf(instance.getValue().get("healthcheck"))
          .contains("http://127.0.0.1:" + config.http().port() + "/ready"), instance.getKey() + " health check");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
  void theBalancerSpreadsOverEveryInstanceOnItsPortAndChecksReadiness(String file) throws IOException {
    Map<String, Map<String, Object>> services = services(file);
    String haproxy = Files.readString(HAPROXY);
    Map<String, Integer> backends = new HashMap<>();
    Matcher m = BACKEND.matcher(haproxy);
    while (m.find()) {
      assertEquals(m.group(1), m.group(2), "backend named after its service");
      backends.put(m.group(2), Integer.parseInt(m.group(3)));
    }
    Map<String, Map<String, Object>> dunblock = dunblockServices(services);
    assertEquals(new TreeSet<>(dunblock.keySet()), new TreeSet<>(backends.keySet()));
    dunblock.forEach((name, service) -> assertEquals(DunblockConfig.fromEnv(environment(service)).http().port(),
        backends.get(name), name + " port"));
    assertTrue(haproxy.contains("option httpchk GET /ready"), "only ready instances get traffic");
    assertTrue(haproxy.contains("option forwardfor"), "instances see the client address");
    assertTrue(String.valueOf(services.get("lb").get("volumes")).contains("./deploy/haproxy.cfg:"));
    assertTrue(String.valueOf(services.get("lb").get("ports")).contains(":8080"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
  void redisPersistsAndIsTheOneTheInstancesUse(String file) throws IOException {
    Map<String, Map<String, Object>> services = services(file);
    Set<String> redisNodes = new TreeSet<>();
    services.forEach((name, service) -> {
      String command = String.valueOf(service.get("command"));
      if (command.contains("redis-server")) {
        assertTrue(command.contains("--appendonly, yes"), name + " keeps an append-only file");
        assertTrue(String.valueOf(service.get("volumes")).contains(":/data"), name + " keeps /data on a volume");
        redisNodes.add(name);
      }
    });
    for (Map<String, Object> instance : dunblockServices(services).values()) {
      String url = DunblockConfig.fromEnv(environment(instance)).redis().url().orElseThrow();
      List<RedisURI> seeds = RedisClusterClients.isCluster(url) ? RedisClusterClients.seeds(url)
          : List.of(RedisURI.create(url));
      for (RedisURI seed : seeds) {
        assertTrue(redisNodes.contains(seed.getHost()), seed.getHost() + " is a Redis service of " + file);
        assertEquals(6379, seed.getPort());
      }
    }
  }

  @SuppressWarnings("unchecked")
  @org.junit.jupiter.api.Test
  void theClusterFileFormsAClusterOfItsSixNodes() throws IOException {
    Map<String, Map<String, Object>> services = services("docker-compose.cluster.yml");
    List<String> nodes = new ArrayList<>();
    services.forEach((name, service) -> {
      if (String.valueOf(service.get("command")).contains("--cluster-enabled, yes")) {
        nodes.add(fixedAddress(service) + ":6379");
      }
    });
    assertEquals(6, nodes.size(), "three masters and three replicas");
    String init = String.join(" ", (List<String>) services.get("redis-cluster-init").get("command"));
    for (String node : nodes) {
      assertTrue(init.contains(node), "the init service names " + node);
    }
    assertTrue(init.contains("--cluster-replicas 1"), init);
    for (Map<String, Object> instance : dunblockServices(services).values()) {
      assertTrue(String.valueOf(instance.get("depends_on")).contains("redis-cluster-init"));
      assertTrue(RedisClusterClients.isCluster(environment(instance).get("DUNBLOCK_REDIS_URL")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker-compose.yml", "docker-compose.cluster.yml"})
  void dockerComposeAcceptsTheFile(String file) throws Exception {
    boolean installed = Files.isExecutable(Path.of("/usr/bin/docker-compose"))
        || Files.isExecutable(Path.of("/usr/local/bin/docker-compose"));
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(installed, "docker-compose is not installed (CI installs it)");
    }
    ProcessBuilder check = new ProcessBuilder("docker-compose", "-f", file, "config", "-q")
        .directory(ROOT.toFile()).redirectErrorStream(true);
    check.environment().put("DUNBLOCK_SECRET", "value-set-by-the-operator-0123456789");
    Process process = check.start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "docker-compose config finished");
    String output = new String(process.getInputStream().readAllBytes());
    assertEquals(0, process.exitValue(), output);
  }
}
