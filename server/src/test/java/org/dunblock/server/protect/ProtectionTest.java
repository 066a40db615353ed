package org.dunblock.server.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.config.PatternPolicy;
import org.dunblock.server.config.ScoringPolicy;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.ProtectionKind;
import org.dunblock.server.reputation.Reasons;
import org.dunblock.server.reputation.Reputation;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.reputation.Verdict;
import org.junit.jupiter.api.Test;

/** DESIGN.md rule 9 on the calculator: which numbers are protected, and how far the crowd may take them. */
class ProtectionTest {
  static final long NOW = 1_800_000_000_000L;
  final ShortNumbers shortNumbers = new ShortNumbers();
  final VerifiedCallers register = new VerifiedCallers();
  final ReputationCalculator calculator = new ReputationCalculator(ScoringPolicy.defaults(), PatternPolicy.defaults(),
      Duration.ofDays(365), new Protection(shortNumbers, register));
  final PhoneNumberNormalizer cn = new PhoneNumberNormalizer("CN");

  /** A record the crowd blocks: ten reporters on ten networks, all THREAT. */
  static Map<String, String> blocked() {
    Map<String, String> f = new HashMap<>();
    f.put("neg", "10");
    f.put("leg", "0");
    f.put("ref", Long.toString(NOW));
    f.put("reports", "10");
    f.put("negr", "10");
    f.put("negnets", "10");
    f.put("first", Long.toString(NOW));
    f.put("last", Long.toString(NOW));
    f.put("c:THREAT", "10");
    return f;
  }

  String e164(String raw, String region) {
    return cn.normalize(raw, region);
  }

  @Test
  void emergencyNumbersOfEveryRegionAreRecognised() {
    for (String[] n : new String[][] {{"110", "CN"}, {"119", "CN"}, {"120", "CN"}, {"122", "CN"}, {"112", "CN"},
        {"911", "US"}, {"999", "GB"}, {"112", "DE"}, {"112", "FR"}, {"000", "AU"}, {"110", "JP"}}) {
      assertEquals(ProtectionKind.EMERGENCY, shortNumbers.classify(e164(n[0], n[1])), n[0] + " in " + n[1]);
    }
  }

  @Test
  void otherShortNumbersAreServiceNumbers() {
    for (String n : new String[] {"95588", "10086", "12321", "95533"}) {
      assertEquals(ProtectionKind.SERVICE, shortNumbers.classify(e164(n, "CN")), n);
    }
  }

  @Test
  void ordinaryNumbersAreNotProtected() {
    // Mobile and fixed lines, including a Delhi landline that starts with 112 and one that starts with 110.
    for (String n : new String[] {"+8613800138000", "+861012345678", "+14155550123", "+442079460000",
        "+911123456789", "+911102345678", "+4915112345678"}) {
      assertNull(shortNumbers.classify(n), n);
    }
  }

  @Test
  void emergencyNumberStaysAllowWhateverTheCrowdSays() {
    Reputation r = calculator.evaluate("+86110", blocked(), NOW);
    assertEquals(Verdict.ALLOW, r.verdict());
    assertEquals(List.of(Reasons.CROWD_REPORTS, Reasons.PROTECTED_NUMBER), r.reasons());
    assertEquals(10, r.reporters(), "the reports are still counted and shown");
    assertEquals(Verdict.BLOCK, calculator.crowdOnly("+86110", blocked(), NOW).verdict());
  }

  @Test
  void abusePatternsCannotWarnAnEmergencyNumber() {
    Map<String, String> f = new HashMap<>();
    f.put("ref", Long.toString(NOW));
    f.put("reports", "1");
    f.put("negr", "0");
    f.put("fan_until", Long.toString(NOW + 60_000));
    Reputation r = calculator.evaluate("+86120", f, NOW);
    assertEquals(Verdict.ALLOW, r.verdict());
    assertTrue(r.reasons().contains(Reasons.PROTECTED_NUMBER));
  }

  @Test
  void serviceNumberAndVerifiedCallerAreAtMostWarn() {
    assertEquals(Verdict.WARN, calculator.evaluate("+8695588", blocked(), NOW).verdict());
    assertEquals(Verdict.BLOCK, calculator.evaluate("+8613800138000", blocked(), NOW).verdict());
    register.put("+8613800138000", new VerifiedCallers.Entry("Hospital", CallerCategory.HOSPITAL, null, NOW, "k"));
    Reputation r = calculator.evaluate("+8613800138000", blocked(), NOW);
    assertEquals(Verdict.WARN, r.verdict());
    assertTrue(r.reasons().contains(Reasons.PROTECTED_NUMBER));
    assertEquals(ProtectionKind.VERIFIED_CALLER, calculator.protection("+8613800138000"));
  }

  @Test
  void aWarnWithinTheCapGetsNoProtectionReason() {
    Map<String, String> one = blocked();
    one.put("negnets", "1");
    one.put("negr", "1");
    Reputation r = calculator.evaluate("+8695588", one, NOW);
    assertEquals(Verdict.WARN, r.verdict());
    assertFalse(r.reasons().contains(Reasons.PROTECTED_NUMBER));
  }

  @Test
  void onlyTheNumbersOwnOverrideBlocksAnEmergencyNumber() {
    Map<String, String> prefixBlock = Map.of("ovr", "BLOCK");
    assertEquals(Verdict.ALLOW, calculator.evaluate("+86110", blocked(), prefixBlock, null, NOW).verdict());
    assertEquals(Verdict.BLOCK, calculator.evaluate("+8695588", blocked(), prefixBlock, null, NOW).verdict());
    Map<String, String> own = blocked();
    own.put("ovr", "BLOCK");
    Reputation r = calculator.evaluate("+86110", own, NOW);
    assertEquals(Verdict.BLOCK, r.verdict());
    assertEquals(Reasons.OPERATOR_OVERRIDE, r.reasons().get(0));
  }

  @Test
  void anUnreportedProtectedNumberIsThePlainUnreportedAnswer() {
    assertEquals(Reputation.unreported("+86110"), calculator.evaluate("+86110", Map.of(), NOW));
    assertEquals(Reputation.unreported("+8695588"), calculator.evaluate("+8695588", Map.of(), NOW));
  }
}
