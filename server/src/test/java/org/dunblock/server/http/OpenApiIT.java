package org.dunblock.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.ops.OpsApi;
import org.dunblock.server.reputation.Category;
import org.dunblock.server.reputation.Reasons;
import org.dunblock.server.reputation.Verdict;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

/** openapi.yaml describes exactly the routes the router serves, and is served itself. */
@ExtendWith(VertxExtension.class)
class OpenApiIT {
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  Api api() {
    return app.api();
  }

  DunblockServer server() {
    return app.server();
  }

  @Test
  void documentDescribesExactlyTheRoutesTheRouterServes() {
    Set<String> routed = new TreeSet<>();
    for (Route route : server().routes()) {
      String path = route.getPath();
      if (path == null) {
        continue; // catch-all handlers: request ids, failure handler
      }
      Set<HttpMethod> methods = route.methods();
      if (methods == null || methods.isEmpty()) {
        fail("Route " + path + " accepts every method; give it one so it can be documented");
      }
      String openApiPath = path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      for (HttpMethod method : methods) {
        routed.add(method.name().toUpperCase(Locale.ROOT) + " " + openApiPath);
      }
    }

    Set<String> documented = new TreeSet<>();
    Map<String, Object> paths = map(document(), "paths");
    paths.forEach((path, item) -> {
      if (!(item instanceof Map<?, ?> operations)) {
        throw new AssertionError("openapi.yaml: path " + path + " is not a mapping");
      }
      for (Object key : operations.keySet()) {
        if (HTTP_METHODS.contains(key)) {
          documented.add(((String) key).toUpperCase(Locale.ROOT) + " " + path);
        }
      }
    });

    Set<String> undocumented = new TreeSet<>(routed);
    undocumented.removeAll(documented);
    Set<String> notRouted = new TreeSet<>(documented);
    notRouted.removeAll(routed);
    assertTrue(undocumented.isEmpty() && notRouted.isEmpty(),
        "openapi.yaml and ApiRouter disagree.\n  routed but not in openapi.yaml: " + undocumented
            + "\n  in openapi.yaml but not routed: " + notRouted);
    assertTrue(routed.contains("GET /v1/numbers/{number}"), "sanity: " + routed);
  }

  @Test
  void documentIsServedAsYaml() {
    HttpResponse<Buffer> response = api().get("/openapi.yaml");
    assertEquals(200, response.statusCode());
    String type = response.getHeader("Content-Type");
    assertNotNull(type, "Content-Type");
    assertTrue(type.toLowerCase(Locale.ROOT).startsWith("application/yaml"), type);
    String served = response.bodyAsString(StandardCharsets.UTF_8.name());
    assertEquals(new String(OpsApi.openApiDocument(), StandardCharsets.UTF_8), served);
    Map<String, Object> parsed = new Yaml().load(served);
    assertEquals("3.1.0", String.valueOf(parsed.get("openapi")));
  }

  @Test
  void enumsMatchTheCode() {
    Map<String, Object> schemas = map(map(document(), "components"), "schemas");
    assertEquals(names(Category.values()), list(map(schemas, "Category"), "enum"),
        "Category enum in openapi.yaml");
    Map<String, Object> reputation = map(map(schemas, "Reputation"), "properties");
    assertEquals(names(Verdict.values()), list(map(reputation, "verdict"), "enum"), "verdict enum in openapi.yaml");
    assertEquals(new TreeSet<>(reasonCodes()), new TreeSet<>(list(map(map(reputation, "reasons"), "items"), "enum")),
        "reason codes in openapi.yaml vs Reasons");
  }

  @Test
  void everyReferenceResolves() {
    Map<String, Object> doc = document();
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertTrue(!refs.isEmpty(), "sanity: the document uses $ref");
    List<String> broken = new ArrayList<>();
    for (String ref : refs) {
      if (!ref.startsWith("#/")) {
        broken.add(ref + " (not local)");
        continue;
      }
      Object node = doc;
      for (String part : ref.substring(2).split("/")) {
        node = node instanceof Map<?, ?> m ? m.get(part.replace("~1", "/").replace("~0", "~")) : null;
      }
      if (node == null) {
        broken.add(ref);
      }
    }
    assertTrue(broken.isEmpty(), "unresolved $ref in openapi.yaml: " + broken);
  }

  private static void collectRefs(Object node, List<String> refs) {
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        if ("$ref".equals(k)) {
          refs.add(String.valueOf(v));
        } else {
          collectRefs(v, refs);
        }
      });
    } else if (node instanceof List<?> l) {
      l.forEach(v -> collectRefs(v, refs));
    }
  }

  private static List<String> reasonCodes() {
    List<String> codes = new ArrayList<>();
    for (Field f : Reasons.class.getDeclaredFields()) {
      int mod = f.getModifiers();
      if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && f.getType() == String.class) {
        try {
          codes.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    return codes;
  }

  private static List<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(Enum::name).collect(Collectors.toList());
  }

  private static Map<String, Object> document() {
    return new Yaml().load(new String(OpsApi.openApiDocument(), StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object node = parent.get(key);
    if (!(node instanceof Map)) {
      fail("openapi.yaml: '" + key + "' is not a mapping");
    }
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<String> list(Map<String, Object> parent, String key) {
    Object node = parent.get(key);
    if (!(node instanceof List)) {
      fail("openapi.yaml: '" + key + "' is not a list");
    }
    return ((List<Object>) node).stream().map(String::valueOf).collect(Collectors.toList());
  }
}
