package org.dunblock.server.config;

/**
 * How much one source may do, counted in Redis so every instance shares the count.
 *
 * @param tokensPerNetworkPerDay reporter tokens one network (IPv4 /24, IPv6 /48) may mint per day
 * @param reportsPerReporterPerDay reports one reporter token may make per day
 * @param reportsPerNetworkPerDay reports one network (IPv4 /24, IPv6 /48) may make per day across all its tokens
 * @param lookupsPerClientPerMinute numbers one client address may look up per minute (0: no limit)
 * @param appealsPerHour appeals accepted per hour from one client network, and per hour about one number
 * @param lookupTrackedClients client addresses (and IPv6 /48s) one instance counts lookups for per minute
 *     ({@code DUNBLOCK_LOOKUP_TRACKED_CLIENTS}); past it, new clients share an overflow allowance per /16 (IPv4) or
 *     /32 (IPv6) of 16 client allowances
 * @param importMaxLines lines (blank ones included) one bulk import reads at most ({@code DUNBLOCK_IMPORT_MAX_LINES});
 *     past it the import stops with 413 {@code too_many_lines}, keeping what it stored
 */
public record LimitOptions(
    int tokensPerNetworkPerDay,
    int reportsPerReporterPerDay,
    int reportsPerNetworkPerDay,
    int lookupsPerClientPerMinute,
    int appealsPerHour,
    int lookupTrackedClients,
    int importMaxLines) {

  public LimitOptions {
    if (tokensPerNetworkPerDay < 1) {
      throw new ConfigException("DUNBLOCK_TOKENS_PER_NETWORK_PER_DAY", "must be at least 1");
    }
    if (reportsPerReporterPerDay < 1) {
      throw new ConfigException("DUNBLOCK_REPORTS_PER_REPORTER_PER_DAY", "must be at least 1");
    }
    if (reportsPerNetworkPerDay < 1) {
      throw new ConfigException("DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY", "must be at least 1");
    }
    if (lookupsPerClientPerMinute < 0) {
      throw new ConfigException("DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE", "must be 0 (no limit) or more");
    }
    if (lookupTrackedClients < 1) {
      throw new ConfigException("DUNBLOCK_LOOKUP_TRACKED_CLIENTS", "must be at least 1");
    }
    if (importMaxLines < 1) {
      throw new ConfigException("DUNBLOCK_IMPORT_MAX_LINES", "must be at least 1");
    }
    if (appealsPerHour < 1) {
      throw new ConfigException("DUNBLOCK_APPEALS_PER_HOUR", "must be at least 1");
    }
  }
}
