package org.dunblock.server.keys;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.BearerToken;
import org.dunblock.server.store.ReputationStore;

/**
 * Guards operator and admin endpoints: 401 without a valid key, 403 with a key of too small a role. Keys are
 * looked up by hash on every request, so a revocation takes effect at once on every instance.
 */
public final class ApiKeyAuth {
  public static final String CONTEXT_KEY = "dunblock.apiKey";

  private final ReputationStore store;

  public ApiKeyAuth(ReputationStore store) {
    this.store = store;
  }

  public Handler<RoutingContext> require(Role role) {
    return ctx -> {
      String presented = BearerToken.of(ctx.request());
      if (presented == null) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"dunblock-operators\"");
        ctx.fail(new ApiException(401, "missing_api_key", "This endpoint needs 'Authorization: Bearer <API key>'."));
        return;
      }
      authenticate(presented).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else if (ar.result().isEmpty()) {
          ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"dunblock-operators\", error=\"invalid_token\"");
          ctx.fail(new ApiException(401, "invalid_api_key", "The API key is unknown or revoked."));
        } else if (!ar.result().get().role().includes(role)) {
          ctx.fail(new ApiException(403, "forbidden", "This endpoint needs an " + role.wire() + " key."));
        } else {
          ctx.put(CONTEXT_KEY, ar.result().get());
          ctx.next();
        }
      });
    };
  }

  public Future<Optional<ApiKey>> authenticate(String presented) {
    // Minted keys start with dbk_, but a seeded DUNBLOCK_ADMIN_KEY may be any long string.
    if (presented.length() > 200) {
      return Future.succeededFuture(Optional.empty());
    }
    String hash = ApiKeySecrets.hash(presented);
    return store.call(redis -> redis.hget(KeyRegistry.BY_HASH, hash)).map(json -> {
      if (json == null) {
        return Optional.<ApiKey>empty();
      }
      ApiKey key = ApiKey.fromJson(json);
      // The lookup was by hash; confirm the id in constant time so no comparison leaks timing.
      boolean same = MessageDigest.isEqual(key.id().getBytes(StandardCharsets.US_ASCII),
          ApiKeySecrets.idOf(hash).getBytes(StandardCharsets.US_ASCII));
      return same && key.active() ? Optional.of(key) : Optional.<ApiKey>empty();
    });
  }

  public static ApiKey caller(RoutingContext ctx) {
    return ctx.get(CONTEXT_KEY);
  }
}
