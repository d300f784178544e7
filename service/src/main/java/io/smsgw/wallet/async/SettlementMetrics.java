package io.smsgw.wallet.async;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;

/**
 * What settlement did, on /metrics: messages by outcome, the money of those PostgreSQL could not pay for (the
 * over-acceptance of async mode: its size is the window), and the lag from the 200 to the PostgreSQL charge.
 */
final class SettlementMetrics {

  final Counter accepted;
  final Counter rejected;
  final Counter rejectedAmount;
  final Counter duplicates;
  final Counter refused;
  final Timer lag;

  SettlementMetrics() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) registry = new SimpleMeterRegistry();
    accepted = Counter.builder("smsgw_settlement_messages").tag("outcome", "accepted").register(registry);
    rejected = Counter.builder("smsgw_settlement_messages").tag("outcome", "rejected").register(registry);
    duplicates = Counter.builder("smsgw_settlement_messages").tag("outcome", "duplicate").register(registry);
    refused = Counter.builder("smsgw_settlement_messages").tag("outcome", "refused").register(registry);
    rejectedAmount = Counter.builder("smsgw_settlement_rejected_amount")
      .description("money answered 200 that PostgreSQL could not pay at settlement").register(registry);
    lag = Timer.builder("smsgw_settlement_lag").description("time from the 200 to the PostgreSQL charge")
      .publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
  }
}
