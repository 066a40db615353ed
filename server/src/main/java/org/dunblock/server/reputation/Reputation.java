package org.dunblock.server.reputation;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer to a lookup: the verdict on a number and the evidence behind it. Never names a reporter. */
public record Reputation(
    String number,
    Verdict verdict,
    double score,
    long reports,
    long reporters,
    long networks,
    Map<String, Long> categories,
    List<String> reasons,
    Instant firstReported,
    Instant lastReported,
    boolean degraded) {

  /** The answer for a number nobody reported: exactly what an empty Redis record evaluates to. */
  public static Reputation unreported(String number) {
    return new Reputation(number, Verdict.ALLOW, 0.0, 0, 0, 0, Map.of(), List.of(), null, null, false);
  }

  /** The fail-open answer when the store cannot be asked in time: let the call ring, and say so. */
  public static Reputation degraded(String number) {
    return new Reputation(number, Verdict.ALLOW, 0.0, 0, 0, 0, Map.of(), List.of(Reasons.DEGRADED), null, null, true);
  }

  public JsonObject toJson() {
    JsonObject cats = new JsonObject();
    categories.forEach(cats::put);
    JsonObject json = new JsonObject()
        .put("number", number)
        .put("verdict", verdict.name())
        .put("score", score)
        .put("reports", reports)
        .put("reporters", reporters)
        .put("networks", networks)
        .put("categories", cats)
        .put("reasons", new JsonArray(List.copyOf(reasons)))
        .put("firstReported", firstReported == null ? null : firstReported.toString())
        .put("lastReported", lastReported == null ? null : lastReported.toString());
    if (degraded) {
      json.put("degraded", true);
    }
    return json;
  }
}
