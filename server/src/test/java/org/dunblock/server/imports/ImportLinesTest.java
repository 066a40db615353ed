package org.dunblock.server.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.Category;
import org.junit.jupiter.api.Test;

class ImportLinesTest {
  final PhoneNumberNormalizer normalizer = new PhoneNumberNormalizer("CN");

  ImportLines csv() {
    return new ImportLines(ImportLines.Format.CSV, normalizer, "CN");
  }

  @Test
  void csvHeaderIsSkippedOnlyOnTheFirstContentLine() {
    ImportLines lines = csv();
    assertInstanceOf(ImportLines.Skip.class, lines.parse(1, "\uFEFFNumber,Category,Note\r"));
    assertInstanceOf(ImportLines.Skip.class, lines.parse(2, ""));
    ImportLines.Invalid header = (ImportLines.Invalid) lines.parse(3, "number,category");
    assertEquals("invalid_number", header.error());
  }

  @Test
  void csvFieldsTrimQuotesAndDefaultTheCategory() {
    ImportLines lines = csv();
    ImportLines.Entry e = (ImportLines.Entry) lines.parse(1, " \"138-0013-8000\" , threat , \"a \"\"note\"\", with commas\"");
    assertEquals("+8613800138000", e.number());
    assertEquals(Category.THREAT, e.category());
    assertEquals("a \"note\", with commas", e.note());
    ImportLines.Entry bare = (ImportLines.Entry) lines.parse(2, "13800138000,,");
    assertEquals(Category.DEBT_COLLECTION, bare.category());
    assertEquals(null, bare.note());
  }

  @Test
  void overlongLinesAndNotesAreInvalid() {
    ImportLines lines = csv();
    assertEquals("line_too_long", ((ImportLines.Invalid) lines.parse(1, "1".repeat(3000))).error());
    assertEquals("invalid_field",
        ((ImportLines.Invalid) lines.parse(2, "13800138000,THREAT," + "x".repeat(1001))).error());
  }

  @Test
  void jsonLinesAreStrictObjects() {
    ImportLines lines = new ImportLines(ImportLines.Format.JSONL, normalizer, "CN");
    assertEquals("+8613800138000",
        ((ImportLines.Entry) lines.parse(1, "{\"number\": 13800138000}")).number());
    assertEquals("invalid_field", ((ImportLines.Invalid) lines.parse(2, "{\"number\": 1.5}")).error());
    assertEquals("invalid_field",
        ((ImportLines.Invalid) lines.parse(3, "{\"number\": \"13800138000\", \"note\": 7}")).error());
    assertEquals("invalid_category",
        ((ImportLines.Invalid) lines.parse(4, "{\"number\": \"13800138000\", \"category\": \"SPAM\"}")).error());
  }

  @Test
  void weightsAreBounded() {
    assertEquals(1.5, ImportApi.weight("1.5"));
    assertEquals(3.0, ImportApi.weight("3"));
    for (String bad : new String[] {"0", "0.0", "3.01", "-1", "1e0", "NaN", "", " 1"}) {
      org.junit.jupiter.api.Assertions.assertThrows(org.dunblock.server.http.ApiException.class,
          () -> ImportApi.weight(bad), bad);
    }
  }
}
