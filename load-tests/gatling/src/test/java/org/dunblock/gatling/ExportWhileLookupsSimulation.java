package org.dunblock.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Carriers pulling full exports (a streamed walk of every listed number) while phones keep looking numbers up:
 * the lookups must keep their latency while the exports stream. Needs -Ddunblock.adminKey (the server's
 * DUNBLOCK_ADMIN_KEY).
 */
public class ExportWhileLookupsSimulation extends Simulation {
  ScenarioBuilder lookups = scenario("lookups during exports")
      .feed(Traffic.feeder("number", () -> Traffic.unreported().replace("+", "%2B")))
      .exec(http("lookup").get("/v1/numbers/#{number}")
          .check(status().is(200), jsonPath("$.reports").ofInt().is(0)));

  ScenarioBuilder exports = scenario("carrier export")
      .exec(http("export").get("/v1/export")
          .header("Authorization", "Bearer " + Traffic.ADMIN_KEY)
          .requestTimeout(Duration.ofMinutes(5))
          .check(status().is(200), header("X-Dunblock-Export-Version").exists()));

  {
    setUp(
        lookups.injectOpen(constantUsersPerSec(Traffic.RATE).during(Traffic.DURATION)),
        // Two carriers arrive during the first half of the lookups.
        exports.injectOpen(rampUsers(2).during(Traffic.DURATION.dividedBy(2))))
        .protocols(Traffic.protocol())
        .assertions(
            global().failedRequests().count().is(0L),
            details("lookup").responseTime().percentile(99.0).lt(Traffic.P99_MS));
  }
}
