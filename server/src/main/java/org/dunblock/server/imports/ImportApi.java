package org.dunblock.server.imports;

import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Locale;
import org.dunblock.server.filter.NumberFilter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.BearerToken;
import org.dunblock.server.http.GunzipStream;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.audit.AuditLog;
import org.dunblock.server.report.ReportStore;

/**
 * POST /v1/admin/import?source=&lt;name&gt;&amp;weight=&lt;w&gt;&amp;format=csv|jsonl&amp;region=CN (operator): a known
 * list streamed in, each valid line a weighted vote of the pseudo-reporter {@code source:<key id>:<name>} (one per
 * operator key and source name). The body is never buffered whole; see {@link ImportRun}.
 */
public final class ImportApi {
  public static final double MAX_WEIGHT = 3.0;
  /** A gzip upload inflating beyond this many times its size is refused (413): lists compress 5 to 15 times. */
  static final int MAX_GZIP_RATIO = 100;
  static final String SOURCE_PATTERN = "[a-z0-9][a-z0-9._-]{0,63}";

  private final PhoneNumberNormalizer normalizer;
  private final ReportStore reports;
  private final AuditLog audit;
  private final NumberFilter filter;
  private final Clock clock;
  private final ApiKeyAuth apiKeys;
  private final int maxLines;

  /** @param maxLines lines one import reads at most ({@code DUNBLOCK_IMPORT_MAX_LINES}) */
  public ImportApi(PhoneNumberNormalizer normalizer, ReportStore reports, AuditLog audit, NumberFilter filter,
      Clock clock, ApiKeyAuth apiKeys, int maxLines) {
    this.apiKeys = apiKeys;
    this.maxLines = maxLines;
    this.normalizer = normalizer;
    this.reports = reports;
    this.audit = audit;
    this.filter = filter;
    this.clock = clock;
  }

  /**
   * Runs before authentication on this route: the body must wait, unread, until the key is checked and the
   * handler is ready to parse it (there is no BodyHandler here). When the answer goes out before the body was read
   * to its end (a refused key, a bad parameter, an import that stopped), the rest of the body is read and dropped,
   * so the connection stays usable for the client's next request.
   */
  /** Its body is streamed at the server's pace, so the slow-client guard gives it no body deadline. */
  public static final String PATH = "/v1/admin/import";

  public static void holdBody(RoutingContext ctx) {
    ctx.request().pause();
    ctx.addEndHandler(ar -> {
      if (!ctx.request().isEnded()) {
        ctx.request().handler(null).exceptionHandler(null).endHandler(null).resume();
      }
    });
    ctx.next();
  }

  public void importList(RoutingContext ctx) {
    String rawSource = ctx.queryParams().get("source");
    if (rawSource == null || rawSource.isBlank()) {
      throw ApiException.badRequest("missing_field", "Name the list's source in the 'source' query parameter.");
    }
    String source = rawSource.trim().toLowerCase(Locale.ROOT);
    if (!source.matches(SOURCE_PATTERN)) {
      throw ApiException.badRequest("invalid_source",
          "'source' is 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.");
    }
    double weight = weight(ctx.queryParams().get("weight"));
    ImportLines.Format format = ImportLines.Format.parse(ctx.queryParams().get("format"))
        .orElseThrow(() -> ApiException.badRequest("invalid_format", "'format' is csv or jsonl."));
    String region = normalizer.region(ctx.queryParams().get("region"));
    ImportOptions options = ImportOptions.parse(format, ctx.queryParams()::get);
    String encoding = ctx.request().getHeader("Content-Encoding");
    ReadStream<Buffer> body;
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      body = ctx.request();
    } else if (encoding.trim().equalsIgnoreCase("gzip")) {
      body = new GunzipStream(ctx.request(), MAX_GZIP_RATIO);
    } else {
      throw new ApiException(415, "unsupported_encoding", "An import body is sent plain or with "
          + "Content-Encoding: gzip.");
    }
    String actor = ApiKeyAuth.caller(ctx).id();
    long now = clock.millis();
    String presented = BearerToken.of(ctx.request());
    new ImportRun(ctx, body, new ImportLines(options, normalizer, region, now), options, reports, audit, filter,
        clock, actor, source, weight, region, maxLines,
        () -> apiKeys.authenticate(presented).map(key -> key.isPresent() && key.get().id().equals(actor))).start();
  }

  static double weight(String raw) {
    if (raw == null) {
      throw ApiException.badRequest("missing_field", "Give the source's 'weight' (more than 0, at most 3).");
    }
    double weight;
    try {
      weight = raw.matches("\\d{1,3}(\\.\\d{1,6})?") ? Double.parseDouble(raw) : -1;
    } catch (NumberFormatException e) {
      weight = -1;
    }
    if (!(weight > 0 && weight <= MAX_WEIGHT)) {
      throw ApiException.badRequest("invalid_weight",
          "'weight' is a decimal number more than 0 and at most " + MAX_WEIGHT + ", e.g. 1.5.");
    }
    return weight;
  }
}
