package org.dunblock.server.number;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The E.164 fast path gives exactly libphonenumber's answers, and is taken for the common case. */
class E164FastPathTest {
  static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  final PhoneNumberNormalizer fast = new PhoneNumberNormalizer("CN");
  final PhoneNumberNormalizer reference = PhoneNumberNormalizer.withoutFastPath("CN");
  final E164FastPath fastPath = new E164FastPath(UTIL);

  /**
   * Every region's and non-geographic entity's example number of every type, in E.164, each with random
   * variations of its digits (same length, one shorter, one longer), and random "+digits" strings: the normaliser
   * with the fast path answers each exactly as the one without (same E.164, or the same error and message).
   */
  @Test
  void answersEqualLibphonenumberOnGeneratedNumbers() {
    Random random = new Random(20261122);
    List<String> inputs = generated(random);
    int taken = 0;
    for (String raw : inputs) {
      for (String region : List.of("CN", "US")) {
        assertEquals(answer(reference, raw, region), answer(fast, raw, region), raw + " in " + region);
      }
      if (fastPath.valid(raw) != null) {
        taken++;
      }
    }
    // Not a vacuous comparison: most of the valid examples took the fast path.
    assertTrue(inputs.size() > 10_000, "generated " + inputs.size());
    assertTrue(taken > inputs.size() / 10, "fast path taken for " + taken + " of " + inputs.size());
  }

  /**
   * The fast path's validity check alone against {@code isValidNumber}, also for numbers that reach it only through
   * other calling codes' shapes: every generated input split at every assigned calling code it starts with, and for
   * every calling code, three random national numbers of every length starting with each of its examples' first digits.
   * Valid and invalid answers both occur for every calling code with regions of several kinds (+1, +7, +44, ...).
   */
  @Test
  void validityEqualsIsValidNumberForEveryCallingCode() {
    Random random = new Random(20261123);
    List<PhoneNumber> numbers = new ArrayList<>();
    for (String raw : generated(random)) {
      for (int end = 2; end <= 4 && end < raw.length(); end++) {
        numbers.add(number(Integer.parseInt(raw.substring(1, end)), raw.substring(end)));
      }
    }
    for (String region : UTIL.getSupportedRegions()) {
      for (PhoneNumberType type : PhoneNumberType.values()) {
        PhoneNumber example = UTIL.getExampleNumberForType(region, type);
        if (example == null) {
          continue;
        }
        String nsn = UTIL.getNationalSignificantNumber(example);
        for (int i = 0; i < 3 * 16; i++) {
          int length = 2 + i % 16;
          StringBuilder digits = new StringBuilder(nsn.substring(0, Math.min(length, Math.min(3, nsn.length()))));
          while (digits.length() < length) {
            digits.append(random.nextInt(10));
          }
          numbers.add(number(example.getCountryCode(), digits.toString()));
        }
      }
    }
    int compared = 0;
    int valid = 0;
    for (PhoneNumber number : numbers) {
      if (number == null) {
        continue;
      }
      String nsn = Long.toString(number.getNationalNumber());
      Boolean fastAnswer = fastPath.validNumber(number.getCountryCode(), nsn);
      if (fastAnswer == null) {
        continue;
      }
      boolean expected = UTIL.isValidNumber(number);
      assertEquals(expected, fastAnswer, "+" + number.getCountryCode() + " " + nsn);
      compared++;
      valid += expected ? 1 : 0;
    }
    assertTrue(compared > 50_000, "compared " + compared);
    assertTrue(valid > compared / 20 && valid < compared * 19 / 20, valid + " valid of " + compared);
  }

  /**
   * Memory: every calling code compiled (what a vandal's lookups of every code make the server hold) stays a few
   * megabytes of automata (53,977 states today, about 2 MB), and nearly every pattern is one (4 stay regexes).
   */
  @Test
  void everyCallingCodeCompiledHoldsBoundedAutomata() {
    long[] compiled = new E164FastPath(UTIL).compileAll();
    assertTrue(compiled[0] > 10_000 && compiled[0] * 10 * Integer.BYTES < 32 << 20, compiled[0] + " states");
    assertTrue(compiled[1] < 40, compiled[1] + " patterns left as regexes");
  }

  /** A number of an assigned calling code with a national number of 2 to 17 digits and no leading zero, or null. */
  private static PhoneNumber number(int countryCode, String nsn) {
    if (UTIL.getRegionCodesForCountryCode(countryCode).isEmpty() || nsn.length() < 2 || nsn.length() > 17
        || nsn.charAt(0) == '0') {
      return null;
    }
    return new PhoneNumber().setCountryCode(countryCode).setNationalNumber(Long.parseLong(nsn));
  }

  @ParameterizedTest
  @ValueSource(strings = {"+8613800138000", "+12015550123", "+447400123456", "+4930123456", "+80012345678"})
  void validE164TakesTheFastPath(String raw) {
    assertEquals(raw, fastPath.valid(raw));
    assertEquals(raw, reference.normalize(raw, "CN"));
  }

  /** Cases parse() treats specially are left to it: national prefixes, leading zeros, short numbers, junk. */
  @ParameterizedTest
  @ValueSource(strings = {"+390612345678", "+86 13800138000", "+8695588", "+86010123456", "+8613800", "+999123",
      "+0123456", "+861380013800０", "8613800138000", "+", "+1", "+12"})
  void unusualInputIsLeftToLibphonenumber(String raw) {
    assertNull(fastPath.valid(raw));
  }

  private static String answer(PhoneNumberNormalizer normalizer, String raw, String region) {
    try {
      return normalizer.normalize(raw, region);
    } catch (InvalidNumberException e) {
      return e.code() + ": " + e.getMessage();
    }
  }

  private static List<String> generated(Random random) {
    List<String> inputs = new ArrayList<>();
    List<PhoneNumber> examples = new ArrayList<>();
    for (String region : UTIL.getSupportedRegions()) {
      for (PhoneNumberType type : PhoneNumberType.values()) {
        PhoneNumber example = UTIL.getExampleNumberForType(region, type);
        if (example != null) {
          examples.add(example);
        }
      }
    }
    for (int code : UTIL.getSupportedGlobalNetworkCallingCodes()) {
      PhoneNumber example = UTIL.getExampleNumberForNonGeoEntity(code);
      if (example != null) {
        examples.add(example);
      }
    }
    for (PhoneNumber example : examples) {
      String e164 = UTIL.format(example, PhoneNumberFormat.E164);
      inputs.add(e164);
      for (int i = 0; i < 3; i++) {
        inputs.add(mutated(e164, random));
      }
      inputs.add(e164.substring(0, e164.length() - 1));
      inputs.add(e164 + random.nextInt(10));
    }
    for (int i = 0; i < 3000; i++) {
      StringBuilder digits = new StringBuilder("+");
      int length = 3 + random.nextInt(17);
      for (int d = 0; d < length; d++) {
        digits.append(random.nextInt(10));
      }
      inputs.add(digits.toString());
    }
    return inputs;
  }

  /** The example with its last one to four digits replaced at random. */
  private static String mutated(String e164, Random random) {
    char[] chars = e164.toCharArray();
    int changes = 1 + random.nextInt(4);
    for (int i = 0; i < changes && chars.length - 1 - i > 3; i++) {
      chars[chars.length - 1 - i] = (char) ('0' + random.nextInt(10));
    }
    return new String(chars);
  }
}
