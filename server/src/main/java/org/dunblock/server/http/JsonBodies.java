package org.dunblock.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** Strict reading of JSON request bodies: an object, known fields only, right types. */
public final class JsonBodies {
  private JsonBodies() {
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
