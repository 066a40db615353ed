package org.dunblock.server.number;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.ShortNumberInfo;
import java.util.Locale;

/**
 * Turns numbers as people write them into E.164 with libphonenumber. Full numbers must be valid for their region;
 * short service numbers (such as 95588) are accepted as numbers of the region they were given in.
 *
 * <p>Input already in E.164 takes {@link E164FastPath} (about a quarter of the cost, the same answers); everything
 * else, and anything the fast path is unsure of, takes libphonenumber's full parse.
 */
public final class PhoneNumberNormalizer {
  /** Longer input is never a phone number, and bounding it bounds the parser's work. */
  public static final int MAX_INPUT_LENGTH = 48;

  /**
   * Digits (any script: libphonenumber folds full-width ones), spaces and the punctuation people type. Letters,
   * control and format characters are refused up front: libphonenumber would quietly drop trailing junk.
   */
  private static final java.util.regex.Pattern WRITTEN_NUMBER =
      java.util.regex.Pattern.compile("[\\p{Nd}\\s+\\-().\\/\u3000\uFF0B\uFF08\uFF09\uFF0D]+");

  private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
  private final ShortNumberInfo shortNumbers = ShortNumberInfo.getInstance();
  private final String defaultRegion;
  /** null for the reference without it (tests and benchmarks compare the two). */
  private final E164FastPath fastPath;

  public PhoneNumberNormalizer(String defaultRegion) {
    this(defaultRegion, true);
  }

  private PhoneNumberNormalizer(String defaultRegion, boolean fast) {
    this.defaultRegion = checkRegion(defaultRegion);
    this.fastPath = fast ? new E164FastPath(util) : null;
  }

  /** libphonenumber's full parse for every input: the reference the fast path is checked and measured against. */
  public static PhoneNumberNormalizer withoutFastPath(String defaultRegion) {
    return new PhoneNumberNormalizer(defaultRegion, false);
  }

  /**
   * A test that an E.164 string is a valid full number, at the fast path's cost (one pattern per region and length).
   * False means "not known valid": short numbers, and anything the fast path leaves to libphonenumber.
   */
  public static java.util.function.Predicate<String> fastValidE164() {
    E164FastPath path = new E164FastPath(PhoneNumberUtil.getInstance());
    return e164 -> path.valid(e164) != null;
  }

  /** Validates a region code from a request; null means the default region. */
  public String region(String requested) {
    if (requested == null) {
      return defaultRegion;
    }
    return checkRegion(requested.trim().toUpperCase(Locale.ROOT));
  }

  private String checkRegion(String region) {
    if (region.length() != 2 || !util.getSupportedRegions().contains(region)) {
      throw new InvalidNumberException("invalid_region", "'" + region + "' is not a supported two-letter region code.");
    }
    return region;
  }

  /** Returns the E.164 form or throws a 400 invalid_number. */
  public String normalize(String raw, String region) {
    if (raw == null || raw.isBlank()) {
      throw invalid("The number is empty.");
    }
    if (raw.length() > MAX_INPUT_LENGTH) {
      throw invalid("The number is too long to be a phone number.");
    }
    String e164 = fastPath == null ? null : fastPath.valid(raw);
    if (e164 != null) {
      return e164;
    }
    if (!WRITTEN_NUMBER.matcher(raw).matches()) {
      throw invalid("'" + abbreviate(raw) + "' has characters that do not belong in a phone number.");
    }
    PhoneNumber parsed;
    try {
      parsed = util.parse(raw, region);
    } catch (NumberParseException e) {
      throw invalid("'" + abbreviate(raw) + "' is not a phone number.");
    }
    if (util.isValidNumber(parsed)) {
      return util.format(parsed, PhoneNumberFormat.E164);
    }
    String regionOfNumber = util.getRegionCodeForCountryCode(parsed.getCountryCode());
    if (parsed.getCountryCode() == util.getCountryCodeForRegion(region)
        && shortNumbers.isValidShortNumberForRegion(parsed, region)) {
      return "+" + parsed.getCountryCode() + util.getNationalSignificantNumber(parsed);
    }
    if (!"ZZ".equals(regionOfNumber) && shortNumbers.isValidShortNumberForRegion(parsed, regionOfNumber)) {
      return "+" + parsed.getCountryCode() + util.getNationalSignificantNumber(parsed);
    }
    throw invalid("'" + abbreviate(raw) + "' is not a possible number for region " + region + ".");
  }

  private static InvalidNumberException invalid(String message) {
    return new InvalidNumberException("invalid_number", message);
  }

  private static String abbreviate(String raw) {
    String printable = raw.replaceAll("\\p{C}", "?");
    return printable.length() > 24 ? printable.substring(0, 24) + "..." : printable;
  }
}
