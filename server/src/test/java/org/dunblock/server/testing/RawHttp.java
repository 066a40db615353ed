package org.dunblock.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: for requests no well-behaved client would send (bad
 * methods, invalid UTF-8 in paths, conflicting lengths, trickled headers). Keeps the connection alive between
 * requests and reopens it when the server closed it. Not thread-safe: one per thread.
 */
public final class RawHttp implements AutoCloseable {
  /** What the server answered; {@code status} -1 when it closed the connection without an answer. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final int port;
  private final int readTimeoutMs;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  public RawHttp(int port, int readTimeoutMs) {
    this.port = port;
    this.readTimeoutMs = readTimeoutMs;
  }

  /** Sends the bytes (a whole request) and reads one answer; on a connection the server had closed, retries once. */
  public Response exchange(byte[] request) {
    for (int attempt = 0; ; attempt++) {
      boolean fresh = socket == null;
      try {
        open();
        try {
          out.write(request);
          out.flush();
        } catch (IOException e) {
          // The server may answer (413, 431) and close before reading everything we send: read what it said.
          if (!fresh && attempt == 0) {
            close();
            continue;
          }
        }
        Response response = read();
        if (response.status() == -1 && !fresh && attempt == 0) {
          close();
          continue;
        }
        String connection = response.header("connection");
        if (response.status() == -1 || connection != null && connection.equalsIgnoreCase("close")) {
          close();
        }
        return response;
      } catch (IOException e) {
        close();
        if (fresh || attempt > 0) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private void open() throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(readTimeoutMs);
      socket.setTcpNoDelay(true);
      in = new java.io.BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }
  }

  private Response read() throws IOException {
    String statusLine;
    try {
      statusLine = line();
    } catch (SocketTimeoutException e) {
      throw new IOException("no answer within " + readTimeoutMs + " ms", e);
    }
    if (statusLine == null) {
      return new Response(-1, Map.of(), new byte[0]);
    }
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>();
    for (String h = line(); h != null && !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    String length = headers.get("content-length");
    if (length != null) {
      return new Response(status, headers, in.readNBytes(Integer.parseInt(length)));
    }
    // A stream (chunked or until close) that a request was entitled to: keep its head, drop the connection.
    close();
    headers.put("connection", "close");
    return new Response(status, headers, new byte[0]);
  }

  private String line() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        String s = buffer.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      buffer.write(b);
    }
    return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      socket = null;
    }
  }
}
