package org.dunblock.server.number;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonemetadata.NumberFormat;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneNumberDesc;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import com.google.i18n.phonenumbers.metadata.source.MetadataSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The digit automaton answers as java.util.regex does, for every pattern in libphonenumber's metadata. */
class DigitAutomatonTest {
  static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  /**
   * Every national number pattern, leading digits, national prefix for parsing and format leading digits of every
   * region and non-geographic entity (2,046 distinct): those that compile (all but 20 national prefixes that end in
   * {@code $}) match and look at exactly what the regex does,
   * on the metadata's example numbers, their starts, and random digit strings that begin like them.
   */
  @Test
  void everyMetadataPatternAnswersAsTheRegexDoes() {
    Set<String> patterns = new LinkedHashSet<>();
    List<String> examples = new ArrayList<>();
    for (PhoneMetadata meta : allMetadata()) {
      for (PhoneNumberDesc desc : descriptions(meta)) {
        if (!desc.getNationalNumberPattern().isEmpty()) {
          patterns.add(desc.getNationalNumberPattern());
        }
        if (!desc.getExampleNumber().isEmpty()) {
          examples.add(desc.getExampleNumber());
        }
      }
      if (meta.hasLeadingDigits()) {
        patterns.add(meta.getLeadingDigits());
      }
      if (!meta.getNationalPrefixForParsing().isEmpty()) {
        patterns.add(meta.getNationalPrefixForParsing());
      }
      for (NumberFormat format : meta.getNumberFormatList()) {
        patterns.add(format.getPattern());
        for (int i = 0; i < format.getLeadingDigitsPatternCount(); i++) {
          patterns.add(format.getLeadingDigitsPattern(i));
        }
      }
    }
    Random random = new Random(20261205);
    List<String> inputs = new ArrayList<>(List.of("", "0", "1", "00", "112", "110", "911"));
    for (String example : examples) {
      for (int end = 1; end <= example.length(); end++) {
        inputs.add(example.substring(0, end));
      }
      for (int i = 0; i < 4; i++) {
        StringBuilder digits = new StringBuilder(example.substring(0, Math.min(example.length(), 1 + i)));
        int length = Math.max(1, example.length() + random.nextInt(3) - 1);
        while (digits.length() < length) {
          digits.append(random.nextInt(10));
        }
        inputs.add(digits.toString());
      }
    }
    int compiled = 0;
    long compared = 0;
    int matched = 0;
    for (String regex : patterns) {
      DigitAutomaton automaton = DigitAutomaton.compile(regex);
      if (automaton == null) {
        continue;
      }
      compiled++;
      Pattern pattern = Pattern.compile(regex);
      // Each pattern against a sample of the inputs (all of them would take minutes): its own examples come first.
      for (int i = 0; i < inputs.size(); i += 1 + random.nextInt(40)) {
        String input = inputs.get(i);
        boolean matches = pattern.matcher(input).matches();
        assertEquals(matches, automaton.matches(input), () -> regex + " matches " + input);
        assertEquals(pattern.matcher(input).lookingAt(), automaton.lookingAt(input),
            () -> regex + " lookingAt " + input);
        compared++;
        matched += matches ? 1 : 0;
      }
    }
    assertTrue(patterns.size() > 2_000, "patterns " + patterns.size());
    assertTrue(compiled > patterns.size() * 95 / 100, compiled + " of " + patterns.size() + " compiled");
    assertTrue(compared > 1_000_000 && matched > 1_000, compared + " compared, " + matched + " matched");
  }

  @Test
  void exhaustiveOnSmallPatternsOfEveryConstruct() {
    String[] regexes = {"1\\d{2}", "[2-9]\\d{1,3}", "(?:1[0-2]|3)4?", "(\\d)(\\d{2})", "1(?:2|3)*4", "1+2+", "1{2,}",
        "(?:[1-35-9]|4[0-4])\\d", "1??2", "(?:|5)6", "[\\d]2", "1\\d*?"};
    for (String regex : regexes) {
      DigitAutomaton automaton = DigitAutomaton.compile(regex);
      assertNotNull(automaton, regex);
      Pattern pattern = Pattern.compile(regex);
      for (int length = 0; length <= 5; length++) {
        int count = (int) Math.pow(10, length);
        for (int n = 0; n < count; n++) {
          String input = length == 0 ? "" : String.format("%0" + length + "d", n);
          assertEquals(pattern.matcher(input).matches(), automaton.matches(input), regex + " matches " + input);
          assertEquals(pattern.matcher(input).lookingAt(), automaton.lookingAt(input), regex + " lookingAt " + input);
        }
      }
    }
  }

  @Test
  void intersectionMatchesWhatBothMatch() {
    DigitAutomaton general = DigitAutomaton.compile("[1-9]\\d{3}");
    DigitAutomaton types = DigitAutomaton.anyOf(List.of("1\\d{3}", "5[05]\\d\\d", "\\d{2}"));
    DigitAutomaton both = general.and(types);
    for (int n = 0; n < 100_000; n++) {
      String input = Integer.toString(n);
      boolean expected = input.matches("[1-9]\\d{3}") && input.matches("1\\d{3}|5[05]\\d\\d|\\d{2}");
      assertEquals(expected, both.matches(input), input);
    }
    assertTrue(both.matches("5512"));
    assertFalse(both.matches("5612"));
  }

  /** Syntax the automaton does not take is refused, so the regex keeps answering it. */
  @ParameterizedTest
  @ValueSource(strings = {"(?=1)\\d", "[^1]2", "a1", "1\\s", "1{2}+", "(1", "1)", "[]", "[2-1]", "\\b1", "1$", "^1",
      ".1", "(?<x>1)", "1{101}"})
  void unsupportedSyntaxIsRefused(String regex) {
    assertNull(DigitAutomaton.compile(regex), regex);
  }

  @Test
  void patternsThatWouldGrowPastTheBoundAreRefused() {
    // (0|1)* followed by a 1 and 16 more digits needs 2^17 states as a deterministic automaton.
    assertNull(DigitAutomaton.compile("[01]*1[01]{16}"));
    assertNotNull(DigitAutomaton.compile("[01]*1[01]{8}"));
  }

  private static List<PhoneMetadata> allMetadata() {
    MetadataSource source = DefaultMetadataDependenciesProvider.getInstance().getPhoneNumberMetadataSource();
    List<PhoneMetadata> all = new ArrayList<>();
    for (String region : UTIL.getSupportedRegions()) {
      all.add(source.getMetadataForRegion(region));
    }
    for (int code : UTIL.getSupportedGlobalNetworkCallingCodes()) {
      all.add(source.getMetadataForNonGeographicalRegion(code));
    }
    return all;
  }

  private static List<PhoneNumberDesc> descriptions(PhoneMetadata meta) {
    return List.of(meta.getGeneralDesc(), meta.getFixedLine(), meta.getMobile(), meta.getTollFree(),
        meta.getPremiumRate(), meta.getSharedCost(), meta.getVoip(), meta.getPersonalNumber(), meta.getPager(),
        meta.getUan(), meta.getVoicemail(), meta.getNoInternationalDialling());
  }
}
