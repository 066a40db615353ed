package org.dunblock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.util.List;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/** What a newer server may send, and what Android hands the builder. */
class ServerAnswerParsingTest {
  @Test
  void unknownVerdictFromANewerServerIsReadAsWarnAndUnknownReasonsAreKept() {
    Reputation r = DunblockClient.reputation(new JSONObject()
        .put("number", "+8613800138000").put("verdict", "QUARANTINE").put("score", 0.7)
        .put("reasons", List.of("CROWD_REPORTS", "SOMETHING_NEW")));
    assertEquals(Verdict.WARN, r.verdict());
    assertEquals(List.of("CROWD_REPORTS", "SOMETHING_NEW"), r.reasons());
  }

  @Test
  void defaultRegionIsAcceptedInAnyCaseAndBlankFallsBackToCn() {
    DunblockClientOptions.Builder b = DunblockClientOptions.builder().baseUrl("http://127.0.0.1:1/")
        .dataDir(new File("unused"));
    assertEquals("CN", b.defaultRegion("cn").build().defaultRegion());
    assertEquals("US", b.defaultRegion("us").build().defaultRegion());
    assertEquals("CN", b.defaultRegion("").build().defaultRegion());
    assertEquals("CN", b.defaultRegion("??").build().defaultRegion());
  }
}
