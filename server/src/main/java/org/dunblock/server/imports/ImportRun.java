package org.dunblock.server.imports;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.dunblock.server.audit.AuditLog;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.report.ReportCommand;
import org.dunblock.server.report.ReportOutcome;
import org.dunblock.server.report.ReportStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One import, streamed: a {@link RecordParser} splits the body into lines; valid lines gather into batches whose
 * report scripts run pipelined on the shared connection. While {@link #MAX_OUTSTANDING} lines are unanswered the
 * parser is paused (and so the request and, through TCP, the client); it resumes as batches are answered, so
 * parsing the next batch overlaps Redis running the previous one. Memory stays bounded by those lines, one parser
 * buffer and the capped error list, whatever the size of the body. Outstanding lines also bound how long a lookup
 * on the same connection may queue behind an import (about {@code MAX_OUTSTANDING} script runs).
 *
 * <p>Everything runs on the request's event loop: parser callbacks and the bridged store futures alike.
 */
final class ImportRun {
  private static final Logger LOG = LoggerFactory.getLogger(ImportRun.class);
  static final int BATCH = 256;
  static final int MAX_OUTSTANDING = 2 * BATCH;
  static final int MAX_ERRORS = 1000;
  /** Rows a dry run shows as they would be stored. */
  static final int PREVIEW = 20;
  /** Beyond this many bytes without a newline the body is not a list of lines; the import stops. */
  static final int MAX_BUFFERED = 64 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How often a running import asks whether its API key is still valid: a revoked key stops it within about this. */
  static final long KEY_CHECK_NANOS = 1_000_000_000L;

  private final RoutingContext ctx;
  private final ImportLines lines;
  private final ReportStore reports;
  private final AuditLog audit;
  private final NumberFilter filter;
  private final Clock clock;
  private final String actor;
  private final String source;
  private final double weight;
  private final ImportLines.Format format;
  private final ImportOptions options;
  private final ReadStream<Buffer> body;
  private final String region;
  private final String importId;
  /**
   * The vote's reporter: {@code source:<key id>:<name>}, so each operator key has its own vote per source name (two
   * operators who both call their list "carrier" do not replace each other's votes). Kept in Redis only, like a
   * reporter hash: no endpoint or export shows it.
   */
  private final String pseudoReporter;
  /** Lines (blank ones included) this import reads at most ({@code DUNBLOCK_IMPORT_MAX_LINES}); beyond, 413. */
  private final int maxLines;
  /**
   * Every import from one operator key counts as one network, whatever sources it names: the key is one voice, so
   * its imports can add to crowd evidence but never satisfy the BLOCK quorum's independent networks by themselves
   * (docs/operations.md, "What an imported line means").
   */
  private final String keyNetwork;
  private final Supplier<Future<Boolean>> keyStillValid;
  private long lastKeyCheck = System.nanoTime();
  private boolean checkingKey;

  private RecordParser parser;
  private List<ImportLines.Entry> batch = new ArrayList<>(BATCH);
  private final List<ImportLines.Invalid> errors = new ArrayList<>();
  private int line;
  private int lastContentLine;
  private long imported;
  private long updated;
  private long invalid;
  /** Store writes that failed (the import stops at the first; its batch-mates may fail too). */
  private long failedWrites;
  /**
   * The last content line up to which every line is accounted for (stored, invalid or skipped), and the invalid
   * count then: what a stopped import reports, since lines after it may still sit unsent in the batch.
   */
  private int settledLine;
  private long settledInvalid;
  /** Dry run: lines that would be stored, and the first of them as they would be. */
  private long valid;
  private final List<ImportLines.Entry> preview = new ArrayList<>();
  private int outstanding;
  private boolean paused;
  private boolean bodyEnded;
  private boolean finished;
  /** Why the import stopped early; it answers once the lines already sent are answered. */
  private Throwable stopping;
  private boolean stopAnswered;
  /** Whether any line went to the store: an import that stopped before that leaves no audit entry. */
  private boolean sentAny;

  /**
   * @param body the request, or the request inflated ({@code Content-Encoding: gzip})
   */
  ImportRun(RoutingContext ctx, ReadStream<Buffer> body, ImportLines lines, ImportOptions options, ReportStore reports,
      AuditLog audit, NumberFilter filter, Clock clock, String actor, String source, double weight, String region,
      int maxLines, Supplier<Future<Boolean>> keyStillValid) {
    this.maxLines = maxLines;
    this.ctx = ctx;
    this.keyStillValid = keyStillValid;
    this.body = body;
    this.options = options;
    this.lines = lines;
    this.reports = reports;
    this.audit = audit;
    this.filter = filter;
    this.clock = clock;
    this.actor = actor;
    this.source = source;
    this.weight = weight;
    this.format = options.format();
    this.region = region;
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    this.importId = "imp_" + HexFormat.of().formatHex(id);
    this.pseudoReporter = pseudoReporter(actor, source);
    this.keyNetwork = "import-key:" + actor;
  }

  static String pseudoReporter(String keyId, String source) {
    return "source:" + keyId + ":" + source;
  }

  void start() {
    parser = RecordParser.newDelimited("\n", body);
    parser.maxRecordSize(MAX_BUFFERED);
    parser.exceptionHandler(this::failed);
    parser.endHandler(v -> ended());
    parser.handler(this::record);
    body.resume();
  }

  private void record(Buffer record) {
    if (finished) {
      return;
    }
    if (line >= maxLines) {
      abortKeeping(new ApiException(413, "too_many_lines", "An import is at most " + maxLines + " lines "
          + "(DUNBLOCK_IMPORT_MAX_LINES); it stopped after line " + line + ". Split the list."));
      return;
    }
    line++;
    checkKeyNowAndThen();
    String text = record.toString(StandardCharsets.UTF_8);
    if (!text.isBlank()) {
      lastContentLine = line;
    }
    List<ImportLines.Parsed> parsed;
    try {
      parsed = lines.parse(line, text);
    } catch (ApiException structural) {
      // A column the header lacks: no row has been handed out yet, so nothing is stored and the import is a 400.
      abort(structural);
      return;
    }
    for (ImportLines.Parsed p : parsed) {
      take(p);
    }
    settleIfSent();
  }

  /** With nothing waiting in the batch, every line read so far is accounted for. */
  private void settleIfSent() {
    if (batch.isEmpty() && !finished) {
      settledLine = lastContentLine;
      settledInvalid = invalid;
    }
  }

  private void take(ImportLines.Parsed parsed) {
    if (parsed instanceof ImportLines.Skip) {
      return;
    }
    if (parsed instanceof ImportLines.Invalid bad) {
      invalid++;
      if (errors.size() < MAX_ERRORS) {
        errors.add(bad);
      }
      return;
    }
    if (options.dryRun()) {
      valid++;
      if (preview.size() < PREVIEW) {
        preview.add((ImportLines.Entry) parsed);
      }
      return;
    }
    batch.add((ImportLines.Entry) parsed);
    if (batch.size() >= BATCH) {
      flush();
    }
  }

  /**
   * At most every {@link #KEY_CHECK_NANOS}, asks (without waiting) whether the key that started the import is still
   * valid; once it is revoked the import stops, keeping what it stored before.
   */
  private void checkKeyNowAndThen() {
    long now = System.nanoTime();
    if (checkingKey || now - lastKeyCheck < KEY_CHECK_NANOS) {
      return;
    }
    checkingKey = true;
    lastKeyCheck = now;
    keyStillValid.get().onComplete(valid -> {
      checkingKey = false;
      if (valid.succeeded() && !valid.result()) {
        abort(new ApiException(401, "api_key_revoked", "The API key was revoked while the import ran; it stopped "
            + "at line " + line + "."));
      }
      // A store that does not answer is not a revocation: the batches' own writes fail the import if it stays down.
    });
  }

  /** Sends the batch; pauses the parser while too many lines are unanswered. */
  private void flush() {
    List<ImportLines.Entry> sending = batch;
    batch = new ArrayList<>(BATCH);
    sentAny = true;
    outstanding += sending.size();
    if (outstanding >= MAX_OUTSTANDING && !paused) {
      paused = true;
      parser.pause();
    }
    long now = clock.millis();
    List<Future<ReportOutcome>> replies = new ArrayList<>(sending.size());
    for (ImportLines.Entry entry : sending) {
      replies.add(reports.store(new ReportCommand(entry.number(), pseudoReporter, keyNetwork, entry.category(),
          now, now, null, entry.note(), importId + "-" + entry.line(), null, "", weight, false)));
    }
    Future.join(replies).onComplete(done -> {
      outstanding -= sending.size();
      Throwable failure = null;
      for (int i = 0; i < replies.size(); i++) {
        Future<ReportOutcome> reply = replies.get(i);
        if (reply.succeeded()) {
          filter.add(sending.get(i).number());
          if (reply.result().counted()) {
            imported++;
          } else {
            updated++;
          }
        } else {
          failedWrites++;
          if (failure == null) {
            failure = reply.cause();
          }
        }
      }
      if (failure != null) {
        abort(failure);
      }
      if (stopping != null) {
        answerStopped();
        return;
      }
      // Continue from a fresh event-loop turn: replies that were already in when the listener was added complete
      // it synchronously, inside the parser's own callback, where a resume would be ignored (the parser does not
      // re-enter itself) and the end of the body never signalled again.
      ctx.vertx().getOrCreateContext().runOnContext(v -> {
        if (finished) {
          return;
        }
        if (paused && outstanding < MAX_OUTSTANDING) {
          paused = false;
          // May deliver more lines (and pause again), and calls ended() once the body is used up.
          parser.resume();
        }
        finishIfDone();
      });
    });
  }

  /**
   * The parser calls this when it reaches the end of the body, and again after each resume once it has. While we
   * hold it paused it may still have lines buffered, so only an end seen while it runs freely is the end.
   */
  private void ended() {
    if (finished || paused) {
      return;
    }
    bodyEnded = true;
    List<ImportLines.Parsed> held;
    try {
      held = lines.finish();
    } catch (ApiException structural) {
      abort(structural);
      return;
    }
    for (ImportLines.Parsed p : held) {
      take(p);
    }
    if (paused) {
      // The held lines filled a batch and the parser was paused: the next resume ends it again.
      return;
    }
    if (!batch.isEmpty()) {
      flush();
    }
    finishIfDone();
  }

  private void finishIfDone() {
    if (finished || !bodyEnded || outstanding > 0 || !batch.isEmpty()) {
      return;
    }
    finished = true;
    // A dry run stores nothing, its audit entry included.
    (options.dryRun() ? Future.<Void>succeededFuture() : audit("")).onComplete(ignored -> ctx.response()
        .setStatusCode(200)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(summary().toBuffer()));
  }

  private void failed(Throwable error) {
    if (error instanceof IllegalStateException) {
      abortKeeping(ApiException.badRequest("line_too_long", "Line " + (line + 1) + " runs past " + MAX_BUFFERED
          + " bytes without a newline; the import stopped there."));
    } else if (error instanceof ApiException) {
      // The body itself is refused from here on (a broken or over-inflating gzip): the lines before are fine.
      abortKeeping(error);
    } else {
      abort(error);
    }
  }

  /**
   * Stops at a bound of the body (too many lines, a broken gzip, a line too long): the lines read before it are
   * whole and valid, so the batch they wait in is sent too, and the answer accounts for every one of them.
   */
  private void abortKeeping(Throwable error) {
    if (stopping != null || finished) {
      return;
    }
    if (!batch.isEmpty() && !options.dryRun()) {
      flush();
    }
    settleIfSent();
    abort(error);
  }

  /**
   * Stops parsing; once the lines already sent to the store are answered, answers with the error and what was stored
   * before it (which stays stored: importing the whole list again is safe). ImportApi drops the rest of the body.
   */
  private void abort(Throwable error) {
    // Once finished (answered, or answering), a late failure or revocation changes nothing and is not audited twice.
    if (stopping != null || finished) {
      return;
    }
    finished = true;
    stopping = error;
    parser.pause();
    ctx.request().pause();
    LOG.warn("Import {} from source {} stopped after line {}: {}", importId, source, line, error.toString());
    answerStopped();
  }

  private void answerStopped() {
    if (outstanding > 0 || stopAnswered) {
      return;
    }
    stopAnswered = true;
    Throwable error = stopping instanceof ApiException api
        ? new ApiException(api.status(), api.code(), api.getMessage() + " " + progress(), api.retryAfterSeconds())
        : stopping;
    // Nothing sent to the store (a wrong column, a broken first chunk): nothing to audit, as for a wrong parameter.
    (options.dryRun() || !sentAny ? Future.<Void>succeededFuture() : audit("stopped: " + error.getMessage()))
        .onComplete(ignored -> {
          if (ctx.response().ended() || ctx.request().connection() == null) {
            return;
          }
          ctx.fail(error);
        });
  }

  private String progress() {
    if (options.dryRun()) {
      return "Dry run: nothing was stored.";
    }
    if (!sentAny) {
      return "Nothing was stored.";
    }
    return "Stored before it stopped: " + imported + " imported, " + updated + " updated, " + settledInvalid
        + " invalid (lines 1 to " + settledLine + ")" + (failedWrites == 0 ? "" : ", " + failedWrites
        + " not stored (the store failed)") + "; importing the whole list again is safe.";
  }

  private Future<Void> audit(String outcome) {
    boolean stopped = stopping != null;
    String details = "weight " + weightText() + ", format " + format.name().toLowerCase(Locale.ROOT)
        + ", region " + region + ", lines " + (stopped ? settledLine : lastContentLine) + ", imported " + imported
        + ", updated " + updated + ", invalid " + (stopped ? settledInvalid : invalid) + shape()
        + (options.describe().isEmpty() ? "" : ", " + options.describe())
        + (outcome.isEmpty() ? "" : ", " + outcome);
    Map<String, String> entry = Map.of("at", Long.toString(clock.millis()), "actor", actor, "action", "import",
        "target", "source:" + source, "reason", importId, "details", details);
    return audit.append(entry).recover(err -> {
      LOG.error("Import {} by {} ran but its audit entry failed", importId, actor, err);
      return Future.succeededFuture();
    });
  }

  /** The CSV shape used, given or detected. */
  private String shape() {
    if (format != ImportLines.Format.CSV) {
      return "";
    }
    return ", delimiter " + (lines.delimiter() == '\t' ? "tab" : String.valueOf(lines.delimiter()))
        + (options.delimiter() == null ? " (detected)" : "") + ", header " + lines.headerSeen()
        + (options.header() == ImportOptions.Header.DETECT ? " (detected)" : "");
  }

  private String weightText() {
    return java.math.BigDecimal.valueOf(weight).stripTrailingZeros().toPlainString();
  }

  JsonObject summary() {
    JsonArray listed = new JsonArray();
    for (ImportLines.Invalid e : errors) {
      listed.add(new JsonObject().put("line", e.line()).put("error", e.error()).put("reason", e.reason()));
    }
    JsonObject summary = new JsonObject()
        .put("importId", importId)
        .put("source", source)
        .put("weight", weight)
        .put("format", format.name().toLowerCase(Locale.ROOT))
        .put("lines", lastContentLine)
        .put("imported", imported)
        .put("updated", updated)
        .put("invalid", invalid)
        .put("errors", listed)
        .put("errorsNotListed", invalid - errors.size());
    if (format == ImportLines.Format.CSV) {
      summary.put("delimiter", lines.delimiter() == '\t' ? "tab" : String.valueOf(lines.delimiter()))
          .put("header", lines.headerSeen());
    }
    if (options.dryRun()) {
      JsonArray rows = new JsonArray();
      for (ImportLines.Entry e : preview) {
        rows.add(new JsonObject().put("line", e.line()).put("number", e.number()).put("category", e.category().name())
            .put("note", e.note())
            .put("listedAt", e.listedAtMs() == null ? null : java.time.Instant.ofEpochMilli(e.listedAtMs()).toString()));
      }
      summary.put("dryRun", true).put("valid", valid).put("preview", rows);
    }
    return summary;
  }
}
