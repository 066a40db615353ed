package org.dunblock.server.http;

import io.vertx.core.http.HttpServerRequest;

/** Reads {@code Authorization: Bearer <token>}, the one credential shape of the API (reporter tokens, API keys). */
public final class BearerToken {
  private BearerToken() {
  }

  /** The token, or null when the header is absent, empty or not a Bearer credential. */
  public static String of(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
