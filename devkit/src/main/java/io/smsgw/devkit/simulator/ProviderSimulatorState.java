package io.smsgw.devkit.simulator;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the simulated provider remembers: one provider message id per idempotency key (so a repeated request
 * is answered with the first id and delivered once), and counters to measure "delivered twice".
 */
public final class ProviderSimulatorState {

  private final ConcurrentHashMap<String, String> deliveredByKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Integer> transientFailuresByKey = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  final AtomicLong repeatedRequests = new AtomicLong();
  final AtomicLong throttled = new AtomicLong();
  final AtomicLong failedTransiently = new AtomicLong();
  final AtomicLong refusedPermanently = new AtomicLong();
  final AtomicLong lateDecisions = new AtomicLong();

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

  public JsonObject stats() {
    return new JsonObject()
      .put("received", received.get())
      .put("delivered", deliveredByKey.size())
      .put("repeated_requests", repeatedRequests.get())
      .put("throttled", throttled.get())
      .put("failed_transiently", failedTransiently.get())
      .put("refused_permanently", refusedPermanently.get())
      .put("late_decisions", lateDecisions.get());
  }
}
