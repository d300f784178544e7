package io.smsgw.bulk;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Bulk send on {@code /metrics}: {@code smsgw_bulks_total{outcome}} (accept_bulk's outcomes, and {@code failed} for a
 * bulk without one), {@code smsgw_bulk_recipients_total{outcome="accepted"|"rejected"}} (of accepted bulks), and two
 * timers whose difference says where a bulk's time goes: {@code smsgw_bulk_transaction_seconds} (accept_bulk alone, in
 * the bulk verticle) and {@code smsgw_bulk_accept_seconds} (the handler, body check and rate limit included, to the
 * answer).
 */
public final class BulkMetrics {

  private final MeterRegistry registry;
  private final Counter acceptedRecipients;
  private final Counter rejectedRecipients;
  private final Timer transaction;
  private final Timer accept;

  public BulkMetrics() {
    MeterRegistry found = BackendRegistries.getDefaultNow();
    registry = found == null ? new SimpleMeterRegistry() : found;
    acceptedRecipients = Counter.builder("smsgw_bulk_recipients").tag("outcome", "accepted")
      .description("recipients of accepted bulks stored and charged").register(registry);
    rejectedRecipients = Counter.builder("smsgw_bulk_recipients").tag("outcome", "rejected")
      .description("recipients of accepted bulks rejected per item").register(registry);
    transaction = timer("smsgw_bulk_transaction", "accept_bulk, one bulk's transaction");
    accept = timer("smsgw_bulk_accept", "POST /send-sms/bulk from the handler to the answer");
  }

  private Timer timer(String name, String description) {
    return Timer.builder(name).description(description).publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
  }

  void outcome(BulkOutcome.Kind kind, long startedNanos) {
    transaction.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    bulks(kind.name().toLowerCase(Locale.ROOT));
  }

  void accepted(int stored, int rejected) {
    acceptedRecipients.increment(stored);
    rejectedRecipients.increment(rejected);
  }

  void bulks(String outcome) {
    Counter.builder("smsgw_bulks").tag("outcome", outcome).description("bulks by outcome").register(registry).increment();
  }

  public void answered(long startedNanos) {
    accept.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
  }
}
