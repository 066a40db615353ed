package org.dunblock.server.number;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import com.google.i18n.phonenumbers.metadata.source.MetadataSource;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Recognises input that is already E.164 ({@code +} and ASCII digits) and valid, without libphonenumber's
 * {@code parse}: parsing costs about three quarters of a normalisation (its extension, viability and punctuation
 * regexes), and apps send numbers in E.164 nearly always.
 *
 * <p>For such input {@code parse} takes the country calling code as the shortest known code at the start, then
 * strips a national prefix (or carrier code) only when the region's {@code nationalPrefixForParsing} pattern
 * matches the start of the rest, and keeps leading zeros aside. This class takes the number only when neither of
 * those can happen (no match, no leading zero), so the number it builds is the one {@code parse} would build; it then
 * asks libphonenumber itself whether that number is valid. Anything else (invalid, short service numbers, national
 * prefixes, leading zeros, other scripts or punctuation) returns null and takes the full path, so the answers are
 * the same by construction; {@code E164FastPathTest} checks that on generated numbers of every region.
 */
final class E164FastPath {
  /** libphonenumber's longest national significant number; longer input is not a number. */
  private static final int MAX_NSN_DIGITS = 17;
  private static final int MIN_NSN_DIGITS = 2;
  private static final int MAX_COUNTRY_CODE_DIGITS = 3;

  private final PhoneNumberUtil util;
  private final MetadataSource metadata = DefaultMetadataDependenciesProvider.getInstance()
      .getPhoneNumberMetadataSource();
  /** The compiled {@code nationalPrefixForParsing} per calling code; a few hundred at most. */
  private final ConcurrentHashMap<Integer, Pattern> nationalPrefixes = new ConcurrentHashMap<>();
  /** Marks a calling code whose region strips no national prefix. */
  private static final Pattern NONE = Pattern.compile("(?!)");

  E164FastPath(PhoneNumberUtil util) {
    this.util = util;
  }

  /** The input itself when it is a valid number already in E.164; null when the full path must decide. */
  String valid(String raw) {
    int length = raw.length();
    if (length < 1 + 1 + MIN_NSN_DIGITS || raw.charAt(0) != '+' || raw.charAt(1) == '0') {
      return null;
    }
    for (int i = 1; i < length; i++) {
      char c = raw.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    int countryCode = 0;
    int nsnStart = -1;
    for (int i = 1; i <= MAX_COUNTRY_CODE_DIGITS && i < length; i++) {
      countryCode = countryCode * 10 + (raw.charAt(i) - '0');
      if (!util.getRegionCodesForCountryCode(countryCode).isEmpty()) {
        nsnStart = i + 1;
        break;
      }
    }
    if (nsnStart < 0) {
      return null;
    }
    int nsnLength = length - nsnStart;
    if (nsnLength < MIN_NSN_DIGITS || nsnLength > MAX_NSN_DIGITS || raw.charAt(nsnStart) == '0') {
      return null;
    }
    String nsn = raw.substring(nsnStart);
    Pattern prefix = nationalPrefix(countryCode);
    if (prefix == null || prefix.matcher(nsn).lookingAt()) {
      return null;
    }
    PhoneNumber number = new PhoneNumber().setCountryCode(countryCode).setNationalNumber(Long.parseLong(nsn));
    return util.isValidNumber(number) ? raw : null;
  }

  /** null when the calling code has no metadata (the full path then decides). */
  private Pattern nationalPrefix(int countryCode) {
    Pattern known = nationalPrefixes.get(countryCode);
    if (known != null) {
      return known;
    }
    // parse() reads the metadata of the code's main region (or the non-geographic entity) for "+" input.
    String region = util.getRegionCodeForCountryCode(countryCode);
    PhoneMetadata meta = PhoneNumberUtil.REGION_CODE_FOR_NON_GEO_ENTITY.equals(region)
        ? metadata.getMetadataForNonGeographicalRegion(countryCode)
        : metadata.getMetadataForRegion(region);
    if (meta == null) {
      return null;
    }
    String forParsing = meta.getNationalPrefixForParsing();
    Pattern pattern = forParsing == null || forParsing.isEmpty() ? NONE : Pattern.compile(forParsing);
    nationalPrefixes.put(countryCode, pattern);
    return pattern;
  }
}
