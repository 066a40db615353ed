package org.dunblock.server.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.dunblock.server.number.InvalidNumberException;
import org.dunblock.server.number.PhoneNumberNormalizer;

/**
 * A deterministic corpus of hostile HTTP requests, from a seed plus hand-written ones: numbers in every wrong shape,
 * wrong JSON, broken protocol. None of them may change stored data: every report and appeal carries at least one
 * defect, no request carries a valid API key.
 */
final class MalformedRequests {
  /** A request as bytes on the wire, what it is, and for lookups the answer it must get (null: an error). */
  record Malformed(String label, byte[] bytes, List<String> expectedNumbers) {
  }

  /** Pieces numbers are made of: digits of other scripts, invisible and direction-changing characters, junk. */
  static final String[] PIECES = {
      "1", "3", "8", "0", "5", "9", "+", "-", " ", "(", ")", ".", "/", "a", "Z", "x", "#", "*", "e", "E",
      "\u200B", "\u200D", "\uFEFF", "\u202E", "\u202D", "\u2066", "\u0301", "\u0336", "\u00A0", "\u3000", "\t", "\n",
      "\u0661", "\u0663", "\u0668", "\u0660", "\u06F1", "\u06F8", "\u0967", "\uFF11", "\uFF13", "\uFF18", "\uFF10",
      "\uFF2F", "O", "l", "I", "%", "\\", "'", "\"", ";", "--", "<", ">", "&", "\u0000", "\uD83D\uDE00", "\u066B",
      "\uD800", "\u00B9", "\u2460", "\u216B", "\u0E51", "\u1041", "\u0BE7"};
  static final String[] NASTY_TEXT = {
      "'; DROP TABLE reports; --", "\" OR 1=1 --", "<script>alert(document.cookie)</script>",
      "<img src=x onerror=alert(1)>", "{{7*7}}", "${jndi:ldap://127.0.0.1/x}", "../../../../etc/passwd",
      "\u202Eevil\u202C", "%00%0d%0aSet-Cookie: x=y", "javascript:alert(1)", "\u0000\u0001\u0002",
      "EVAL \"return redis.call('FLUSHALL')\" 0", "*1\r\n$8\r\nFLUSHALL\r\n"};
  static final String[] BAD_AUTH = {
      null, "", "Bearer", "Bearer ", "Bearer  ", "bearer dbk_forged-0000000000000000000000", "Basic YWRtaW46YWRtaW4=",
      "Bearer dbk_", "Bearer " + "A".repeat(300), "Bearer ' OR '1'='1", "Bearer <script>", "Token abc",
      "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ.", "Bearer null", "Bearer undefined", "Bearer \t x"};
  static final String[] BAD_METHODS = {"BREW", "PROPFIND", "TRACE", "get", "PATCH", "OPTIONS", "M-SEARCH", "DELETE",
      "PUT", "POST", "GETS", "X".repeat(40)};
  static final String[] CONTENT_TYPES = {"text/plain", "application/xml", "multipart/form-data; boundary=xyz",
      "application/x-www-form-urlencoded", "application/json; charset=utf-16", "application/json; charset=latin1",
      "*/*", "", "application/json\u0000", "image/png", "application/json, text/html"};

  private final Random random;
  private final PhoneNumberNormalizer normalizer = new PhoneNumberNormalizer("CN");
  private final String reporterToken;
  private final List<String> paths;
  private final int maxBodyBytes;

  /**
   * @param reporterToken a genuine token, so that report bodies are checked past authentication
   * @param paths every route as a callable path (from the router), "METHOD /path"
   */
  MalformedRequests(long seed, String reporterToken, List<String> paths, int maxBodyBytes) {
    this.random = new Random(seed);
    this.reporterToken = reporterToken;
    this.paths = paths;
    this.maxBodyBytes = maxBodyBytes;
  }

  List<Malformed> generate(int count) {
    List<Malformed> all = new ArrayList<>(handWritten());
    for (int i = 0; all.size() < count; i++) {
      all.add(switch (i % 10) {
        case 0, 1 -> getLookup(badNumber());
        case 2 -> batchOfBadNumbers();
        case 3 -> batchWithWrongJson();
        case 4 -> reportWithBadCredentials();
        case 5, 6 -> reportWithDefect();
        case 7 -> protectedWithoutKey();
        case 8 -> appealWithDefect();
        default -> protocolAbuse();
      });
    }
    return all;
  }

  // ------------------------------------------------------------------ numbers

  String badNumber() {
    return switch (random.nextInt(6)) {
      case 0 -> digits(16 + random.nextInt(40));
      case 1 -> insertInto("13800138000");
      case 2 -> insertInto("+86 138 0013 8000");
      default -> {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(30);
        for (int i = 0; i < n; i++) {
          s.append(PIECES[random.nextInt(PIECES.length)]);
        }
        yield s.toString();
      }
    };
  }

  private String insertInto(String base) {
    StringBuilder s = new StringBuilder(base);
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits; i++) {
      s.insert(random.nextInt(s.length() + 1), PIECES[random.nextInt(PIECES.length)]);
    }
    return s.toString();
  }

  private String digits(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    return s.toString();
  }

  /** The E.164 form the server must answer for this input, or null when it must refuse it. */
  String expected(String raw) {
    try {
      return normalizer.normalize(raw, "CN");
    } catch (InvalidNumberException e) {
      return null;
    }
  }

  /** A number the server must refuse (invalid_number), for reports and appeals. */
  private String certainlyInvalidNumber() {
    for (int i = 0; i < 50; i++) {
      String candidate = badNumber();
      if (expected(candidate) == null) {
        return candidate;
      }
    }
    return "not a number";
  }

  private Malformed getLookup(String raw) {
    String encoded = URLEncoder.encode(raw, StandardCharsets.UTF_8).replace("+", "%20");
    List<String> expected = new ArrayList<>();
    expected.add(expected(raw));
    return new Malformed("GET lookup " + printable(raw),
        request("GET", "/v1/numbers/" + encoded, null, null), encoded.isEmpty() ? null : expected);
  }

  private Malformed batchOfBadNumbers() {
    JsonArray numbers = new JsonArray();
    List<String> expected = new ArrayList<>();
    int n = 1 + random.nextInt(5);
    for (int i = 0; i < n; i++) {
      String raw = badNumber();
      numbers.add(raw);
      expected.add(expected(raw));
    }
    return new Malformed("batch " + printable(numbers.encode()),
        json("POST", "/v1/numbers/lookup", null, new JsonObject().put("numbers", numbers).encode()), expected);
  }

  // ------------------------------------------------------------------ JSON

  private String wrongJson() {
    return switch (random.nextInt(16)) {
      case 0 -> "[".repeat(10_000);
      case 1 -> "{\"numbers\":".repeat(3_000);
      case 2 -> "{\"numbers\": \"13800138000\"}";
      case 3 -> "{\"numbers\": 13800138000}";
      case 4 -> "{\"numbers\": [13800138000, true, null, {}, []]}";
      case 5 -> "{\"numbers\": null}";
      case 6 -> List.of("null", "true", "42", "\"x\"", "[]", "[\"13800138000\"]").get(random.nextInt(6));
      case 7 -> "{\"numbers\": [\"13800138000\"], \"region\": " + List.of("5", "[]", "\"XX\"", "\"cn'--\"",
          "\"" + "A".repeat(50) + "\"").get(random.nextInt(5)) + "}";
      case 8 -> "{\"numbers\": [\"13800138000\"], \"" + NASTY_TEXT[random.nextInt(NASTY_TEXT.length)]
          .replace("\"", "\\\"").replace("\r", "").replace("\n", "").replace("\u0000", "") + "\": 1}";
      case 9 -> "{\"numbers\": [" + "\"1\",".repeat(1_000) + "\"1\"]}";
      case 10 -> "{\"numbers\": [\"13800138000\"]";
      case 11 -> "{numbers: ['13800138000']}";
      case 12 -> "{\"numbers\": [\"13800138000\"]} trailing";
      case 13 -> "";
      case 14 -> "{\"numbers\": [\"1\"], \"numbers\": 5}";
      default -> "{\"numbers\": [\"\\ud800\"], \"x\": \"\\u0000\"}";
    };
  }

  private Malformed batchWithWrongJson() {
    String body = wrongJson();
    return new Malformed("batch JSON " + printable(body), json("POST", "/v1/numbers/lookup", null, body), null);
  }

  // ------------------------------------------------------------------ reports

  private Malformed reportWithBadCredentials() {
    String auth = random.nextBoolean()
        ? BAD_AUTH[random.nextInt(BAD_AUTH.length)]
        : "Bearer " + forgedToken();
    String body = validReport().encode();
    return new Malformed("report with credentials " + printable(String.valueOf(auth)),
        json("POST", "/v1/reports", auth, body), null);
  }

  private String forgedToken() {
    byte[] raw = new byte[8 + random.nextInt(40)];
    random.nextBytes(raw);
    return random.nextBoolean() ? Base64.getUrlEncoder().withoutPadding().encodeToString(raw)
        : reporterToken.substring(0, reporterToken.length() - 1) + (reporterToken.endsWith("A") ? "B" : "A");
  }

  private JsonObject validReport() {
    return new JsonObject().put("number", "13800138000").put("category", "THREAT")
        .put("note", NASTY_TEXT[random.nextInt(NASTY_TEXT.length)]).put("platform", "Quick Cash");
  }

  private Malformed reportWithDefect() {
    JsonObject report = validReport();
    String defect;
    String idempotencyKey = null;
    byte[] body = null;
    switch (random.nextInt(12)) {
      case 0 -> {
        defect = "number";
        report.put("number", certainlyInvalidNumber());
      }
      case 1 -> {
        defect = "category";
        report.put("category", List.of("", "threat ", "DROP", "THREAT\u0000", "\u0422HREAT", "LEGITIMATE,THREAT",
            NASTY_TEXT[random.nextInt(NASTY_TEXT.length)]).get(random.nextInt(7)));
      }
      case 2 -> {
        defect = "types";
        String field = List.of("number", "category", "note", "platform", "occurredAt", "region").get(random.nextInt(6));
        report.put(field, List.<Object>of(13800138000L, new JsonArray().add("x"), new JsonObject(), true, 1.5)
            .get(random.nextInt(5)));
      }
      case 3 -> {
        defect = "unknown field";
        report.put(List.of("reporter", "ip", "counted", "__proto__", "weight", "Number").get(random.nextInt(6)), "x");
      }
      case 4 -> {
        defect = "occurredAt";
        report.put("occurredAt", List.of("yesterday", "2999-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "",
            "2026-13-45T25:61:00Z", "1e99", "2026-11-22T09:30:00").get(random.nextInt(7)));
      }
      case 5 -> {
        defect = "long note";
        report.put("note", (NASTY_TEXT[random.nextInt(NASTY_TEXT.length)] + "x").repeat(1001).substring(0, 1001));
      }
      case 6 -> {
        defect = "long platform";
        report.put("platform", "<b>".repeat(40));
      }
      case 7 -> {
        defect = "idempotency key";
        idempotencyKey = List.of("k\u00e9y", "a b", "x".repeat(300), "\u202Ekey").get(random.nextInt(4));
      }
      case 8 -> {
        defect = "invalid UTF-8";
        body = concat(utf8("{\"number\":\"13800138000\",\"category\":\"THREAT\",\"note\":\""),
            new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE}, utf8("\"}"));
      }
      case 9 -> {
        defect = "region";
        report.put("region", List.of("XX", "C", "cn'--", "ZZZZZZZZZ", "\u0421N").get(random.nextInt(5)));
      }
      case 10 -> {
        defect = "wrong JSON";
        body = utf8(List.of("[]", "null", "\"report\"", "{\"number\":", "{}", "[".repeat(5_000))
            .get(random.nextInt(6)));
      }
      default -> {
        defect = "missing field";
        report.remove(random.nextBoolean() ? "number" : "category");
      }
    }
    List<String> headers = new ArrayList<>();
    if (idempotencyKey != null) {
      headers.add("Idempotency-Key: " + idempotencyKey);
    }
    headers.add("X-Forwarded-For: 198.51.100." + random.nextInt(250));
    return new Malformed("report, bad " + defect,
        request("POST", "/v1/reports", "Bearer " + reporterToken, "application/json", headers,
            body != null ? body : utf8(report.encode())), null);
  }

  // ------------------------------------------------------------------ keys, appeals

  private Malformed protectedWithoutKey() {
    List<String> guarded = paths.stream().filter(p -> p.contains("/admin/") || p.contains("/export")
        || p.contains("/evidence/")).filter(p -> !p.contains("dunblock-export-key")).toList();
    String route = guarded.get(random.nextInt(guarded.size()));
    String method = route.substring(0, route.indexOf(' '));
    String path = route.substring(route.indexOf(' ') + 1);
    String auth = BAD_AUTH[random.nextInt(BAD_AUTH.length)];
    String body = random.nextBoolean() ? "{\"verdict\":\"BLOCK\",\"reason\":\"x\"}" : wrongJson();
    return new Malformed(route + " with credentials " + printable(String.valueOf(auth)),
        json(method, path, auth, body), null);
  }

  private Malformed appealWithDefect() {
    JsonObject appeal = new JsonObject().put("number", "13800138000").put("contact", "someone@example.org")
        .put("reason", NASTY_TEXT[random.nextInt(NASTY_TEXT.length)]);
    switch (random.nextInt(5)) {
      case 0 -> appeal.put("number", certainlyInvalidNumber());
      case 1 -> appeal.remove(random.nextBoolean() ? "contact" : "reason");
      case 2 -> appeal.put("reason", "x".repeat(20_000));
      case 3 -> appeal.put("contact", random.nextBoolean() ? new JsonArray() : 5);
      default -> appeal.put("verdict", "ALLOW");
    }
    return new Malformed("appeal with a defect", json("POST", "/v1/appeals", null, appeal.encode()), null);
  }

  // ------------------------------------------------------------------ protocol

  private Malformed protocolAbuse() {
    String route = paths.get(random.nextInt(paths.size()));
    String path = route.substring(route.indexOf(' ') + 1);
    if (path.contains("/filter/stream")) {
      path = "/v1/filter/stream?since=" + URLEncoder.encode(badNumber(), StandardCharsets.UTF_8);
    }
    return switch (random.nextInt(8)) {
      case 0 -> new Malformed("method", request(BAD_METHODS[random.nextInt(BAD_METHODS.length)], path, null, null),
          null);
      case 1 -> new Malformed("content type", request("POST", path, null,
          CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], List.of(), utf8(wrongJson())), null);
      case 2 -> new Malformed("traversal", request("GET", traversal(), null, null), null);
      case 3 -> new Malformed("invalid UTF-8 path", request(utf8("GET "),
          concat(utf8("/v1/numbers/138"), new byte[] {(byte) 0xC0, (byte) 0xAE, (byte) 0xFF}, utf8("000")),
          List.of(), null), null);
      case 4 -> new Malformed("query junk", request("GET", path + "?region=" + PIECES.length
          + "&since=%ZZ&format=" + URLEncoder.encode(NASTY_TEXT[random.nextInt(NASTY_TEXT.length)],
          StandardCharsets.UTF_8) + "&limit=-1&limit=99999999999999999999", null, null), null);
      case 5 -> new Malformed("header junk", request("GET", path, null, null,
          List.of("X-Forwarded-For: " + List.of("not-an-ip", "1.2.3.4.5", "::::::", "999.1.1.1, <script>",
              "127.0.0.1%eth0").get(random.nextInt(5)), "X-Request-Id: " + "../" + digits(5) + "\u00e9",
              "Accept-Encoding: gzip;q=bogus", "Range: bytes=-1-2"), null), null);
      case 6 -> new Malformed("framing", framing(path), null);
      default -> new Malformed("unknown path", request("GET", "/v" + random.nextInt(9) + "/"
          + URLEncoder.encode(badNumber(), StandardCharsets.UTF_8), null, null), null);
    };
  }

  private String traversal() {
    return List.of("/../../../etc/passwd", "/v1/numbers/..%2F..%2F..%2Fetc%2Fpasswd", "/%2e%2e/%2e%2e/etc/passwd",
        "/v1/admin/..;/export", "/openapi.yaml/../../etc/passwd", "//etc//passwd", "/v1/numbers/%ZZ", "/v1/numbers/%",
        "/v1/numbers/%C0%AE%C0%AE%2F", "/\\..\\..\\windows\\win.ini", "/v1/evidence/platforms/..%2F..%2Fadmin%2Faudit",
        "/v1/../v1/numbers/13800138000", "/v1/numbers/13800138000%00.json", "/v1/numbers/13800138000/../../admin/audit",
        "/./././health", "/v1/filter/%2e%2e").get(random.nextInt(16));
  }

  private byte[] framing(String path) {
    String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    return utf8(switch (random.nextInt(5)) {
      case 0 -> head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
      case 1 -> head + "Content-Length: 2\r\nContent-Length: 7\r\n\r\n{}";
      case 2 -> head + "Content-Length: -1\r\n\r\n";
      case 3 -> head + "Content-Length: abc\r\n\r\n";
      default -> "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n bad folded header\r\nX: y\r\n\r\n";
    });
  }

  // ------------------------------------------------------------------ hand-written

  private List<Malformed> handWritten() {
    List<Malformed> all = new ArrayList<>();
    for (String raw : new String[] {"", " ", "abc", "\uFF11\uFF13\uFF18\uFF10\uFF10\uFF11\uFF13\uFF18\uFF10\uFF10\uFF10",
        "1".repeat(40), "\u0661\u0663\u0668\u0660\u0660\u0661\u0663\u0668\u0660\u0660\u0660",
        "\u06F1\u06F3\u06F8\u06F0\u06F0\u06F1\u06F3\u06F8\u06F0\u06F0\u06F0", "\u202E00083100831", "138\u200B0013\u200B8000",
        "1\u03013\u03018\u0301", "13800I38OOO", "+86+86 138", "NaN", "-1", "1e10", "0x1F", "\u0000", "+", "()", "%",
        "\uD83D\uDCDE13800138000", "\u0967\u0969\u096E\u0966\u0966\u0967\u0969\u096E\u0966\u0966\u0966"}) {
      all.add(getLookup(raw));
    }
    int tooLarge = maxBodyBytes + 64 * 1024;
    all.add(new Malformed("huge body", json("POST", "/v1/numbers/lookup", null,
        "{\"numbers\":[\"" + "1".repeat(tooLarge) + "\"]}"), null));
    all.add(new Malformed("huge report", json("POST", "/v1/reports", "Bearer " + reporterToken,
        "{\"note\":\"" + "x".repeat(tooLarge) + "\"}"), null));
    all.add(new Malformed("huge appeal", json("POST", "/v1/appeals", null,
        "{\"reason\":\"" + "x".repeat(tooLarge) + "\"}"), null));
    all.add(new Malformed("huge header", request("GET", "/v1/numbers/13800138000", null, null,
        List.of("X-Junk: " + "a".repeat(20_000)), null), null));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add("X-H" + i + ": " + "b".repeat(80));
    }
    all.add(new Malformed("many headers", request("GET", "/health", null, null, many, null), null));
    all.add(new Malformed("huge token", json("POST", "/v1/reports", "Bearer " + "t".repeat(15_000), "{}"), null));
    all.add(new Malformed("overlong URL", request("GET", "/v1/numbers/" + "1".repeat(9_000), null, null), null));
    all.add(new Malformed("overlong query", request("GET", "/health?x=" + "q".repeat(10_000), null, null), null));
    all.add(new Malformed("bad version", utf8("GET /health HTTP/9.9\r\nHost: x\r\n\r\n"), null));
    all.add(new Malformed("bad version 2", utf8("GET /v1/numbers/13800138000 HTTP/2.0\r\nHost: x\r\n\r\n"), null));
    all.add(new Malformed("websocket upgrade", utf8("GET /v1/filter/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"),
        null));
    all.add(new Malformed("no version", utf8("GET /health\r\nHost: x\r\n\r\n"), null));
    all.add(new Malformed("binary request line", concat(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xA5},
        utf8(" / HTTP/1.1\r\n\r\n")), null));
    return all;
  }

  // ------------------------------------------------------------------ wire

  private byte[] json(String method, String path, String auth, String body) {
    return request(method, path, auth, "application/json", List.of(), utf8(body));
  }

  private static byte[] request(String method, String path, String auth, byte[] body) {
    return request(method, path, auth, null, List.of(), body);
  }

  private static byte[] request(String method, String path, String auth, String contentType, List<String> headers,
      byte[] body) {
    return request(utf8(method + " "), utf8(path), auth == null ? headers : with(headers, "Authorization: " + auth),
        contentType == null ? body : body == null ? new byte[0] : body, contentType);
  }

  private static byte[] request(byte[] methodAndSpace, byte[] target, List<String> headers, byte[] body) {
    return request(methodAndSpace, target, headers, body, null);
  }

  private static byte[] request(byte[] methodAndSpace, byte[] target, List<String> headers, byte[] body,
      String contentType) {
    StringBuilder head = new StringBuilder(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    if (contentType != null) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    return concat(methodAndSpace, target, head.toString().getBytes(StandardCharsets.UTF_8),
        body == null ? new byte[0] : body);
  }

  private static List<String> with(List<String> headers, String header) {
    List<String> all = new ArrayList<>(headers);
    all.add(header);
    return all;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static String printable(String s) {
    String p = s.replaceAll("\\p{C}", "?");
    return p.length() > 80 ? p.substring(0, 80) + "..." : p;
  }
}
