package org.dunblock.server.number;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PhoneNumberNormalizerTest {
  final PhoneNumberNormalizer normalizer = new PhoneNumberNormalizer("CN");

  @ParameterizedTest
  @ValueSource(strings = {"+86 138 0013 8000", "138-0013-8000", "008613800138000", "13800138000",
      "+8613800138000", "(138) 0013 8000", "１３８００１３８０００"})
  void writtenFormsOfOneNumberNormaliseToE164(String raw) {
    assertEquals("+8613800138000", normalizer.normalize(raw, "CN"));
  }

  @Test
  void shortServiceNumbersAreNumbersOfTheirRegion() {
    assertEquals("+8695588", normalizer.normalize("95588", "CN"));
  }

  @Test
  void regionDecidesNationalNumbers() {
    assertEquals("+12015550123", normalizer.normalize("(201) 555-0123", normalizer.region("us")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "hello", "1", "12", "1234567890123456789012345678901234567890",
      "+86 000", "++--", "13800138000\u0000", "13800138000abc", "1-800-FLOWERS", "\u202e13800138000"})
  void impossibleNumbersAreRejected(String raw) {
    InvalidNumberException e = assertThrows(InvalidNumberException.class, () -> normalizer.normalize(raw, "CN"));
    assertEquals("invalid_number", e.code());
    // The status is the HTTP edge's: ContractIT.lookupRefusesWhatIsNotAPhoneNumber sees these answered with 400.
  }

  @Test
  void unknownRegionIsRejected() {
    assertEquals("invalid_region", assertThrows(InvalidNumberException.class, () -> normalizer.region("XX")).code());
    assertEquals("invalid_region", assertThrows(InvalidNumberException.class, () -> normalizer.region("CHN")).code());
  }
}
