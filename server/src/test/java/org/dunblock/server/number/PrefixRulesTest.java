package org.dunblock.server.number;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrefixRulesTest {
  final PrefixRules rules = new PrefixRules();

  @ParameterizedTest
  @ValueSource(strings = {"+86138001", "+861380013", "+8613800138", "+1201555", "+86 138 001"})
  void blocksOfAtLeastAThousandNumbersInsideAnAreaAreAllowed(String prefix) {
    assertEquals(prefix.replace(" ", ""), rules.validate(prefix));
  }

  @ParameterizedTest
  @ValueSource(strings = {"+86", "+861", "+86138", "+1201", "+86138001380", "86138001", "+86abc", "", "+0123456"})
  void wholeCountriesAreasAndNearlyWholeNumbersAreRefused(String prefix) {
    InvalidNumberException e = assertThrows(InvalidNumberException.class, () -> rules.validate(prefix));
    assertEquals("invalid_prefix", e.code());
  }
}
