package org.dunblock.server.evidence;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * The time zone in which a number's calls are read as day or night. libphonenumber's
 * {@code PhoneNumberToTimeZonesMapper} lives in its separate geocoder artifact, which this build does not ship;
 * instead each region has one documented default zone (the most populous one where a region has several).
 * Regions not listed read in UTC; the pack always names the zone it used.
 */
public final class RegionZones {
  /** Region (ISO 3166-1 alpha-2) to its default zone. Documented in README, "Evidence packs". */
  static final Map<String, String> DEFAULT_ZONES = Map.ofEntries(
      Map.entry("CN", "Asia/Shanghai"), Map.entry("HK", "Asia/Hong_Kong"), Map.entry("MO", "Asia/Macau"),
      Map.entry("TW", "Asia/Taipei"), Map.entry("JP", "Asia/Tokyo"), Map.entry("KR", "Asia/Seoul"),
      Map.entry("SG", "Asia/Singapore"), Map.entry("MY", "Asia/Kuala_Lumpur"), Map.entry("ID", "Asia/Jakarta"),
      Map.entry("PH", "Asia/Manila"), Map.entry("TH", "Asia/Bangkok"), Map.entry("VN", "Asia/Ho_Chi_Minh"),
      Map.entry("KH", "Asia/Phnom_Penh"), Map.entry("MM", "Asia/Yangon"), Map.entry("IN", "Asia/Kolkata"),
      Map.entry("PK", "Asia/Karachi"), Map.entry("BD", "Asia/Dhaka"), Map.entry("LK", "Asia/Colombo"),
      Map.entry("NP", "Asia/Kathmandu"), Map.entry("AE", "Asia/Dubai"), Map.entry("SA", "Asia/Riyadh"),
      Map.entry("TR", "Europe/Istanbul"), Map.entry("RU", "Europe/Moscow"), Map.entry("GB", "Europe/London"),
      Map.entry("DE", "Europe/Berlin"), Map.entry("FR", "Europe/Paris"), Map.entry("ES", "Europe/Madrid"),
      Map.entry("IT", "Europe/Rome"), Map.entry("NL", "Europe/Amsterdam"), Map.entry("PL", "Europe/Warsaw"),
      Map.entry("NG", "Africa/Lagos"), Map.entry("KE", "Africa/Nairobi"), Map.entry("ZA", "Africa/Johannesburg"),
      Map.entry("EG", "Africa/Cairo"), Map.entry("GH", "Africa/Accra"), Map.entry("US", "America/New_York"),
      Map.entry("CA", "America/Toronto"), Map.entry("MX", "America/Mexico_City"),
      Map.entry("BR", "America/Sao_Paulo"), Map.entry("CO", "America/Bogota"), Map.entry("PE", "America/Lima"),
      Map.entry("AR", "America/Argentina/Buenos_Aires"), Map.entry("CL", "America/Santiago"),
      Map.entry("AU", "Australia/Sydney"), Map.entry("NZ", "Pacific/Auckland"));

  private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();

  /** The region an E.164 number belongs to, e.g. {@code CN}; {@code 001} for non-geographic numbers. */
  public String regionOf(String e164) {
    try {
      PhoneNumber parsed = util.parse(e164, "ZZ");
      String region = util.getRegionCodeForNumber(parsed);
      // Short service numbers are not "valid" numbers, but their country code still names the region.
      return region != null ? region : util.getRegionCodeForCountryCode(parsed.getCountryCode());
    } catch (NumberParseException e) {
      return "ZZ";
    }
  }

  public ZoneId zoneOfRegion(String region) {
    String zone = DEFAULT_ZONES.get(region);
    return zone == null ? ZoneOffset.UTC : ZoneId.of(zone);
  }

  public ZoneId zoneOf(String e164) {
    return zoneOfRegion(regionOf(e164));
  }
}
