package org.dunblock.server.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.Category;
import org.junit.jupiter.api.Test;

class ImportLinesTest {
  final PhoneNumberNormalizer normalizer = new PhoneNumberNormalizer("CN");

  ImportLines csv() {
    return new ImportLines(ImportLines.Format.CSV, normalizer, "CN");
  }

  /** Every line's result but the skipped ones, in line order, the body ending after the last. */
  static List<ImportLines.Parsed> read(ImportLines lines, String... texts) {
    List<ImportLines.Parsed> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.addAll(lines.parse(i + 1, texts[i]));
    }
    out.addAll(lines.finish());
    out.removeIf(p -> p instanceof ImportLines.Skip);
    out.sort(java.util.Comparator.comparingInt(ImportLinesTest::line));
    return out;
  }

  static int line(ImportLines.Parsed p) {
    return p instanceof ImportLines.Entry e ? e.line() : ((ImportLines.Invalid) p).line();
  }

  @Test
  void csvHeaderIsSkippedOnlyOnTheFirstContentLine() {
    ImportLines lines = csv();
    List<ImportLines.Parsed> read = read(lines, "\uFEFFNumber,Category,Note\r", "", "number,category");
    assertEquals(true, lines.headerSeen());
    assertEquals(1, read.size());
    ImportLines.Invalid header = (ImportLines.Invalid) read.get(0);
    assertEquals(3, header.line());
    assertEquals("invalid_number", header.error());
  }

  @Test
  void csvFieldsTrimQuotesAndDefaultTheCategory() {
    List<ImportLines.Parsed> read = read(csv(), " \"138-0013-8000\" , threat , \"a \"\"note\"\", with commas\"",
        "13800138000,,", "13900139000,THREAT,says he knows, where I live");
    ImportLines.Entry e = (ImportLines.Entry) read.get(0);
    assertEquals("+8613800138000", e.number());
    assertEquals(Category.THREAT, e.category());
    assertEquals("a \"note\", with commas", e.note());
    ImportLines.Entry bare = (ImportLines.Entry) read.get(1);
    assertEquals(Category.DEBT_COLLECTION, bare.category());
    assertEquals(null, bare.note());
    assertEquals("says he knows, where I live", ((ImportLines.Entry) read.get(2)).note(), "the historic note");
  }

  @Test
  void theFirstLinesDecideTheDelimiterAndLaterLinesFollowIt() {
    ImportLines lines = csv();
    assertEquals(List.of(), lines.parse(1, "Telefon"), "held until the first lines are in");
    List<ImportLines.Parsed> held = new ArrayList<>();
    for (int i = 2; i <= ImportLines.SAMPLE; i++) {
      held.addAll(lines.parse(i, "13800138000;note, with comma"));
    }
    assertEquals(ImportLines.SAMPLE, held.size(), "all of them once the sample is complete");
    assertEquals(';', lines.delimiter());
    assertTrue(lines.headerSeen());
    ImportLines.Entry later = (ImportLines.Entry) lines.parse(ImportLines.SAMPLE + 1, "13900139000;x").get(0);
    assertEquals("+8613900139000", later.number());
  }

  @Test
  void overlongLinesAndNotesAreInvalid() {
    List<ImportLines.Parsed> read = read(csv(), "1".repeat(3000), "13800138000,THREAT," + "x".repeat(1001));
    assertEquals("line_too_long", ((ImportLines.Invalid) read.get(0)).error());
    assertEquals("invalid_field", ((ImportLines.Invalid) read.get(1)).error());
  }

  @Test
  void jsonLinesAreStrictObjects() {
    List<ImportLines.Parsed> read = read(new ImportLines(ImportLines.Format.JSONL, normalizer, "CN"),
        "{\"number\": 13800138000}", "{\"number\": 1.5}", "{\"number\": \"13800138000\", \"note\": 7}",
        "{\"number\": \"13800138000\", \"category\": \"SPAM\"}");
    assertEquals("+8613800138000", ((ImportLines.Entry) read.get(0)).number());
    assertEquals("invalid_field", ((ImportLines.Invalid) read.get(1)).error());
    assertEquals("invalid_field", ((ImportLines.Invalid) read.get(2)).error());
    assertEquals("invalid_category", ((ImportLines.Invalid) read.get(3)).error());
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
