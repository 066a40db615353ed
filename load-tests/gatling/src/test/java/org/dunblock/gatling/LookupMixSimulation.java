package org.dunblock.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Choice;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Phones asking about incoming calls: 95 % of the numbers nobody reported (the filter answers), 5 % reported ones
 * (Redis answers), arriving at a constant rate whatever the server does (open model).
 */
public class LookupMixSimulation extends Simulation {
  ScenarioBuilder lookups = scenario("lookups 95/5")
      .feed(Traffic.feeder("unreported", Traffic::unreported))
      .feed(Traffic.feeder("reported", Traffic::reported))
      .exec(randomSwitch().on(
          new Choice.WithWeight(95.0, exec(http("unreported").get(s -> "/v1/numbers/"
              + s.getString("unreported").replace("+", "%2B"))
              .check(status().is(200), jsonPath("$.reports").ofInt().is(0)))),
          new Choice.WithWeight(5.0, exec(http("reported").get(s -> "/v1/numbers/"
              + s.getString("reported").replace("+", "%2B"))
              .check(status().is(200), jsonPath("$.verdict").exists())))));

  {
    setUp(lookups.injectOpen(constantUsersPerSec(Traffic.RATE).during(Traffic.DURATION)))
        .protocols(Traffic.protocol())
        .assertions(
            global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(Traffic.P99_MS));
  }
}
