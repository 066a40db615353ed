package org.dunblock.server.number;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

/**
 * Which number prefixes an operator may put on or off the list: an E.164 prefix ({@code +} and digits) that is at
 * least 3 digits shorter than the numbers it covers (so it names a block of at least 1000 numbers) and longer than
 * country code plus area or operator code (so it never names a whole country or area).
 */
public final class PrefixRules {
  public static final int MIN_FREE_DIGITS = 3;

  private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();

  /** Returns the canonical prefix ("+86138001") or throws 400 invalid_prefix. */
  public String validate(String raw) {
    String prefix = raw == null ? "" : raw.trim().replaceAll("[\\s\\-().]", "");
    if (!prefix.matches("\\+[1-9][0-9]{2,15}")) {
      throw invalid("A prefix is written in E.164 form: '+', the country code and the first digits, e.g. +86138001.");
    }
    String digits = prefix.substring(1);
    int countryCode = 0;
    String national = null;
    for (int ccLength = 1; ccLength <= 3 && national == null; ccLength++) {
      int cc = Integer.parseInt(digits.substring(0, ccLength));
      if (!"ZZ".equals(util.getRegionCodeForCountryCode(cc))) {
        countryCode = cc;
        national = digits.substring(ccLength);
      }
    }
    if (national == null) {
      throw invalid("'" + prefix + "' does not start with a country code.");
    }
    // The shortest valid number that starts with the prefix, and its area/operator code length.
    int shortest = Integer.MAX_VALUE;
    int areaCode = 0;
    for (int pad = 1; pad <= 12; pad++) {
      for (char d = '0'; d <= '9'; d++) {
        String candidate = national + String.valueOf(d).repeat(pad);
        try {
          PhoneNumber number = util.parse("+" + countryCode + candidate, "ZZ");
          if (util.isValidNumber(number) && candidate.length() < shortest) {
            shortest = candidate.length();
            areaCode = util.getLengthOfNationalDestinationCode(number);
          }
        } catch (NumberParseException e) {
          // not a number; try the next padding
        }
      }
      if (shortest != Integer.MAX_VALUE) {
        break;
      }
    }
    if (shortest == Integer.MAX_VALUE) {
      throw invalid("No valid number starts with '" + prefix + "'.");
    }
    if (national.length() <= areaCode) {
      throw invalid("'" + prefix + "' would cover a whole country or area; add more digits.");
    }
    if (national.length() > shortest - MIN_FREE_DIGITS) {
      throw invalid("'" + prefix + "' leaves fewer than " + MIN_FREE_DIGITS
          + " digits free; override the number itself instead.");
    }
    return prefix;
  }

  private static InvalidNumberException invalid(String message) {
    return new InvalidNumberException("invalid_prefix", message);
  }
}
