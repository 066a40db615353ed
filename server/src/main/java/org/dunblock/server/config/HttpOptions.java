package org.dunblock.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the HTTP server listens and what it accepts.
 *
 * @param host the address to listen on ({@code DUNBLOCK_HOST}); only that interface is bound
 * @param port the port every event loop shares ({@code DUNBLOCK_PORT}; 0 picks a free one)
 * @param eventLoops event loops, one API verticle each ({@code DUNBLOCK_EVENT_LOOPS}, default: the cores)
 * @param maxBodyBytes largest JSON body accepted ({@code DUNBLOCK_MAX_BODY_BYTES}); imports are streamed instead
 * @param idleTimeout a silent connection, or one slow to send its next request's headers, is closed after this
 * @param requestTimeout once a request's headers are in, its whole body must arrive within this (else 408)
 * @param tlsCert PEM certificate: HTTPS only on the port, with {@code tlsKey}
 * @param tlsKey PEM private key of {@code tlsCert}
 * @param accessLog one log line per request ({@code DUNBLOCK_ACCESS_LOG})
 * @param metricsPublic whether {@code /metrics} is served ({@code DUNBLOCK_METRICS_PUBLIC})
 */
public record HttpOptions(
    String host,
    int port,
    int eventLoops,
    int maxBodyBytes,
    Duration idleTimeout,
    Duration requestTimeout,
    Optional<Path> tlsCert,
    Optional<Path> tlsKey,
    boolean accessLog,
    boolean metricsPublic,
    java.util.Set<String> publicHosts) {

  public HttpOptions {
    if (port < 0 || port > 65535) {
      throw new ConfigException("DUNBLOCK_PORT", "must be between 0 and 65535");
    }
    if (eventLoops < 1) {
      throw new ConfigException("DUNBLOCK_EVENT_LOOPS", "must be at least 1");
    }
    if (maxBodyBytes < 1024) {
      throw new ConfigException("DUNBLOCK_MAX_BODY_BYTES", "must be at least 1024");
    }
    DunblockConfig.requirePositive("DUNBLOCK_IDLE_TIMEOUT_SECONDS", idleTimeout);
    DunblockConfig.requirePositive("DUNBLOCK_REQUEST_TIMEOUT_MS", requestTimeout);
    if (tlsCert.isPresent() != tlsKey.isPresent()) {
      throw new ConfigException(tlsCert.isPresent() ? "DUNBLOCK_TLS_KEY" : "DUNBLOCK_TLS_CERT",
          "is required with " + (tlsCert.isPresent() ? "DUNBLOCK_TLS_CERT" : "DUNBLOCK_TLS_KEY"));
    }
    publicHosts = java.util.Set.copyOf(publicHosts);
    for (String h : publicHosts) {
      if (h.isEmpty() || !h.matches("[a-z0-9.-]+|\\[[0-9a-f:.]+\\]")) {
        throw new ConfigException("DUNBLOCK_PUBLIC_HOSTS", "'" + h + "' is not a host name (comma-separated names "
            + "as clients reach the server, without scheme or port, e.g. dunblock.example,api.dunblock.example)");
      }
    }
    requireReadable("DUNBLOCK_TLS_CERT", tlsCert);
    requireReadable("DUNBLOCK_TLS_KEY", tlsKey);
  }

  private static void requireReadable(String variable, Optional<Path> file) {
    if (file.isPresent() && !java.nio.file.Files.isReadable(file.get())) {
      throw new ConfigException(variable, "'" + file.get() + "' is not a readable file");
    }
  }
}
