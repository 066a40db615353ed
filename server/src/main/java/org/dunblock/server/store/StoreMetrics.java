package org.dunblock.server.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What operators need to see of Redis from the server's side: how long commands take (timed on Lettuce's thread,
 * when Redis answers, so event-loop delays do not blur it), how many fail and how many are waiting for an answer.
 */
final class StoreMetrics {
  private final Timer ok;
  private final Timer failed;
  private final Counter errors;
  private final AtomicLong inFlight = new AtomicLong();

  StoreMetrics(MeterRegistry registry) {
    this.ok = Timer.builder("dunblock.redis.commands").tag("outcome", "ok")
        .description("Redis commands and scripts sent by request handling, by outcome")
        .publishPercentileHistogram().register(registry);
    this.failed = Timer.builder("dunblock.redis.commands").tag("outcome", "error")
        .description("Redis commands and scripts sent by request handling, by outcome")
        .publishPercentileHistogram().register(registry);
    this.errors = Counter.builder("dunblock.redis.errors")
        .description("Redis commands that failed (timeouts, disconnects, refusals, script errors)").register(registry);
    Gauge.builder("dunblock.redis.pending.commands", inFlight, AtomicLong::get)
        .description("Redis commands sent and not yet answered (Lettuce's queue as the server sees it)")
        .register(registry);
  }

  <T> CompletionStage<T> observe(CompletionStage<T> stage) {
    long start = System.nanoTime();
    inFlight.incrementAndGet();
    return stage.whenComplete((result, error) -> {
      inFlight.decrementAndGet();
      long took = System.nanoTime() - start;
      if (error == null) {
        ok.record(took, TimeUnit.NANOSECONDS);
      } else {
        failed.record(took, TimeUnit.NANOSECONDS);
        errors.increment();
      }
    });
  }
}
