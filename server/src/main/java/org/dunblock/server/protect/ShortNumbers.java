package org.dunblock.server.protect;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import com.google.i18n.phonenumbers.ShortNumberInfo;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import com.google.i18n.phonenumbers.metadata.source.RegionMetadataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;
import org.dunblock.server.reputation.ProtectionKind;
import org.dunblock.server.number.PhoneNumberNormalizer;

/**
 * The static part of number protection: whether an E.164 number is an emergency number or another short service
 * number of a region that shares its calling code, from libphonenumber's short-number metadata. Needs no Redis and
 * gives every instance the same answer.
 *
 * <p>Cheap for ordinary numbers: a calling code's short-number lengths and general short-number patterns are
 * compiled once (on first use), and a number whose national number has none of those lengths or matches none of
 * those patterns is answered with two array reads and at most one regex; one that is a valid full number by
 * {@link PhoneNumberNormalizer#fastValidE164()} (a Chinese mobile number: China's short numbers go up to 12
 * digits) with one more. Only the rest pay libphonenumber's parse and its validity and emergency checks.
 *
 * <p>A number valid as a full number (isValidNumber) is never a short one here, whatever its digits: an Indian
 * landline starting 112 must not inherit the protection of 112. Besides libphonenumber's emergency data,
 * {@link #EXTRA_EMERGENCY} adds numbers every mobile phone treats as emergency numbers (3GPP TS 22.101: 112 and 911
 * everywhere) and regional ones libphonenumber files as plain short numbers (China's 122 traffic police and 12395
 * maritime rescue).
 */
public final class ShortNumbers {
  /** National numbers (per region, "*" for every region) that are emergency numbers besides libphonenumber's. */
  static final Map<String, Set<String>> EXTRA_EMERGENCY = Map.of(
      "*", Set.of("112", "911"),
      "CN", Set.of("122", "12395"));
  private static final int CALLING_CODES = 1000;
  private static final Gate NONE = new Gate(new String[0], new boolean[0], new Pattern[0]);

  private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
  private final ShortNumberInfo info = ShortNumberInfo.getInstance();
  private final RegionMetadataSource metadata =
      DefaultMetadataDependenciesProvider.getInstance().getShortNumberMetadataSource();
  private final AtomicReferenceArray<Gate> gates = new AtomicReferenceArray<>(CALLING_CODES);
  /** Valid full numbers are never short ones; most numbers that pass the gate (CN mobiles) end here. */
  private final java.util.function.Predicate<String> validFullNumber = PhoneNumberNormalizer.fastValidE164();

  /** A calling code's regions with short-number data, which lengths may be short, and each region's pattern. */
  private record Gate(String[] regions, boolean[] lengths, Pattern[] general) {
    boolean mayBeShort(String nsn) {
      if (nsn.length() >= lengths.length || !lengths[nsn.length()]) {
        return false;
      }
      for (Pattern p : general) {
        if (p.matcher(nsn).matches()) {
          return true;
        }
      }
      return false;
    }
  }

  /** EMERGENCY, SERVICE, or null for a number that is no short number of any region of its calling code. */
  public ProtectionKind classify(String e164) {
    if (e164 == null || e164.length() < 3 || e164.charAt(0) != '+') {
      return null;
    }
    // E.164 calling codes are prefix-free: the first 1 to 3 digits that form an assigned code are the code.
    int code = 0;
    int nsnStart = -1;
    for (int i = 1; i <= 3 && i < e164.length(); i++) {
      char c = e164.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      code = code * 10 + (c - '0');
      if (!util.getRegionCodesForCountryCode(code).isEmpty()) {
        nsnStart = i + 1;
        break;
      }
    }
    if (nsnStart < 0 || nsnStart >= e164.length()) {
      return null;
    }
    String nsn = e164.substring(nsnStart);
    Gate gate = gate(code);
    if (!gate.mayBeShort(nsn) || validFullNumber.test(e164)) {
      return null;
    }
    PhoneNumber parsed;
    try {
      parsed = util.parse(e164, "ZZ");
    } catch (NumberParseException e) {
      return null;
    }
    if (util.isValidNumber(parsed) || !util.getNationalSignificantNumber(parsed).equals(nsn)) {
      return null;
    }
    boolean service = false;
    for (String region : gate.regions()) {
      if (info.isEmergencyNumber(nsn, region) || extraEmergency(nsn, region)
          && info.isPossibleShortNumberForRegion(parsed, region)) {
        return ProtectionKind.EMERGENCY;
      }
      service |= info.isValidShortNumberForRegion(parsed, region);
    }
    return service ? ProtectionKind.SERVICE : null;
  }

  private static boolean extraEmergency(String nsn, String region) {
    return EXTRA_EMERGENCY.get("*").contains(nsn) || EXTRA_EMERGENCY.getOrDefault(region, Set.of()).contains(nsn);
  }

  private Gate gate(int code) {
    Gate known = gates.get(code);
    if (known == null) {
      known = compile(code);
      gates.set(code, known);
    }
    return known;
  }

  private Gate compile(int code) {
    List<String> regions = new ArrayList<>();
    List<Pattern> patterns = new ArrayList<>();
    boolean[] lengths = new boolean[32];
    for (String region : util.getRegionCodesForCountryCode(code)) {
      PhoneMetadata meta;
      try {
        meta = metadata.getMetadataForRegion(region);
      } catch (RuntimeException e) {
        meta = null;
      }
      if (meta == null || !meta.hasGeneralDesc()) {
        continue;
      }
      regions.add(region);
      patterns.add(Pattern.compile(meta.getGeneralDesc().getNationalNumberPattern()));
      for (int length : meta.getGeneralDesc().getPossibleLengthList()) {
        if (length < lengths.length) {
          lengths[length] = true;
        }
      }
    }
    return regions.isEmpty() ? NONE
        : new Gate(regions.toArray(String[]::new), lengths, patterns.toArray(Pattern[]::new));
  }
}
