package org.dunblock.server.feed;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dunblock.server.filter.FilterFollowerVerticle;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.ErrorHandler;
import org.dunblock.server.http.Responses;

/** GET /v1/filter, /v1/filter/changes and /v1/filter/stream: the filter sync protocol of client-sdk/README.md. */
public final class FilterFeedApi {
  public static final String VERSION_HEADER = "X-Filter-Version";
  public static final String SHA256_HEADER = "X-Filter-SHA256";
  public static final String FORMAT_HEADER = "X-Filter-Format";
  public static final String PROBES_HEADER = "X-Filter-Probes";
  static final long HEARTBEAT_MS = 15_000;
  /** Live streams one instance keeps open; beyond it apps are told to poll instead. */
  static final int MAX_STREAMS = 20_000;
  /** Catch-up events written at once; the next page waits until the client has taken the previous one. */
  static final int CATCH_UP_PAGE = 256;

  private final FilterFeed feed;
  private final AtomicInteger openStreams;
  private final int catchUpMax;

  /**
   * @param catchUpMax the most numbers a resuming stream replays ({@code DUNBLOCK_FILTER_STREAM_CATCHUP_MAX});
   *     a client further behind gets 410 and downloads the snapshot
   */
  public FilterFeedApi(FilterFeed feed, int catchUpMax) {
    this.feed = feed;
    this.openStreams = feed.openStreams();
    this.catchUpMax = catchUpMax;
  }

  public void snapshot(RoutingContext ctx) {
    int format = format(ctx.queryParams().get("format"));
    feed.snapshot().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      FilterSnapshot s = ar.result();
      HttpServerResponse response = ctx.response()
          .putHeader("ETag", s.etag())
          .putHeader(FORMAT_HEADER, Integer.toString(format))
          .putHeader(VERSION_HEADER, s.version().toString())
          .putHeader("Cache-Control", "no-cache");
      if (matches(ctx.request().getHeader("If-None-Match"), s.etag())) {
        response.setStatusCode(304).end();
        return;
      }
      response
          .putHeader(SHA256_HEADER, s.sha256())
          .putHeader("X-Filter-Numbers", Long.toString(s.numbers()))
          .putHeader("X-Filter-Capacity", Long.toString(s.capacity()))
          .putHeader("X-Filter-FPP", Double.toString(s.fpp()))
          .putHeader("X-Filter-Created", s.createdAt().toString())
          .putHeader(PROBES_HEADER, s.probes())
          .putHeader("Content-Type", "application/vnd.dunblock.bloom")
          // Bloom filter bits do not compress; skip the CPU.
          .putHeader("Content-Encoding", "identity")
          .end(s.body());
    });
  }

  /**
   * The format to serve: {@code format} lists the versions the app reads (comma-separated); the newest this server
   * has wins. Absent means 1, the format of apps that predate the parameter.
   */
  static int format(String raw) {
    if (raw == null || raw.isBlank()) {
      return FilterFeed.FORMAT;
    }
    int best = -1;
    for (String part : raw.split(",")) {
      try {
        int f = Integer.parseInt(part.trim());
        if (FilterFeed.FORMATS.contains(f) && f > best) {
          best = f;
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid_format", "'format' lists filter format versions, e.g. format=1.");
      }
    }
    if (best < 0) {
      throw new ApiException(406, "unsupported_filter_format", "This server serves filter formats " + FilterFeed.FORMATS
          + "; update the app, and meanwhile look numbers up on the server.");
    }
    return best;
  }

  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(etag)) {
        return true;
      }
    }
    return false;
  }

  public void changes(RoutingContext ctx) {
    FilterVersion since = version(ctx.queryParams().get("since"));
    feed.changesSince(since, FilterFeed.PAGE_PER_SHARD).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(edge(ar.cause()));
        return;
      }
      FilterChanges c = ar.result();
      ctx.response()
          .putHeader("Cache-Control", "no-store")
          .putHeader(VERSION_HEADER, c.version().toString());
      Responses.json(ctx, 200, new JsonObject()
          .put("since", ctx.queryParams().get("since"))
          .put("version", c.version().toString())
          .put("added", new JsonArray(new ArrayList<>(c.added())))
          .put("removed", new JsonArray(new ArrayList<>(c.removed())))
          .put("more", c.more())
          .put("pollAfterSeconds", c.more() ? 0 : FilterFeed.MIN_POLL_INTERVAL.toSeconds()));
    });
  }

  private static FilterVersion version(String raw) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.badRequest("invalid_version",
          "'since' is required: the version of the filter you hold (from /v1/filter or a previous answer).");
    }
    try {
      return FilterVersion.parse(raw.trim());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_version", "'since' is not a filter version this server issued.");
    }
  }

  /**
   * Server-sent events: {@code ready} with the starting version, then one {@code add} per listed number (or
   * {@code remove} per entry apps may drop, see {@link FilterChanges#removed()}) as the streams deliver it, each with the version after it as event id (send it back as Last-Event-ID to resume).
   */
  public void stream(RoutingContext ctx) {
    String resume = ctx.queryParams().get("since");
    if (resume == null) {
      resume = ctx.request().getHeader("Last-Event-ID");
    }
    FilterVersion since = resume == null ? null : version(resume);
    if (openStreams.incrementAndGet() > MAX_STREAMS) {
      openStreams.decrementAndGet();
      ctx.response().putHeader("Retry-After", "300");
      ErrorHandler.send(ctx, 503, "too_many_streams", "Too many live streams on this server; poll the changes.");
      return;
    }
    LiveStream live = new LiveStream(ctx, openStreams);
    // Listen before catching up, so nothing falls between the catch-up read and the live feed.
    live.consumer = ctx.vertx().eventBus().localConsumer(FilterFollowerVerticle.CHANGES_ADDRESS, m -> live.onChange(m.body()));
    Future<FilterVersion> start = since == null ? feed.currentVersion() : Future.succeededFuture(since);
    start.compose(v -> catchUp(v, v, new ArrayList<>())).onComplete(ar -> {
      if (ar.failed()) {
        live.close();
        ctx.fail(edge(ar.cause()));
        return;
      }
      live.begin(ar.result());
    });
  }

  /** The feed's own failures as the client sees them; anything else goes to the error handler as it is. */
  private static Throwable edge(Throwable failure) {
    return failure instanceof FilterVersionGoneException gone
        ? new ApiException(410, "filter_version_gone", gone.getMessage())
        : failure;
  }

  /** One catch-up event: an entry to add, or (remove) one apps may drop. */
  private record Change(String number, boolean remove) {
  }

  private record CaughtUp(FilterVersion version, List<Change> changes, FilterChanges last) {
  }

  /**
   * Reads the changes after {@code from} page by page, holding at most about {@code catchUpMax} numbers (a page per
   * shard is capped at {@code catchUpMax + 1}): a client further behind is told to download the snapshot, which is
   * smaller than the history it missed, before any byte of the stream is written.
   */
  private Future<CaughtUp> catchUp(FilterVersion start, FilterVersion from, List<Change> changes) {
    return feed.changesSince(from, Math.min(FilterFeed.PAGE_PER_SHARD, catchUpMax + 1)).compose(c -> {
      // Within a page a number is added or removed, never both; across pages the order of pages keeps its last word.
      c.added().forEach(n -> changes.add(new Change(n, false)));
      c.removed().forEach(n -> changes.add(new Change(n, true)));
      if (changes.size() > catchUpMax) {
        return Future.failedFuture(new ApiException(410, "filter_version_gone", "More than " + catchUpMax
            + " changes since this version; download the snapshot from /v1/filter, then follow the stream from its "
            + "version."));
      }
      return c.more() ? catchUp(start, c.version(), changes)
          : Future.succeededFuture(new CaughtUp(start, changes, c));
    });
  }

  /** One open event stream; all its methods run on the request's event loop. */
  private static final class LiveStream {
    private final RoutingContext ctx;
    private final AtomicInteger openStreams;
    private final List<String> early = new ArrayList<>();
    private MessageConsumer<String> consumer;
    private FilterVersion version;
    private long heartbeat = -1;
    private boolean closed;

    LiveStream(RoutingContext ctx, AtomicInteger openStreams) {
      this.ctx = ctx;
      this.openStreams = openStreams;
    }

    void begin(CaughtUp caught) {
      if (closed) {
        return;
      }
      HttpServerResponse response = ctx.response()
          .setChunked(true)
          .putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .putHeader("Cache-Control", "no-store")
          .putHeader("X-Accel-Buffering", "no")
          .putHeader("Content-Encoding", "identity");
      response.closeHandler(v -> close());
      response.exceptionHandler(e -> close());
      // Numbers from the catch-up carry no entry ids of their own: the version after the whole batch is the id
      // of the last one.
      response.write("retry: 2000\nevent: ready\nid: " + caught.version() + "\ndata: "
          + new JsonObject().put("version", caught.version().toString()).encode() + "\n\n");
      writeCatchUp(caught, 0);
    }

    /**
     * Writes the catch-up from {@code from} in pages of {@link #CATCH_UP_PAGE} events, each after the client took
     * the one before (drain handler), so a slow reader never makes the server buffer the whole catch-up. Live changes
     * meanwhile wait in {@code early} and follow once the catch-up is written.
     */
    private void writeCatchUp(CaughtUp caught, int from) {
      if (closed) {
        return;
      }
      HttpServerResponse response = ctx.response();
      List<Change> changes = caught.changes();
      FilterVersion after = caught.last().version();
      int next = from;
      while (next < changes.size()) {
        int to = Math.min(changes.size(), next + CATCH_UP_PAGE);
        StringBuilder out = new StringBuilder();
        for (int i = next; i < to; i++) {
          Change change = changes.get(i);
          out.append(change.remove() ? "event: remove\n" : "event: add\n");
          if (i == changes.size() - 1) {
            out.append("id: ").append(after).append('\n');
          }
          out.append("data: ").append(new JsonObject().put("number", change.number()).encode()).append("\n\n");
        }
        response.write(out.toString());
        next = to;
        if (next < changes.size() && response.writeQueueFull()) {
          int resumeAt = next;
          response.drainHandler(v -> {
            response.drainHandler(null);
            writeCatchUp(caught, resumeAt);
          });
          return;
        }
      }
      version = after;
      heartbeat = ctx.vertx().setPeriodic(HEARTBEAT_MS, t -> send(": keepalive\n\n"));
      List<String> pending = new ArrayList<>(early);
      early.clear();
      pending.forEach(this::onChange);
    }

    void onChange(String change) {
      if (closed) {
        return;
      }
      if (version == null) {
        early.add(change);
        return;
      }
      String[] parts = change.split("\\|", 4);
      int shard = Integer.parseInt(parts[0]);
      String id = parts[1];
      if (org.dunblock.server.store.StreamIds.compare(id, version.id(shard)) <= 0) {
        return; // already sent in the catch-up
      }
      version = version.with(shard, id);
      if (org.dunblock.server.store.KeySchema.isVerifiedEntry(parts[3])) {
        return; // a register change: for the instances' filters, never for apps (the register is admin-only)
      }
      String event = FilterFollowerVerticle.FEED_REMOVE.equals(parts[2]) ? "remove" : "add";
      send("event: " + event + "\nid: " + version + "\ndata: " + new JsonObject().put("number", parts[3]).encode()
          + "\n\n");
    }

    private void send(String text) {
      if (closed) {
        return;
      }
      HttpServerResponse response = ctx.response();
      if (response.writeQueueFull()) {
        // A client that does not read fast enough reconnects with Last-Event-ID and catches up from the streams.
        close();
        ctx.request().connection().close();
        return;
      }
      response.write(Buffer.buffer(text));
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      openStreams.decrementAndGet();
      if (consumer != null) {
        consumer.unregister();
      }
      if (heartbeat >= 0) {
        ctx.vertx().cancelTimer(heartbeat);
      }
    }
  }
}
