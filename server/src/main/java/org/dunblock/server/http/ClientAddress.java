package org.dunblock.server.http;

import com.google.common.net.InetAddresses;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.util.List;
import org.dunblock.server.net.IpRange;

/**
 * Decides which address a request came from. X-Forwarded-For is believed only when the peer is a trusted proxy,
 * and then read from the right, skipping further trusted proxies, so a client cannot forge its own address.
 */
public final class ClientAddress {
  private final List<IpRange> trusted;

  public ClientAddress(List<String> trustedProxies) {
    this.trusted = trustedProxies.stream().map(IpRange::parse).toList();
  }

  /**
   * The client's address; an IPv4 host tunnelled through 6to4 or Teredo as that IPv4 address
   * ({@link IpRange#tunnelledHost}), so the limits per client and per network count it once.
   */
  public InetAddress of(HttpServerRequest request) {
    return IpRange.tunnelledHost(sender(request));
  }

  private InetAddress sender(HttpServerRequest request) {
    InetAddress peer = parse(request.remoteAddress().hostAddress());
    if (peer == null) {
      // Unix sockets or odd peers: treat as loopback so the network bucket is stable.
      peer = InetAddresses.forString("127.0.0.1");
    }
    if (!isTrusted(peer)) {
      return peer;
    }
    List<String> forwarded = request.headers().getAll("X-Forwarded-For");
    InetAddress client = peer;
    for (int h = forwarded.size() - 1; h >= 0; h--) {
      String[] hops = forwarded.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        InetAddress hop = parse(hops[i].trim());
        if (hop == null) {
          // A malformed hop: stop believing the chain here.
          return client;
        }
        client = hop;
        if (!isTrusted(hop)) {
          return hop;
        }
      }
    }
    return client;
  }

  private boolean isTrusted(InetAddress address) {
    for (IpRange range : trusted) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static InetAddress parse(String text) {
    if (text == null) {
      return null;
    }
    String s = text;
    if (s.startsWith("[") && s.contains("]")) {
      s = s.substring(1, s.indexOf(']'));
    } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
      // "a.b.c.d:port", as some load balancers write hops
      s = s.substring(0, s.indexOf(':'));
    }
    // Zone ids (fe80::1%eth0) name an interface of the machine that wrote them; they mean nothing here.
    if (s.indexOf('%') >= 0) {
      return null;
    }
    try {
      return InetAddresses.isInetAddress(s) ? InetAddresses.forString(s) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
