package org.dunblock.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.Locale;
import java.util.Set;

/** Strict reading of JSON request bodies: an object, known fields only, right types. */
public final class JsonBodies {
  private JsonBodies() {
  }

  /**
   * A route handler run before the body is read: a request that carries a body must say it is JSON
   * ({@code application/json}, UTF-8 if a charset is named), else 415. Browsers send text/plain and form bodies to
   * other sites without asking first (no CORS preflight); JSON they do not, so this keeps another site's pages from
   * sending our JSON endpoints anything. A request without a body (POST /v1/reporters) passes.
   */
  public static SecurityPolicyHandler requireJsonType() {
    // A security-policy handler, so that Vert.x lets it run before the route's BodyHandler.
    return JsonBodies::checkJsonType;
  }

  private static void checkJsonType(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (hasBody(request) && !isJson(request.getHeader("Content-Type"))) {
      ctx.fail(new ApiException(415, "unsupported_media_type",
          "Send the body with Content-Type: application/json."));
      return;
    }
    ctx.next();
  }

  static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    if (length != null) {
      return !length.trim().matches("0+");
    }
    return request.getHeader("Transfer-Encoding") != null;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String[] parameter = parts[i].split("=", 2);
      if (parameter[0].trim().equalsIgnoreCase("charset")) {
        String charset = parameter.length < 2 ? "" : parameter[1].trim().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
          return false;
        }
      }
    }
    return true;
  }

  public static JsonObject object(RoutingContext ctx, Set<String> allowedFields) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw ApiException.badRequest("invalid_json", "The request needs a JSON object body.");
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiException.badRequest("invalid_json", "The request body is not valid JSON.");
    }
    if (!(parsed instanceof JsonObject json)) {
      throw ApiException.badRequest("invalid_json", "The request body must be a JSON object.");
    }
    for (String field : json.fieldNames()) {
      if (!allowedFields.contains(field)) {
        throw ApiException.badRequest("unknown_field", "Unknown field '" + abbreviate(field) + "'; allowed: "
            + allowedFields.stream().sorted().toList() + ".");
      }
    }
    return json;
  }

  /** An optional string field; a present non-string is a 400. */
  public static String string(JsonObject json, String field, int maxLength) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw ApiException.badRequest("invalid_field", "'" + field + "' must be a string.");
    }
    if (s.length() > maxLength) {
      throw ApiException.badRequest("invalid_field", "'" + field + "' is longer than " + maxLength + " characters.");
    }
    return s;
  }

  public static String requiredString(JsonObject json, String field, int maxLength) {
    String s = string(json, field, maxLength);
    if (s == null) {
      throw ApiException.badRequest("missing_field", "'" + field + "' is required.");
    }
    return s;
  }

  private static String abbreviate(String s) {
    String printable = s.replaceAll("\\p{C}", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }
}
