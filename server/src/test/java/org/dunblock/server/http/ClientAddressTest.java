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
  void aTeredoClientIsItsIpv4NetworkWhicheverServerItNames() {
    // 2001:0:<Teredo server>:<flags>:<port>:<client IPv4, inverted>. The server field is the client's to choose,
    // and its first 16 bits fall in the /48: counted as /48s, one IPv4 host would be thousands of networks.
    // 34ff:8ef8 is 203.0.113.7 inverted, 34ff:8efe is 203.0.113.1.
    assertEquals("203.0.113.0/24", IpRange.networkOf(InetAddresses.forString("2001:0:4136:e378:8000:63bf:34ff:8ef8")));
    assertEquals("203.0.113.0/24", IpRange.networkOf(InetAddresses.forString("2001:0:c000:201:8000:63bf:34ff:8ef8")));
    assertEquals("203.0.113.0/24", IpRange.networkOf(InetAddresses.forString("2001:0:9d38:953c:0:f227:34ff:8efe")));
    // Not Teredo (2001:db8::/32 is documentation space, 2001:0::/32 only is Teredo): its own /48.
    assertEquals("2001:0db8:0000::/48", IpRange.networkOf(InetAddresses.forString("2001:db8:0:201:8000:63bf:34ff:8ef8")));
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
