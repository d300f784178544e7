package io.smsgw.devkit.simulator;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the simulated provider remembers: one provider message id per idempotency key (so a repeated request
 * is answered with the first id and delivered once), and counters to measure "delivered twice". The delivery
 * reports' counters are here too (each verticle sends its own reports, {@link DeliveryReportSender}); once no report
 * is in flight, {@code dlr_scheduled = dlr_sent + dlr_pending + dlr_dropped}.
 */
public final class ProviderSimulatorState {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderSimulatorState.class);

  /** Reports held in memory (scheduled, not yet acknowledged) across the simulator; beyond it they are dropped. */
  public static final long MAX_PENDING_REPORTS = 1_000_000;
  private static final long LOG_EVERY_MS = 10_000;

  private final ConcurrentHashMap<String, String> deliveredByKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> transientFailuresByKey = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  final AtomicLong repeatedRequests = new AtomicLong();
  final AtomicLong throttled = new AtomicLong();
  final AtomicLong failedTransiently = new AtomicLong();
  final AtomicLong refusedPermanently = new AtomicLong();
  final AtomicLong lateDecisions = new AtomicLong();
  final AtomicLong dlrScheduled = new AtomicLong();
  final AtomicLong dlrSent = new AtomicLong();
  final AtomicLong dlrRetries = new AtomicLong();
  final AtomicLong dlrPending = new AtomicLong();
  final AtomicLong dlrDropped = new AtomicLong();
  final AtomicLong dlrDuplicatesSent = new AtomicLong();
  private final AtomicLong lastDropLogMs = new AtomicLong();
  private final AtomicLong lastFailureLogMs = new AtomicLong();
  private final AtomicLong failuresSinceLog = new AtomicLong();

  /** Delivers under this key once; returns the provider id and whether this request was a repeat. */
  Delivery deliver(String key) {
    String fresh = "sim-" + nextId.incrementAndGet();
    String existing = deliveredByKey.putIfAbsent(key, fresh);
    if (existing != null) repeatedRequests.incrementAndGet();
    return new Delivery(existing == null ? fresh : existing, existing != null);
  }

  /** The provider message id delivered under this idempotency key, or null. */
  public String providerIdOf(String key) {
    return deliveredByKey.get(key);
  }

  /** Every delivery so far, idempotency key → provider message id (a live, read-only view). */
  public java.util.Map<String, String> deliveredKeys() {
    return java.util.Collections.unmodifiableMap(deliveredByKey);
  }

  /** How many keys have been delivered (cheap: for a per-second rate). */
  public long deliveredCount() {
    return deliveredByKey.mappingCount();
  }

  boolean alreadyDelivered(String key) {
    return deliveredByKey.containsKey(key);
  }

  /** How many times this key has failed transiently so far (for the "fails twice, then succeeds" number). */
  int countTransientFailure(String key) {
    failedTransiently.incrementAndGet();
    return transientFailuresByKey.merge(key, 1, Integer::sum);
  }

  int transientFailures(String key) {
    return transientFailuresByKey.getOrDefault(key, 0);
  }

  record Delivery(String providerMessageId, boolean repeated) {
  }

  /** A report is scheduled: true if it may be held, false if it is dropped ({@link #MAX_PENDING_REPORTS} are pending). */
  boolean admitReport() {
    dlrScheduled.incrementAndGet();
    if (dlrPending.incrementAndGet() <= MAX_PENDING_REPORTS) return true;
    dlrPending.decrementAndGet();
    long dropped = dlrDropped.incrementAndGet();
    if (due(lastDropLogMs)) {
      LOG.warn("provider simulator: {} delivery reports pending, the most it holds; {} dropped so far", MAX_PENDING_REPORTS, dropped);
    }
    return false;
  }

  /** A batch was answered 2xx: its reports are stored by the receiver. */
  void reportsAcknowledged(int reports, int duplicates) {
    dlrSent.addAndGet(reports);
    dlrDuplicatesSent.addAndGet(duplicates);
    dlrPending.addAndGet(-reports);
  }

  /** A batch failed and will be sent again; said at most once per 10 s. */
  void reportBatchFailed(String url, String why) {
    long failures = failuresSinceLog.incrementAndGet();
    if (due(lastFailureLogMs)) {
      failuresSinceLog.addAndGet(-failures);
      LOG.warn("provider simulator: delivery reports to {} failed ({}; {} failed batches since the last such line), "
        + "sent again with backoff; {} pending", url, why, failures, dlrPending.get());
    }
  }

  /** Whether {@link #LOG_EVERY_MS} have passed since {@code last}; if so, it is now. */
  private static boolean due(AtomicLong last) {
    long now = System.currentTimeMillis();
    long before = last.get();
    return now - before >= LOG_EVERY_MS && last.compareAndSet(before, now);
  }

  public JsonObject stats() {
    return new JsonObject()
      .put("received", received.get())
      .put("delivered", deliveredByKey.size())
      .put("repeated_requests", repeatedRequests.get())
      .put("throttled", throttled.get())
      .put("failed_transiently", failedTransiently.get())
      .put("refused_permanently", refusedPermanently.get())
      .put("late_decisions", lateDecisions.get())
      .put("dlr_scheduled", dlrScheduled.get())
      .put("dlr_sent", dlrSent.get())
      .put("dlr_retries", dlrRetries.get())
      .put("dlr_pending", dlrPending.get())
      .put("dlr_dropped", dlrDropped.get())
      .put("dlr_duplicates_sent", dlrDuplicatesSent.get());
  }
}
