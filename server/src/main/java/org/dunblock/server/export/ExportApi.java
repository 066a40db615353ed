package org.dunblock.server.export;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.Responses;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.reputation.ReputationCalculator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Signed, streamed, incremental exports for carriers, their signatures, and the public key that checks them. */
public final class ExportApi {
  private static final Logger LOG = LoggerFactory.getLogger(ExportApi.class);
  public static final String VERSION_HEADER = "X-Dunblock-Export-Version";
  public static final String SINCE_HEADER = "X-Dunblock-Export-Since";
  public static final String TIME_HEADER = "X-Dunblock-Export-Time";
  /** Exports one key may run at once, and start in any 24 h: each is kept for days, and costs a full scan. */
  public static final int MAX_RUNNING_PER_KEY = 2;
  public static final int MAX_PER_KEY_PER_DAY = 48;
  /** A running slot whose instance died is free again after this. */
  static final long SLOT_LEASE_MS = java.time.Duration.ofHours(6).toMillis();

  private final ExportStore store;
  private final ExportSigningKey key;
  private final ReputationCalculator calculator;
  private final NumberFilter filter;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public ExportApi(ExportStore store, ExportSigningKey key, ReputationCalculator calculator, NumberFilter filter,
      Clock clock) {
    this.filter = filter;
    this.store = store;
    this.key = key;
    this.calculator = calculator;
    this.clock = clock;
  }

  /** GET /v1/export?format=csv|jsonl&minVerdict=WARN|BLOCK&categories=A,B&since=version|time&gzip=true. */
  public void export(RoutingContext ctx) {
    ExportQuery query = ExportQuery.parse(ctx.queryParams());
    long now = clock.millis();
    byte[] suffix = new byte[4];
    random.nextBytes(suffix);
    String version = "v" + now + "-" + HexFormat.of().formatHex(suffix);
    String keyId = ApiKeyAuth.caller(ctx).id();
    store.takeSlot(keyId, version, now, MAX_RUNNING_PER_KEY, MAX_PER_KEY_PER_DAY, SLOT_LEASE_MS).compose(slot -> {
      String outcome = String.valueOf(slot.get(0));
      if (outcome.equals("ok")) {
        return Future.succeededFuture();
      }
      long retryAfter = Math.max(1, (((Number) slot.get(1)).longValue() + 999) / 1000);
      return Future.failedFuture(new ApiException(429, "too_many_exports", outcome.equals("running")
          ? "This key already runs " + MAX_RUNNING_PER_KEY + " exports; retry when one has finished."
          : "This key started " + MAX_PER_KEY_PER_DAY + " exports in the last 24 h; retry in " + retryAfter + " s.",
          retryAfter));
    }).onComplete(taken -> {
      if (taken.failed()) {
        ctx.fail(taken.cause());
        return;
      }
      ctx.addEndHandler(done -> store.releaseSlot(keyId, version).onFailure(e ->
          LOG.warn("Export {}: its running slot was not given back (its lease ends it)", version, e)));
      start(ctx, query, version, now);
    });
  }

  private void start(RoutingContext ctx, ExportQuery query, String version, long now) {
    Future<Map<String, String>> previous = query.sinceVersion() == null
        ? Future.succeededFuture(Map.of()) : store.meta(query.sinceVersion());
    previous.compose(prev -> {
      if (query.sinceVersion() != null) {
        if (prev.isEmpty() || !"complete".equals(prev.get("status"))) {
          return Future.failedFuture(new ApiException(410, "export_version_gone", "Export " + query.sinceVersion()
              + (prev.isEmpty() ? " is unknown or has expired" : " did not complete")
              + "; take a full export (without since) and go on from its version."));
        }
        if (!query.filters().equals(prev.get("filters"))) {
          return Future.failedFuture(ApiException.badRequest("export_filters_mismatch", "Export "
              + query.sinceVersion() + " was made with " + prev.get("filters") + "; an incremental export needs "
              + "the same minVerdict and categories."));
        }
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("status", "running");
      meta.put("filters", query.filters());
      meta.put("since", since(query));
      meta.put("time", Long.toString(now));
      meta.put("format", query.format().name().toLowerCase(Locale.ROOT));
      meta.put("by", ApiKeyAuth.caller(ctx).id());
      return store.putMeta(version, meta);
    }).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      stream(ctx, query, version, now);
    });
  }

  /** The since= of an export as recorded and signed: a version, an ISO time, or empty for a full export. */
  private static String since(ExportQuery query) {
    return query.sinceVersion() != null ? query.sinceVersion()
        : query.sinceMs() != null ? Instant.ofEpochMilli(query.sinceMs()).toString() : "";
  }

  private void stream(RoutingContext ctx, ExportQuery query, String version, long now) {
    HttpServerResponse response = ctx.response();
    boolean compress = query.gzip();
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", query.format().contentType())
        .putHeader("Cache-Control", "no-store")
        .putHeader(VERSION_HEADER, version)
        .putHeader(TIME_HEADER, Instant.ofEpochMilli(now).toString())
        .putHeader("Trailer", ExportStream.SHA256_TRAILER + ", " + ExportStream.SIGNATURE_TRAILER);
    if (!since(query).isEmpty()) {
      response.putHeader(SINCE_HEADER, since(query));
    }
    if (compress) {
      // Our own gzip; a Content-Encoding set here also keeps the server's compressor from compressing again.
      response.putHeader("Content-Encoding", "gzip");
    }
    long started = System.nanoTime();
    ExportStream export = new ExportStream(response, store, calculator, filter, key, query, version, since(query),
        now, compress);
    export.run().onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("Export {} ({}, since {}) finished: {} rows in {} ms", version, query.filters(),
            query.sinceVersion(), ar.result().get("rows"), (System.nanoTime() - started) / 1_000_000);
      } else if (ar.cause() instanceof ExportStream.ClientGone) {
        LOG.info("Export {} abandoned by the client", version);
      } else {
        LOG.warn("Export {} failed", version, ar.cause());
        ctx.fail(ar.cause());
      }
    });
  }

  /** GET /v1/export/{version}/signature: what a finished export's signature covers, and the signature. */
  public void signature(RoutingContext ctx) {
    String version = ctx.pathParam("version");
    if (!ExportQuery.VERSION.matcher(version).matches()) {
      throw new ApiException(404, "export_not_found", "No export " + version + ".");
    }
    store.meta(version).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Map<String, String> meta = ar.result();
      if (meta.isEmpty()) {
        ctx.fail(new ApiException(404, "export_not_found", "No export " + version + " (unknown or expired)."));
        return;
      }
      if (!"complete".equals(meta.get("status"))) {
        ctx.fail(new ApiException(409, "export_incomplete", "Export " + version
            + " has not finished (or was abandoned); there is no signature."));
        return;
      }
      String since = meta.get("since").isEmpty() ? null : meta.get("since");
      String[] filters = meta.get("filters").split(";", -1);
      String categories = filters[1].substring("categories=".length());
      Responses.json(ctx, 200, new JsonObject()
          .put("version", version)
          .put("since", since)
          .put("time", Instant.ofEpochMilli(Long.parseLong(meta.get("time"))).toString())
          .put("minVerdict", filters[0].substring("minVerdict=".length()))
          .put("categories", new JsonArray(categories.isEmpty() ? List.of()
              : Arrays.asList((Object[]) categories.split(","))))
          .put("rows", Long.parseLong(meta.get("rows")))
          .put("sha256", meta.get("sha256"))
          .put("algorithm", ExportSigningKey.ALGORITHM)
          .put("keyId", meta.get("keyId"))
          .put("signature", meta.get("signature"))
          .put("signedMessage", ExportSigningKey.message(version, meta.get("filters"), since, meta.get("sha256"))));
    });
  }

  /** GET /.well-known/dunblock-export-key: the public key that verifies export signatures. */
  public void publicKey(RoutingContext ctx) {
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    ctx.response().putHeader("Cache-Control", "public, max-age=3600");
    Responses.json(ctx, 200, new JsonObject()
        .put("keyId", key.keyId())
        .put("algorithm", ExportSigningKey.ALGORITHM)
        .put("publicKey", b64.encodeToString(key.spki()))
        .put("raw", b64.encodeToString(key.raw()))
        .put("pem", key.pem()));
  }
}
