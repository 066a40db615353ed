package org.dunblock.client.internal;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.ShortNumberInfo;
import java.util.regex.Pattern;

/**
 * The server's normalisation (org.dunblock.server.number.PhoneNumberNormalizer), so the local filter is asked
 * about the same E.164 string the server put in it. Returns null where the server would say invalid_number; the
 * caller then asks the server instead of trusting a local miss.
 */
public final class NumberNormalizer {
  static final int MAX_INPUT_LENGTH = 48;
  private static final Pattern WRITTEN_NUMBER =
      Pattern.compile("[\\p{Nd}\\s+\\-().\\/\u3000\uFF0B\uFF08\uFF09\uFF0D]+");

  private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
  private final ShortNumberInfo shortNumbers = ShortNumberInfo.getInstance();

  /**
   * The region as libphonenumber knows it: trimmed and upper-cased (Android's getNetworkCountryIso() says
   * {@code cn}), or {@code fallback} when blank or not a region libphonenumber knows.
   */
  public String region(String region, String fallback) {
    if (Text.isBlank(region)) {
      return fallback;
    }
    String upper = region.trim().toUpperCase(java.util.Locale.ROOT);
    return util.getSupportedRegions().contains(upper) ? upper : fallback;
  }

  /** E.164, or null when the number cannot be normalised here. {@code region} in any case. */
  public String normalize(String raw, String region) {
    region = region(region, region);
    if (Text.isBlank(raw) || raw.length() > MAX_INPUT_LENGTH || !WRITTEN_NUMBER.matcher(raw).matches()) {
      return null;
    }
    PhoneNumber parsed;
    try {
      parsed = util.parse(raw, region);
    } catch (NumberParseException e) {
      return null;
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
    return null;
  }
}
