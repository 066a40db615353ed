package org.dunblock.server.number;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneMetadata;
import com.google.i18n.phonenumbers.Phonemetadata.PhoneNumberDesc;
import com.google.i18n.phonenumbers.metadata.DefaultMetadataDependenciesProvider;
import com.google.i18n.phonenumbers.metadata.source.MetadataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;

/**
 * Recognises input that is already E.164 ({@code +} and ASCII digits) and valid, without libphonenumber's
 * {@code parse} or {@code isValidNumber}: parsing costs about three quarters of a normalisation (its extension,
 * viability and punctuation regexes), and apps send numbers in E.164 nearly always.
 *
 * <p>For such input {@code parse} takes the country calling code as the shortest known code at the start, then
 * strips a national prefix (or carrier code) only when the region's {@code nationalPrefixForParsing} pattern
 * matches the start of the rest, and keeps leading zeros aside. This class takes the number only when neither of
 * those can happen (no match, no leading zero), so the number it builds is the one {@code parse} would build.
 *
 * <p>It then decides validity as {@code isValidNumber} does, from the same metadata compiled once per calling code
 * (libphonenumber looks the metadata up, and runs up to eleven patterns through its regex cache, on every call):
 * the region is the code's only one, or the first of its regions whose leading digits start the number (or, for a
 * region without leading digits, for which the number is valid); the number is valid for a region when it matches
 * the general description (possible lengths and pattern) and the description of some number type (its possible
 * lengths, if it has any, and its pattern; mobile only where it differs from fixed line). Per region and length
 * those become one {@link DigitAutomaton} (the general pattern's and the types' intersected: one array read per
 * digit instead of a backtracking regex), as do the leading digits and national prefixes; a pattern the automaton
 * cannot take stays a regex. Anything else (invalid, short service numbers, national prefixes, leading zeros, other
 * scripts or punctuation) returns null and takes the full path; {@code E164FastPathTest} checks the answers equal
 * libphonenumber's on generated numbers of every region.
 */
final class E164FastPath {
  /** libphonenumber's longest national significant number; longer input is not a number. */
  private static final int MAX_NSN_DIGITS = 17;
  private static final int MIN_NSN_DIGITS = 2;
  private static final int MAX_COUNTRY_CODE_DIGITS = 3;
  private static final int CALLING_CODES = 1000;
  /** Marks a calling code whose metadata libphonenumber does not have: the full path decides. */
  private static final CallingCode UNKNOWN = new CallingCode(null, null);

  private final PhoneNumberUtil util;
  private final MetadataSource metadata = DefaultMetadataDependenciesProvider.getInstance()
      .getPhoneNumberMetadataSource();
  /** Whether a calling code is assigned, by code. */
  private final boolean[] assigned = new boolean[CALLING_CODES];
  /** Each calling code's rules, compiled on first use (a few hundred codes at most). */
  private final AtomicReferenceArray<CallingCode> codes = new AtomicReferenceArray<>(CALLING_CODES);

  /**
   * A pattern of the metadata, as a {@link DigitAutomaton} (one array read per digit) or, where that cannot be
   * built, as the regex itself.
   */
  private record DigitPattern(DigitAutomaton automaton, Pattern regex) {
    static DigitPattern of(String regex) {
      DigitAutomaton automaton = DigitAutomaton.compile(regex);
      return new DigitPattern(automaton, automaton == null ? Pattern.compile(regex) : null);
    }

    boolean matches(String digits) {
      return automaton != null ? automaton.matches(digits) : regex.matcher(digits).matches();
    }

    boolean lookingAt(String digits) {
      return automaton != null ? automaton.lookingAt(digits) : regex.matcher(digits).lookingAt();
    }

    int states() {
      return automaton == null ? 0 : automaton.states();
    }
  }

  /** A calling code's {@code nationalPrefixForParsing} (null: none) and its regions in libphonenumber's order. */
  private record CallingCode(DigitPattern nationalPrefix, Region[] regions) {
    boolean valid(String nsn) {
      if (regions.length == 1) {
        return regions[0].valid(nsn);
      }
      for (Region region : regions) {
        if (region.leadingDigits() != null) {
          if (region.leadingDigits().lookingAt(nsn)) {
            return region.valid(nsn);
          }
        } else if (region.valid(nsn)) {
          return true;
        }
      }
      return false;
    }
  }

  /** A region's leading digits (null: none) and, per national number length, its validity pattern (null: never). */
  private record Region(DigitPattern leadingDigits, DigitPattern[] byLength) {
    boolean valid(String nsn) {
      DigitPattern pattern = nsn.length() < byLength.length ? byLength[nsn.length()] : null;
      return pattern != null && pattern.matches(nsn);
    }
  }

  E164FastPath(PhoneNumberUtil util) {
    this.util = util;
    for (int code = 1; code < CALLING_CODES; code++) {
      assigned[code] = !util.getRegionCodesForCountryCode(code).isEmpty();
    }
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
      if (assigned[countryCode]) {
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
    CallingCode code = callingCode(countryCode);
    if (code == UNKNOWN || code.nationalPrefix() != null && code.nationalPrefix().lookingAt(nsn)) {
      return null;
    }
    return code.valid(nsn) ? raw : null;
  }

  /**
   * {@code isValidNumber} for a number of an assigned calling code whose national significant number has no
   * leading zero; null when libphonenumber has no metadata for the code. For {@code E164FastPathTest}.
   */
  Boolean validNumber(int countryCode, String nsn) {
    CallingCode code = callingCode(countryCode);
    return code == UNKNOWN ? null : code.valid(nsn);
  }

  /**
   * The automata states and the patterns left as regexes of every calling code, all compiled (each state is ten
   * ints): what the fast path holds once every code was looked up. For {@code E164FastPathTest}.
   */
  long[] compileAll() {
    long states = 0;
    long regexes = 0;
    for (int countryCode = 1; countryCode < CALLING_CODES; countryCode++) {
      if (!assigned[countryCode] || callingCode(countryCode) == UNKNOWN) {
        continue;
      }
      CallingCode code = callingCode(countryCode);
      List<DigitPattern> patterns = new ArrayList<>();
      patterns.add(code.nationalPrefix());
      for (Region region : code.regions()) {
        patterns.add(region.leadingDigits());
        patterns.addAll(java.util.Arrays.asList(region.byLength()));
      }
      for (DigitPattern pattern : patterns) {
        if (pattern != null) {
          states += pattern.states();
          regexes += pattern.automaton() == null ? 1 : 0;
        }
      }
    }
    return new long[] {states, regexes};
  }

  private CallingCode callingCode(int countryCode) {
    CallingCode known = codes.get(countryCode);
    if (known == null) {
      known = compile(countryCode);
      codes.set(countryCode, known);
    }
    return known;
  }

  private CallingCode compile(int countryCode) {
    // parse() reads the metadata of the code's main region (or the non-geographic entity) for "+" input.
    List<String> regionCodes = util.getRegionCodesForCountryCode(countryCode);
    List<Region> regions = new ArrayList<>(regionCodes.size());
    PhoneMetadata main = null;
    for (String regionCode : regionCodes) {
      PhoneMetadata meta = PhoneNumberUtil.REGION_CODE_FOR_NON_GEO_ENTITY.equals(regionCode)
          ? metadata.getMetadataForNonGeographicalRegion(countryCode)
          : metadata.getMetadataForRegion(regionCode);
      if (meta == null) {
        return UNKNOWN;
      }
      main = main == null ? meta : main;
      regions.add(region(meta));
    }
    if (main == null) {
      return UNKNOWN;
    }
    String forParsing = main.getNationalPrefixForParsing();
    return new CallingCode(forParsing == null || forParsing.isEmpty() ? null : DigitPattern.of(forParsing),
        regions.toArray(Region[]::new));
  }

  private static Region region(PhoneMetadata meta) {
    // Any order gives the same answer; the types looked up most come first.
    List<PhoneNumberDesc> types = new ArrayList<>();
    if (!meta.getSameMobileAndFixedLinePattern()) {
      types.add(meta.getMobile());
    }
    types.addAll(List.of(meta.getFixedLine(), meta.getTollFree(), meta.getPremiumRate(), meta.getSharedCost(),
        meta.getVoip(), meta.getPersonalNumber(), meta.getPager(), meta.getUan(), meta.getVoicemail()));
    PhoneNumberDesc general = meta.getGeneralDesc();
    DigitPattern[] byLength = new DigitPattern[MAX_NSN_DIGITS + 1];
    DigitAutomaton generalAutomaton = DigitAutomaton.compile(general.getNationalNumberPattern());
    for (int length = MIN_NSN_DIGITS; length <= MAX_NSN_DIGITS; length++) {
      if (!possible(general, length)) {
        continue;
      }
      List<String> alternatives = new ArrayList<>();
      for (PhoneNumberDesc type : types) {
        if (possible(type, length)) {
          alternatives.add(type.getNationalNumberPattern());
        }
      }
      if (!alternatives.isEmpty()) {
        // The general pattern must match the whole number, and so must one of the types' (matches()).
        DigitAutomaton anyType = generalAutomaton == null ? null : DigitAutomaton.anyOf(alternatives);
        DigitAutomaton both = anyType == null ? null : generalAutomaton.and(anyType);
        byLength[length] = new DigitPattern(both, both != null ? null
            : Pattern.compile("(?=(?:" + general.getNationalNumberPattern() + ")\\z)(?:"
                + String.join("|", alternatives.stream().map(a -> "(?:" + a + ")").toList()) + ")"));
      }
    }
    DigitPattern leadingDigits = meta.hasLeadingDigits() ? DigitPattern.of(meta.getLeadingDigits()) : null;
    return new Region(leadingDigits, byLength);
  }

  /** Whether a description can match a number of this length: a pattern, and the length among its possible ones. */
  private static boolean possible(PhoneNumberDesc desc, int length) {
    return !desc.getNationalNumberPattern().isEmpty()
        && (desc.getPossibleLengthCount() == 0 || desc.getPossibleLengthList().contains(length));
  }
}
