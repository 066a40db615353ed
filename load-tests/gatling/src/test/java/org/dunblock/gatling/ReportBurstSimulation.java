package org.dunblock.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.UUID;

/**
 * A burst of reports: every user is a new reporter on its own network (X-Forwarded-For, trusted from loopback)
 * who takes a token, reports a number under an Idempotency-Key, and retries the same report as a flaky network
 * would. The retry must be answered from the stored report (Idempotent-Replayed), never counted twice. Many
 * reporters hit the same few numbers, as a campaign against one collector does.
 *
 * <p>Run it against a server started with DUNBLOCK_TRUSTED_PROXIES=127.0.0.1 and lifted per-day limits
 * (DUNBLOCK_TOKENS_PER_NETWORK_PER_DAY, DUNBLOCK_REPORTS_PER_REPORTER_PER_DAY), as load-tests/gatling.sh does.
 */
public class ReportBurstSimulation extends Simulation {
  ScenarioBuilder reporters = scenario("reporter")
      .feed(Traffic.feeder("network", Traffic::network))
      .feed(Traffic.feeder("key", () -> UUID.randomUUID().toString()))
      // A campaign: reports concentrate on 100 numbers.
      .feed(Traffic.feeder("number", () -> "+86188" + (10_000_000
          + java.util.concurrent.ThreadLocalRandom.current().nextInt(100))))
      .exec(http("token").post("/v1/reporters").header("X-Forwarded-For", "#{network}")
          .check(status().is(201), jsonPath("$.token").saveAs("token")))
      .exec(report("report").check(status().is(202), jsonPath("$.reportId").saveAs("reportId")))
      .exec(report("retry").check(status().is(202), header("Idempotent-Replayed").is("true"),
          jsonPath("$.reportId").isEL("#{reportId}")));

  private static io.gatling.javaapi.http.HttpRequestActionBuilder report(String name) {
    return http(name).post("/v1/reports")
        .header("X-Forwarded-For", "#{network}")
        .header("Authorization", "Bearer #{token}")
        .header("Idempotency-Key", "#{key}")
        .header("Content-Type", "application/json")
        .body(StringBody("{\"number\":\"#{number}\",\"category\":\"DEBT_COLLECTION\"}"));
  }

  {
    setUp(reporters.injectOpen(constantUsersPerSec(Traffic.RATE).during(Traffic.DURATION)))
        .protocols(Traffic.protocol())
        .assertions(
            global().failedRequests().count().is(0L),
            details("report").responseTime().percentile(99.0).lt(Traffic.P99_MS * 4));
  }
}
