package org.dunblock.server.ops;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.http.ErrorHandler;
import org.dunblock.server.http.Responses;
import org.dunblock.server.store.ReputationStore;

/** /health, /ready and /openapi.yaml. */
public final class OpsApi {
  private static final long READY_TIMEOUT_MS = 1_000;

  private final NumberFilter filter;
  private final ReputationStore store;
  private final Buffer openApi;

  public OpsApi(NumberFilter filter, ReputationStore store) {
    this.filter = filter;
    this.store = store;
    this.openApi = Buffer.buffer(openApiDocument());
  }

  public static byte[] openApiDocument() {
    try (InputStream in = OpsApi.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void health(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  public void ready(RoutingContext ctx) {
    if (!filter.loaded()) {
      ErrorHandler.send(ctx, 503, "not_ready", "The number filter is still loading from Redis.");
      return;
    }
    if (filter.hashIndex() == null) {
      // After a start from a filter checkpoint the hash-prefix index is built by one scan; until then private
      // lookups would get 503 index_loading, so a load balancer should not send apps here yet.
      ErrorHandler.send(ctx, 503, "not_ready", "The hash-prefix index is still being built.");
      return;
    }
    store.ping().timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.failed()) {
        ErrorHandler.send(ctx, 503, "not_ready", "Redis is not answering.");
      } else {
        Responses.json(ctx, 200, new JsonObject()
            .put("status", "READY")
            .put("filter", new JsonObject()
                .put("approximateNumbers", filter.approximateSize())
                .put("expectedFpp", filter.expectedFpp())));
      }
    });
  }

  public void openApi(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8")
        .putHeader("Cache-Control", "public, max-age=300")
        .end(openApi);
  }
}
