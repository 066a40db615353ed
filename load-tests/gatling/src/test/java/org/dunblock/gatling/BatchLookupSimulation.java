package org.dunblock.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Apps syncing a contact list or a call log: batches of 50 numbers, 95 % unreported and 5 % reported, each batch
 * answered with one result per number.
 */
public class BatchLookupSimulation extends Simulation {
  static final int SIZE = 50;

  ScenarioBuilder batches = scenario("batch of " + SIZE)
      .exec(http("batch lookup").post("/v1/numbers/lookup")
          .header("Content-Type", "application/json")
          .body(StringBody(s -> body()))
          .check(status().is(200), jsonPath("$.results[" + (SIZE - 1) + "].number").exists()));

  static String body() {
    StringBuilder json = new StringBuilder("{\"numbers\":[");
    for (int i = 0; i < SIZE; i++) {
      String number = java.util.concurrent.ThreadLocalRandom.current().nextInt(100) < 5
          ? Traffic.reported() : Traffic.unreported();
      json.append(i == 0 ? "\"" : ",\"").append(number).append('"');
    }
    return json.append("]}").toString();
  }

  {
    setUp(batches.injectOpen(constantUsersPerSec(Traffic.RATE).during(Traffic.DURATION)))
        .protocols(Traffic.protocol())
        .assertions(
            global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(Traffic.P99_MS * 4));
  }
}
