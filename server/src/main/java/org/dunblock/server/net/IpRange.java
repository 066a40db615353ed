package org.dunblock.server.net;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/** An IP address or CIDR range, parsed without DNS. */
public final class IpRange {
  private final byte[] network;
  private final int prefixBits;

  private IpRange(byte[] network, int prefixBits) {
    this.network = network;
    this.prefixBits = prefixBits;
  }

  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static IpRange parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    if (!InetAddresses.isInetAddress(addr)) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
    byte[] bytes = unmap(InetAddresses.forString(addr)).getAddress();
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length: " + text);
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw new IllegalArgumentException("bad prefix length: " + text);
      }
    }
    return new IpRange(bytes, bits);
  }

  /** Bits of the network part: 32 (IPv4) or 128 (IPv6) for a single address. */
  public int prefixBits() {
    return prefixBits;
  }

  public boolean isIpv4() {
    return network.length == 4;
  }

  public boolean contains(InetAddress address) {
    byte[] a = unmap(address).getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  /** IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are treated as the IPv4 address they carry. */
  static InetAddress unmap(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length == 16 && InetAddresses.isMappedIPv4Address(InetAddresses.toAddrString(address))) {
      return InetAddresses.getEmbeddedIPv4ClientAddress((java.net.Inet6Address) address);
    }
    return address;
  }

  /**
   * The IPv4 host an IPv6 address tunnels, or the address itself: 6to4 (2002:aabb:ccdd::/48 is aa.bb.cc.dd) and
   * Teredo (2001:0::/32, the client's IPv4 in the last 32 bits). Taken at face value such a host would be many
   * clients and networks: it has a whole 6to4 /48, and the Teredo server field, in the /48 and /64, is the
   * client's to choose.
   */
  public static InetAddress tunnelledHost(InetAddress address) {
    InetAddress a = unmap(address);
    if (a instanceof java.net.Inet6Address v6) {
      if (InetAddresses.is6to4Address(v6)) {
        return InetAddresses.get6to4IPv4Address(v6);
      }
      if (InetAddresses.isTeredoAddress(v6)) {
        return InetAddresses.getTeredoInfo(v6).getClient();
      }
    }
    return a;
  }

  /**
   * The network a client belongs to for the distinct-network quorum: IPv4 /24, IPv6 /48; a tunnelled IPv4 host
   * ({@link #tunnelledHost}) counts as that host's /24.
   */
  public static String networkOf(InetAddress address) {
    InetAddress a = tunnelledHost(address);
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
    }
    return String.format("%02x%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2], b[3], b[4], b[5]);
  }
}
