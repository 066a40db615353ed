package org.dunblock.server.testing;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.dunblock.server.store.LuaScript;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Holds every Lua script to the contract Redis states for scripts: it touches only the keys it is given in
 * {@code KEYS}. A script that builds a key name itself works on one Redis, and on a Cluster only while the name it
 * builds happens to share the slot; a proxy or a key-schema change breaks it silently.
 *
 * <p>Register it beside a {@link TestRedis} ({@code @RegisterExtension final ScriptKeyAudit audit =
 * ScriptKeyAudit.of(redis);}): it follows Redis's {@code MONITOR} feed through each test, and after the test asks
 * Redis ({@code COMMAND GETKEYS}) which keys each command a script ran touched. The test fails when one was not among
 * that run's {@code KEYS}. On a Redis Cluster run it does nothing (each master has a feed of its own); the standalone
 * run checks the same scripts.
 */
@SuppressWarnings("unchecked")
public final class ScriptKeyAudit implements BeforeEachCallback, AfterEachCallback {
  private static final int READ_TIMEOUT_MS = 10_000;
  private static final int MAX_SHOWN = 20;
  private static final Set<String> SCRIPT_COMMANDS = Set.of("EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO");

  private final TestRedis redis;
  private final Map<String, String> namesBySha = scriptNames();
  private Socket socket;
  private BufferedReader feed;
  private final List<String> seen = new ArrayList<>();
  private final Map<String, int[]> keyPositions = new HashMap<>();

  private ScriptKeyAudit(TestRedis redis) {
    this.redis = redis;
  }

  public static ScriptKeyAudit of(TestRedis redis) {
    return new ScriptKeyAudit(redis);
  }

  /** One script run in the feed: which script, the keys it was given, and what it did. */
  public record Run(String script, List<String> keys, List<List<String>> commands) {
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    if (redis.onCluster()) {
      return;
    }
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", redis.port()), READ_TIMEOUT_MS);
    socket.setSoTimeout(READ_TIMEOUT_MS);
    socket.getOutputStream().write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    feed = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    String ok = feed.readLine();
    if (!"+OK".equals(ok)) {
      throw new IllegalStateException("MONITOR answered " + ok);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (socket == null) {
      return;
    }
    List<Run> runs;
    try {
      runs = runs(drain());
    } finally {
      socket.close();
      socket = null;
    }
    List<String> violations = violations(runs);
    if (!violations.isEmpty()) {
      List<String> shown = violations.subList(0, Math.min(MAX_SHOWN, violations.size()));
      throw new AssertionError("Lua scripts touched keys they were not given (KEYS):\n  " + String.join("\n  ", shown)
          + (violations.size() > shown.size() ? "\n  and " + (violations.size() - shown.size()) + " more" : ""));
    }
  }

  /** The names of the scripts seen run in this test so far (read after the test: see {@link #scriptsRun()}). */
  public Set<String> scriptsRun() {
    return new TreeSet<>(seen);
  }

  /**
   * Reads the feed up to a marker sent now on another connection: MONITOR feeds commands in the order Redis ran them,
   * so everything the test made Redis run comes before it.
   */
  private List<List<String>> drain() throws IOException {
    String marker = "script-key-audit-" + UUID.randomUUID();
    redis.commands().echo(marker);
    List<List<String>> lines = new ArrayList<>();
    while (true) {
      String line;
      try {
        line = feed.readLine();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("MONITOR did not show the audit's marker within " + READ_TIMEOUT_MS + " ms", e);
      }
      if (line == null) {
        throw new AssertionError("MONITOR closed before the audit's marker");
      }
      List<String> entry = parse(line);
      if (entry.size() == 3 && "ECHO".equalsIgnoreCase(entry.get(1)) && marker.equals(entry.get(2))) {
        return lines;
      }
      lines.add(entry);
    }
  }

  /**
   * Groups the feed into script runs. Redis feeds a script's own command first and then, marked {@code lua}, the
   * commands the script ran.
   */
  List<Run> runs(List<List<String>> lines) {
    List<Run> runs = new ArrayList<>();
    Run current = null;
    for (List<String> line : lines) {
      String client = line.get(0);
      if (!"lua".equals(client)) {
        current = null;
        String command = line.get(1).toUpperCase(Locale.ROOT);
        if (SCRIPT_COMMANDS.contains(command)) {
          String body = line.get(2);
          String name = command.startsWith("EVALSHA") ? namesBySha.getOrDefault(body.toLowerCase(Locale.ROOT),
              "script " + body) : namesBySha.getOrDefault(sha1(body), "an inline script");
          int count = Integer.parseInt(line.get(3));
          current = new Run(name, List.copyOf(line.subList(4, 4 + count)), new ArrayList<>());
          runs.add(current);
          seen.add(name);
        }
        continue;
      }
      if (current == null) {
        throw new AssertionError("MONITOR showed a script's command with no script before it: " + line
            + " (has Redis changed the order in which it feeds scripts?)");
      }
      current.commands().add(line.subList(1, line.size()));
    }
    return runs;
  }

  /** One line per key a script touched that was not among its KEYS. */
  List<String> violations(List<Run> runs) {
    List<String> violations = new ArrayList<>();
    for (Run run : runs) {
      Set<String> given = Set.copyOf(run.keys());
      for (List<String> command : run.commands()) {
        for (String key : keysOf(command)) {
          if (!given.contains(key)) {
            violations.add(run.script() + " ran " + String.join(" ", command.subList(0, Math.min(3, command.size())))
                + ": " + key + " is not among its KEYS " + run.keys());
          }
        }
      }
    }
    return violations;
  }

  /**
   * The command's keys, where Redis says they are: the first, last and step of its key positions from
   * {@code COMMAND INFO} (asked once per command), or {@code COMMAND GETKEYS} for a command whose keys move with its
   * arguments.
   */
  private List<String> keysOf(List<String> command) {
    String name = command.get(0).toLowerCase(Locale.ROOT);
    int[] positions = keyPositions.computeIfAbsent(name, this::positions);
    if (positions == null) {
      return getKeys(command);
    }
    int last = positions[1] < 0 ? command.size() + positions[1] : positions[1];
    List<String> keys = new ArrayList<>();
    for (int i = positions[0]; positions[0] > 0 && i <= last && i < command.size(); i += positions[2]) {
      keys.add(command.get(i));
    }
    return keys;
  }

  /** {first, last, step} of the command's keys (first 0: none), or null when they move with the arguments. */
  private int[] positions(String name) {
    List<Object> info = (List<Object>) redis.commands().commandInfo(name).get(0);
    List<Object> flags = (List<Object>) info.get(2);
    if (flags.contains("movablekeys")) {
      return null;
    }
    return new int[] {((Number) info.get(3)).intValue(), ((Number) info.get(4)).intValue(),
        Math.max(1, ((Number) info.get(5)).intValue())};
  }

  private List<String> getKeys(List<String> command) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("GETKEYS");
    for (String part : command) {
      args.add(part);
    }
    try {
      return redis.commands().dispatch(CommandType.COMMAND, new ValueListOutput<>(StringCodec.UTF8), args);
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() != null && e.getMessage().contains("no key arguments")) {
        return List.of();
      }
      throw e;
    }
  }

  /**
   * One MONITOR line, {@code +1733333333.123456 [0 127.0.0.1:51234] "GET" "key"}, as the client ("lua" for a
   * script's own commands) followed by the arguments, unescaped.
   */
  static List<String> parse(String line) {
    int open = line.indexOf('[');
    int space = line.indexOf(' ', open);
    int close = line.indexOf(']', space);
    List<String> parts = new ArrayList<>();
    parts.add(line.substring(space + 1, close));
    int i = close + 1;
    while (i < line.length()) {
      if (line.charAt(i) != '"') {
        i++;
        continue;
      }
      ByteArrayOutputStream arg = new ByteArrayOutputStream();
      i++;
      while (line.charAt(i) != '"') {
        char c = line.charAt(i);
        if (c != '\\') {
          arg.write(c);
          i++;
          continue;
        }
        char next = line.charAt(i + 1);
        switch (next) {
          case 'n' -> arg.write('\n');
          case 'r' -> arg.write('\r');
          case 't' -> arg.write('\t');
          case 'a' -> arg.write(7);
          case 'b' -> arg.write('\b');
          case 'x' -> {
            arg.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
            i += 2;
          }
          default -> arg.write(next);
        }
        i += 2;
      }
      parts.add(arg.toString(StandardCharsets.UTF_8));
      i++;
    }
    return parts;
  }

  /** The scripts by SHA-1, named from the module's sources and read as the server reads them, from the classpath. */
  private static Map<String, String> scriptNames() {
    Map<String, String> names = new HashMap<>();
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/lua"))) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        names.put(sha1(LuaScript.source(name)), name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
