package org.dunblock.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NumberNormalizerTest {
  final NumberNormalizer n = new NumberNormalizer();

  @Test
  void lowerCaseRegionFromAndroidReadsNationalNumbers() {
    assertEquals("+8613800138000", n.normalize("13800138000", "cn"));
    assertEquals("+8613800138000", n.normalize("138 0013 8000", " cn "));
  }

  @Test
  void blankOrUnknownRegionFallsBack() {
    assertEquals("CN", n.region("", "CN"));
    assertEquals("CN", n.region(null, "CN"));
    assertEquals("CN", n.region("xx-unknown", "CN"));
    assertEquals("US", n.region("us", "CN"));
  }
}
