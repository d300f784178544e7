package io.smsgw.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smsgw.domain.Priority;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Accepts as the pod that answered the 200 counts them: {@code smsgw_accepted_total{lane}}, and the time from the
 * request's arrival at the handler to that answer, {@code smsgw_accept_seconds{lane}} (histogram buckets, so p50/p99
 * aggregate across pods with histogram_quantile).
 */
final class AcceptMetrics {

  private final Map<Priority, Counter> accepted = new EnumMap<>(Priority.class);
  private final Map<Priority, Timer> latency = new EnumMap<>(Priority.class);

  AcceptMetrics() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) registry = new SimpleMeterRegistry();
    for (Priority lane : Priority.values()) {
      accepted.put(lane, Counter.builder("smsgw_accepted").description("messages accepted (answered 200) by this pod")
        .tag("lane", lane.wireName()).register(registry));
      latency.put(lane, Timer.builder("smsgw_accept").description("POST /send-sms from the handler to the 200")
        .tag("lane", lane.wireName()).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry));
    }
  }

  void accepted(Priority lane, long startedNanos) {
    accepted.get(lane).increment();
    latency.get(lane).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }
}
