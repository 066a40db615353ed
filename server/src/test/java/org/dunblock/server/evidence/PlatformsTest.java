package org.dunblock.server.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class PlatformsTest {
  @Test
  void fullWidthLatinAndCaseAreOneLender() {
    assertEquals("quickloan", Platforms.normalize("ＱｕｉｃｋＬｏａｎ"));
    assertEquals("quickloan", Platforms.normalize("QUICKLOAN"));
    assertEquals("quickloan", Platforms.normalize("  quickloan\t"));
  }

  @Test
  void chineseNamesWithFullWidthSpacesDigitsAndPunctuation() {
    // Ideographic space (U+3000) around the name, as typed with a Chinese input method.
    assertEquals("借贷宝", Platforms.normalize("\u3000借贷宝\u3000"));
    assertEquals("360借条", Platforms.normalize("３６０借条"));
    assertEquals("借贷宝(极速版)", Platforms.normalize("借贷宝（极速版）"));
    assertEquals("拍拍贷 app", Platforms.normalize("拍拍贷\u3000\u3000ＡＰＰ"));
    assertEquals("借贷宝", Platforms.normalize("借\u200b贷宝"), "a zero-width space pasted from a chat");
  }

  @Test
  void halfWidthKatakanaBecomesFullWidth() {
    assertEquals("カネ", Platforms.normalize("ｶﾈ"));
  }

  @Test
  void spacesOfAnyKindCollapseToOne() {
    assertEquals("quick loan", Platforms.normalize("Quick\u00a0\u2003 Loan"));
  }

  @Test
  void blankNamesAreNoPlatformAndThePipeNeverReachesTheStore() {
    assertNull(Platforms.normalize(null));
    assertNull(Platforms.normalize(" \u3000\u200b "));
    assertEquals("a/b", Platforms.normalize("a|b"));
  }

  @Test
  void normalisingTwiceChangesNothing() {
    for (String raw : new String[] {"ＱｕｉｃｋＬｏａｎ", "İstanbul Kredi", "３６０借条", "ｶﾈ", "Ⅻ ﬁnance"}) {
      String once = Platforms.normalize(raw);
      assertEquals(once, Platforms.normalize(once), raw);
    }
  }
}
