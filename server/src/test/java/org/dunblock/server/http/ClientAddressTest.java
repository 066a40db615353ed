package org.dunblock.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import org.dunblock.server.net.IpRange;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

  @Test
  void networksAreSlash24ForIpv4AndSlash48ForIpv6() {
    assertEquals("203.0.113.0/24", IpRange.networkOf(InetAddresses.forString("203.0.113.77")));
    assertEquals("203.0.113.0/24", IpRange.networkOf(InetAddresses.forString("::ffff:203.0.113.9")));
    assertEquals("2001:0db8:0001::/48", IpRange.networkOf(InetAddresses.forString("2001:db8:1:ffff::1")));
    // 6to4 tunnels an IPv4 host: its /24, however many /48s it could present.
    assertEquals("203.0.113.0/24", IpRange.networkOf(InetAddresses.forString("2002:cb00:7107::1")));
    assertEquals("203.0.113.0/24", IpRange.networkOf(InetAddresses.forString("2002:cb00:7101:ff::1")));
  }

  @Test
  void rangesMatchByPrefix() {
    IpRange range = IpRange.parse("10.1.0.0/16");
    assertTrue(range.contains(InetAddresses.forString("10.1.200.3")));
    assertFalse(range.contains(InetAddresses.forString("10.2.0.1")));
    assertTrue(IpRange.parse("::1").contains(InetAddresses.forString("::1")));
    assertFalse(IpRange.isValid("example.com"));
    assertFalse(IpRange.isValid("10.0.0.0/33"));
  }
}
