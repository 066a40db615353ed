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
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

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
    return strictYaml().load(new String(OpsApi.openApiDocument(), StandardCharsets.UTF_8));
  }

  /**
   * A YAML parser that refuses duplicate keys (a lenient one keeps the last, silently dropping the first
   * definition) and leaves timestamps as the strings JSON clients see.
   */
  static Yaml strictYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Resolver noTimestamps = new Resolver() {
      @Override
      protected void addImplicitResolvers() {
        addImplicitResolver(Tag.BOOL, BOOL, "yYnNtTfFoO");
        addImplicitResolver(Tag.INT, INT, "-+0123456789");
        addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
        addImplicitResolver(Tag.MERGE, MERGE, "<");
        addImplicitResolver(Tag.NULL, NULL, "~nN\0");
        addImplicitResolver(Tag.NULL, EMPTY, null);
      }
    };
    DumperOptions dump = new DumperOptions();
    return new Yaml(new SafeConstructor(options), new Representer(dump), dump, options, noTimestamps);
  }

  private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  /** A JSON Schema for {@code schema} (an OpenAPI 3.1 schema object), its $refs resolved in the document. */
  private static Schema jsonSchema(Map<String, Object> document, Object schema) {
    JsonObject root = new JsonObject()
        .put("$schema", "https://json-schema.org/draft/2020-12/schema")
        .put("$ref", "#/$defs/target")
        .put("$defs", new JsonObject().put("target", schema))
        .put("components", document.get("components"));
    return SCHEMAS.getSchema(root.encode(), InputFormat.JSON);
  }

  private static List<String> problems(Map<String, Object> document, Object schema, Object value) {
    return jsonSchema(document, schema).validate(Json.encode(value), InputFormat.JSON).stream()
        .map(e -> e.toString()).collect(Collectors.toList());
  }

  /** Every example of a schema, a parameter or a media type, with where it is and the schema it must fit. */
  @SuppressWarnings("unchecked")
  private static void collectExamples(Object node, String at, List<Object[]> found) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> map = (Map<String, Object>) m;
      Object schema = map.get("schema");
      if (map.containsKey("example")) {
        // A schema's own example, or a media type's / parameter's example of its schema.
        Object target = schema != null ? schema : (map.containsKey("type") || map.containsKey("$ref")
            || map.containsKey("properties") || map.containsKey("oneOf") || map.containsKey("allOf")
            || map.containsKey("anyOf") ? withoutExample(map) : null);
        if (target != null) {
          found.add(new Object[] {at + "/example", target, map.get("example")});
        }
      }
      if (schema != null && map.get("examples") instanceof Map<?, ?> named) {
        named.forEach((name, ex) -> {
          if (ex instanceof Map<?, ?> e && e.containsKey("value")) {
            found.add(new Object[] {at + "/examples/" + name, schema, e.get("value")});
          }
        });
      }
      map.forEach((k, v) -> collectExamples(v, at + "/" + k, found));
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        collectExamples(l.get(i), at + "/" + i, found);
      }
    }
  }

  private static Map<String, Object> withoutExample(Map<String, Object> schema) {
    Map<String, Object> copy = new java.util.LinkedHashMap<>(schema);
    copy.remove("example");
    return copy;
  }

  /** The documented schema of {@code status} answers of {@code method path} in JSON. */
  @SuppressWarnings("unchecked")
  private static Object responseSchema(Map<String, Object> document, String method, String path, int status) {
    Map<String, Object> operation = map(map(map(document, "paths"), path), method);
    Object response = map(operation, "responses").get(Integer.toString(status));
    assertNotNull(response, method + " " + path + " documents no " + status);
    Map<String, Object> r = (Map<String, Object>) response;
    if (r.containsKey("$ref")) {
      String name = ((String) r.get("$ref")).substring("#/components/responses/".length());
      r = map(map(map(document, "components"), "responses"), name);
    }
    return map(map(map(r, "content"), "application/json"), "schema");
  }

  private void assertDocumented(Map<String, Object> document, String method, String path, HttpResponse<Buffer> real) {
    Object schema = responseSchema(document, method, path, real.statusCode());
    Object body = Json.decodeValue(real.bodyAsString());
    if (body instanceof JsonObject o) {
      body = o.getMap();
    } else if (body instanceof JsonArray a) {
      body = a.getList();
    }
    List<String> problems = problems(document, schema, body);
    assertTrue(problems.isEmpty(), method + " " + path + " " + real.statusCode() + " answered " + real.bodyAsString()
        + ", which the document does not allow: " + problems);
  }

  @Test
  void documentHasNoDuplicateKeys() {
    // document() parses strictly; a duplicate key (components.responses.StoreUnavailable twice) fails here.
    assertEquals("3.1.0", String.valueOf(document().get("openapi")));
  }

  @Test
  void everyExampleFitsItsSchema() {
    Map<String, Object> document = document();
    List<Object[]> examples = new ArrayList<>();
    collectExamples(document, "#", examples);
    assertTrue(examples.size() > 10, "sanity: " + examples.size() + " examples");
    List<String> wrong = new ArrayList<>();
    for (Object[] e : examples) {
      List<String> problems = problems(document, e[1], e[2]);
      if (!problems.isEmpty()) {
        wrong.add(e[0] + ": " + problems);
      }
    }
    assertTrue(wrong.isEmpty(), "examples that do not fit their schema:\n  " + String.join("\n  ", wrong));
  }

  @Test
  void realAnswersFitTheDocumentedSchemas() {
    Map<String, Object> document = document();
    String token = api().newToken();
    HttpResponse<Buffer> report = Api.await(api().request(HttpMethod.POST, "/v1/reports")
        .putHeader("Authorization", "Bearer " + token).putHeader("X-Forwarded-For", "203.0.113.1")
        .sendJsonObject(new JsonObject().put("number", "+8613800138000").put("category", "DEBT_COLLECTION")
            .put("platform", "QuickCash")));
    assertEquals(202, report.statusCode(), report.bodyAsString());
    assertDocumented(document, "post", "/v1/reports", report);
    assertDocumented(document, "get", "/v1/numbers/{number}", api().get("/v1/numbers/+8613800138000"));
    assertDocumented(document, "get", "/v1/numbers/{number}", api().get("/v1/numbers/+8613800138999"));
    assertDocumented(document, "get", "/v1/numbers/{number}", api().get("/v1/numbers/not-a-number"));
    assertDocumented(document, "post", "/v1/numbers/lookup", Api.await(api().request(HttpMethod.POST,
        "/v1/numbers/lookup").sendJsonObject(new JsonObject().put("numbers",
            new JsonArray().add("+8613800138000").add("13800138001")))));
    assertDocumented(document, "post", "/v1/reporters", Api.await(api().request(HttpMethod.POST, "/v1/reporters")
        .putHeader("X-Forwarded-For", "203.0.113.2").send()));
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
