package org.dunblock.server.keys;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** A stored API key: never the secret itself, only its id (a prefix of its hash), role and history. */
public record ApiKey(String id, Role role, String label, Instant createdAt, Instant revokedAt) {

  public boolean active() {
    return revokedAt == null;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("role", role.wire())
        .put("label", label)
        .put("createdAt", createdAt.toString())
        .put("revokedAt", revokedAt == null ? null : revokedAt.toString());
  }

  public static ApiKey fromJson(String json) {
    JsonObject o = new JsonObject(json);
    String revoked = o.getString("revokedAt");
    return new ApiKey(o.getString("id"), Role.parse(o.getString("role")).orElseThrow(), o.getString("label"),
        Instant.parse(o.getString("createdAt")), revoked == null ? null : Instant.parse(revoked));
  }

  public ApiKey revoked(Instant at) {
    return new ApiKey(id, role, label, createdAt, at);
  }
}
