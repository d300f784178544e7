package io.smsgw.sending;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a lane's senders did, on the worker's /metrics: outcomes stored, by kind; outcomes that were stale (their
 * claim fenced out) and claims given back unsent; the time from the 200 to the
 * stored {@code sent}; and how long the provider took to answer a batch. Counted after the outcome is committed,
 * so the figures agree with PostgreSQL.
 */
final class SenderMetrics {

  private final Map<Outcome.Kind, Counter> outcomes = new EnumMap<>(Outcome.Kind.class);
  private final Map<Outcome.Kind, Counter> stale = new EnumMap<>(Outcome.Kind.class);
  private final Counter claimsDropped;
  private final Counter notRouted;
  private final Timer acceptToSent;
  private final Timer providerBatch;

  SenderMetrics(Priority lane) {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) registry = new SimpleMeterRegistry();
    for (Outcome.Kind kind : Outcome.Kind.values()) {
      outcomes.put(kind, Counter.builder("smsgw_sender_outcomes").description("send outcomes stored in PostgreSQL")
        .tag("lane", lane.wireName()).tag("outcome", kind.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
    }
    for (Outcome.Kind kind : Outcome.Kind.values()) {
      stale.put(kind, Counter.builder("smsgw_sender_stale_outcomes")
        .description("outcomes of claims that were no longer current (another worker had taken the message): not applied")
        .tag("lane", lane.wireName()).tag("outcome", kind.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
    }
    claimsDropped = Counter.builder("smsgw_sender_claims_dropped")
      .description("claims given back unsent because too little of the claim was left for a send (the worker had stalled)")
      .tag("lane", lane.wireName()).register(registry);
    notRouted = Counter.builder("smsgw_sender_not_routed")
      .description("sends given back unsent because every provider of the message's route had its circuit breaker open")
      .tag("lane", lane.wireName()).register(registry);
    acceptToSent = Timer.builder("smsgw_sender_accept_to_sent").description("from the 200 to the provider taking the message (sent_at)")
      .tag("lane", lane.wireName()).publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    providerBatch = Timer.builder("smsgw_provider_batch").description("one provider request, from send to answer")
      .tag("lane", lane.wireName()).publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
  }

  void stored(SmsMessage message, Outcome outcome) {
    outcomes.get(outcome.kind()).increment();
    if (outcome.kind() == Outcome.Kind.SENT) {
      acceptToSent.record(Math.max(0, outcome.atMs() - message.acceptedAtMillis()), TimeUnit.MILLISECONDS);
    }
  }

  void stale(Outcome outcome) {
    stale.get(outcome.kind()).increment();
  }

  void claimsDropped(int count) {
    claimsDropped.increment(count);
  }

  void notRouted() {
    notRouted.increment();
  }

  void providerAnswered(long startedNanos) {
    providerBatch.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }
}
