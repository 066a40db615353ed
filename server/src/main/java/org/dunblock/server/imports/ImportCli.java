package org.dunblock.server.imports;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code java -jar dunblock-server.jar import --url URL --key KEY --source NAME --weight W [--format csv|jsonl]
 * [--region CN] [--numberColumn C] [--delimiter D] ... [--dryRun] FILE}: streams the file to
 * {@code POST /v1/admin/import} of a running server (a {@code .gz} file as it is, with {@code Content-Encoding:
 * gzip}), draws a progress bar on stderr (bytes sent of the file's size, lines per second) and prints the server's
 * summary on stdout. Every parameter of the endpoint ({@link ImportOptions#PARAMETERS}) is a flag of the same name.
 */
public final class ImportCli {
  static final String USAGE = """
      usage: java -jar dunblock-server.jar import --url http://127.0.0.1:8080 --key dbk_...|@KEYFILE \\
                 --source NAME --weight W [--format csv|jsonl] [--region CN] \\
                 [--numberColumn C] [--categoryColumn C] [--noteColumn C] [--occurredColumn C] \\
                 [--delimiter ,|;|tab|'|'] [--header true|false|detect] [--comment '#'] \\
                 [--category CATEGORY] [--categoryMap '{"their value":"CATEGORY"}'] [--dryRun] FILE
        Streams FILE (CSV or JSON lines; FILE.gz is sent compressed) to the server's bulk import.
        A column C is a header name or a 1-based index (a field name for JSON lines).
        The format defaults from the file name (.jsonl/.ndjson: jsonl, else csv).""";
  private static final int BAR = 30;
  private static final java.util.Set<String> FLAGS = java.util.stream.Stream.concat(
          java.util.stream.Stream.of("url", "key", "source", "weight", "format", "region"),
          ImportOptions.PARAMETERS.stream())
      .map(name -> "--" + name).collect(java.util.stream.Collectors.toUnmodifiableSet());

  private ImportCli() {
  }

  /** Runs the command and returns the process exit code; {@code live} redraws the bar in place (a terminal). */
  public static int run(List<String> given, PrintStream out, PrintStream err, boolean live) {
    List<String> args = new java.util.ArrayList<>(given);
    int dry = args.indexOf("--dryRun");
    if (dry >= 0 && (dry + 1 >= args.size() - 1 || args.get(dry + 1).startsWith("--"))) {
      args.add(dry + 1, "true");
    }
    for (int i = 0; i + 1 < args.size(); i += 2) {
      String flag = args.get(i);
      if (!FLAGS.contains(flag)) {
        // A mistyped flag must not import with the defaults instead.
        err.println("import: unknown " + (flag.startsWith("--") ? "flag " : "argument ") + flag);
        err.println(USAGE);
        return 2;
      }
    }
    Optional<String> url = option(args, "--url");
    Optional<String> key = option(args, "--key");
    Optional<String> source = option(args, "--source");
    Optional<String> weight = option(args, "--weight");
    String fileArg = args.isEmpty() ? null : args.get(args.size() - 1);
    if (url.isEmpty() || key.isEmpty() || source.isEmpty() || weight.isEmpty() || fileArg == null
        || fileArg.startsWith("--") || (args.size() >= 2 && args.get(args.size() - 2).startsWith("--"))) {
      err.println(USAGE);
      return 2;
    }
    Path file = Path.of(fileArg);
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      err.println("import: cannot read " + file);
      return 2;
    }
    String apiKey = key.get();
    try {
      if (apiKey.startsWith("@")) {
        apiKey = Files.readString(Path.of(apiKey.substring(1))).trim();
      }
    } catch (IOException e) {
      err.println("import: cannot read the key file " + apiKey.substring(1));
      return 2;
    }
    String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean gzip = lower.endsWith(".gz");
    if (gzip) {
      lower = lower.substring(0, lower.length() - 3);
    }
    String format = option(args, "--format")
        .orElse(lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ? "jsonl" : "csv");
    StringBuilder query = new StringBuilder("/v1/admin/import?source=").append(encode(source.get()))
        .append("&weight=").append(encode(weight.get())).append("&format=").append(encode(format));
    option(args, "--region").ifPresent(r -> query.append("&region=").append(encode(r)));
    for (String parameter : ImportOptions.PARAMETERS) {
      option(args, "--" + parameter).ifPresent(v -> query.append('&').append(parameter).append('=').append(encode(v)));
    }
    URI uri;
    try {
      uri = URI.create(url.get().replaceAll("/+$", "") + query);
    } catch (IllegalArgumentException e) {
      err.println("import: not a URL: " + url.get());
      return 2;
    }

    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      err.println("import: cannot read " + file + ": " + e.getMessage());
      return 2;
    }
    AtomicLong bytes = new AtomicLong();
    AtomicLong lines = new AtomicLong();
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
    if (gzip) {
      builder.header("Content-Encoding", "gzip");
    }
    HttpRequest request = builder
        .header("Authorization", "Bearer " + apiKey)
        .header("Content-Type", "jsonl".equals(format) ? "application/x-ndjson" : "text/csv")
        .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
          try {
            return new Counting(Files.newInputStream(file), bytes, lines);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }), size))
        .build();
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();

    long started = System.nanoTime();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "import-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> progress(err, live, bytes.get(), size, lines.get(), started, false),
        live ? 200 : 2000, live ? 200 : 2000, TimeUnit.MILLISECONDS);
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      ticker.shutdownNow();
      err.println();
      err.println("import: " + uri.getHost() + ":" + uri.getPort() + " failed: " + e);
      return 1;
    } catch (InterruptedException e) {
      ticker.shutdownNow();
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      ticker.shutdownNow();
    }
    progress(err, live, bytes.get(), size, lines.get(), started, true);

    JsonObject body;
    try {
      body = new JsonObject(response.body());
    } catch (DecodeException e) {
      err.println("import: HTTP " + response.statusCode() + ", not a JSON answer: " + abbreviate(response.body()));
      return 1;
    }
    if (response.statusCode() != 200) {
      err.println("import failed: HTTP " + response.statusCode() + " " + body.getString("error") + ": "
          + body.getString("message"));
      return 1;
    }
    if (body.getBoolean("dryRun", false)) {
      err.printf(Locale.ROOT, "Dry run of %s as source '%s': %d lines, %d would be stored, %d invalid; nothing "
              + "stored%n", file.getFileName(), body.getString("source"), body.getLong("lines"), body.getLong("valid"),
          body.getLong("invalid"));
    } else {
      err.printf(Locale.ROOT, "Imported %s as source '%s' (weight %s): %d lines, %d new, %d updated, %d invalid%n",
          file.getFileName(), body.getString("source"), body.getValue("weight"), body.getLong("lines"),
          body.getLong("imported"), body.getLong("updated"), body.getLong("invalid"));
    }
    var errors = body.getJsonArray("errors");
    for (int i = 0; i < Math.min(10, errors.size()); i++) {
      JsonObject e = errors.getJsonObject(i);
      err.println("  line " + e.getInteger("line") + ": " + e.getString("reason"));
    }
    if (body.getLong("invalid") > Math.min(10, errors.size())) {
      err.println("  ... " + (body.getLong("invalid") - Math.min(10, errors.size()))
          + " more invalid lines (see the summary on stdout)");
    }
    out.println(body.encodePrettily());
    return 0;
  }

  static void progress(PrintStream err, boolean live, long sent, long size, long lines, long startedNanos,
      boolean last) {
    double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
    double fraction = size == 0 ? 1 : Math.min(1, (double) sent / size);
    int filled = (int) Math.round(fraction * BAR);
    String line = String.format(Locale.ROOT, "[%s%s] %3.0f%%  %s / %s  %,.0f lines/s  %.1f s",
        "#".repeat(filled), "-".repeat(BAR - filled), fraction * 100, megabytes(sent), megabytes(size),
        lines / seconds, seconds);
    if (live) {
      err.print("\r" + line + (last ? System.lineSeparator() : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  static Optional<String> option(List<String> args, String name) {
    int i = args.indexOf(name);
    if (i < 0 || i + 1 >= args.size()) {
      return Optional.empty();
    }
    return Optional.of(args.get(i + 1));
  }

  /** Counts the bytes and newlines the HTTP client has read from the file, i.e. sent or about to be. */
  private static final class Counting extends FilterInputStream {
    private final AtomicLong bytes;
    private final AtomicLong lines;

    Counting(InputStream in, AtomicLong bytes, AtomicLong lines) {
      super(in);
      this.bytes = bytes;
      this.lines = lines;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        bytes.incrementAndGet();
        if (b == '\n') {
          lines.incrementAndGet();
        }
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        int newlines = 0;
        for (int i = off; i < off + n; i++) {
          if (buf[i] == '\n') {
            newlines++;
          }
        }
        lines.addAndGet(newlines);
        bytes.addAndGet(n);
      }
      return n;
    }
  }
}
