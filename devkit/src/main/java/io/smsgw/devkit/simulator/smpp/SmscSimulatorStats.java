package io.smsgw.devkit.simulator.smpp;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the SMSC simulator counts and remembers, for the tests and the bench. Its own class, not
 * {@code ProviderSimulatorState}: that one keeps one provider id per idempotency key (the HTTP provider delivers a key
 * once), while an SMSC delivers every submit, so here a key maps to the SMSC ids of all its accepted parts; and its
 * counters are package-private to the HTTP simulator. It lives as long as the {@link SmscSimulator} object, across
 * {@code stop()} / {@code start()}: a restarted SMSC still knows what it accepted.
 *
 * <p>Once no receipt is in flight, {@code receipts_scheduled = receipts_sent + receipts_pending + receipts_dropped}.
 */
public final class SmscSimulatorStats {

  final AtomicLong bindsOpen = new AtomicLong();
  final AtomicLong bindsTotal = new AtomicLong();
  final AtomicLong bindsRefused = new AtomicLong();
  final AtomicLong submitsReceived = new AtomicLong();
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong throttled = new AtomicLong();
  final AtomicLong failedTransiently = new AtomicLong();
  final AtomicLong refusedPermanently = new AtomicLong();
  final AtomicLong repeatedRequests = new AtomicLong();
  final AtomicLong parts = new AtomicLong();
  final AtomicLong lateAnswers = new AtomicLong();
  final AtomicLong receiptsScheduled = new AtomicLong();
  final AtomicLong receiptsSent = new AtomicLong();
  final AtomicLong receiptsPending = new AtomicLong();
  final AtomicLong receiptsDropped = new AtomicLong();
  final AtomicLong receiptsRetries = new AtomicLong();
  final AtomicLong receiptsDuplicates = new AtomicLong();

  private final AtomicLong nextId = new AtomicLong();
  /** Client key (TLV 0x1501) → the SMSC ids of its accepted submits, in the order accepted (a repeat adds its own). */
  private final ConcurrentHashMap<String, List<String>> idsByKey = new ConcurrentHashMap<>();
  /** (client key, part sequence) accepted at least once: the second acceptance is a repeated request. */
  private final Set<String> acceptedKeyParts = ConcurrentHashMap.newKeySet();

  /** A fresh SMSC message id; unique for this simulator object's life (SMPP allows up to 64 characters). */
  String nextSmscId() {
    return "smsc-" + nextId.incrementAndGet();
  }

  /**
   * A submit was accepted under {@code smscId}. With a client key, it is recorded for that key, and counted as a repeated
   * request when the same key and part sequence were accepted before (the SMSC still delivers it: SMPP has no
   * idempotency key).
   */
  void accepted(String clientKey, MessageParts part, String smscId) {
    accepted.incrementAndGet();
    if (part.concatenated()) parts.incrementAndGet();
    if (clientKey == null) return;
    if (!acceptedKeyParts.add(clientKey + '#' + part.sequence())) repeatedRequests.incrementAndGet();
    List<String> ids = idsByKey.computeIfAbsent(clientKey, k -> Collections.synchronizedList(new ArrayList<>(1)));
    ids.add(smscId);
  }

  /** Client key (TLV 0x1501) → the SMSC ids of its accepted submits, in the order accepted (a live, read-only view). */
  public Map<String, List<String>> acceptedIdsByKey() {
    return Collections.unmodifiableMap(idsByKey);
  }

  /** The SMSC ids accepted under this client key so far (a copy), empty if none. */
  public List<String> acceptedIds(String clientKey) {
    List<String> ids = idsByKey.get(clientKey);
    if (ids == null) return List.of();
    synchronized (ids) {
      return List.copyOf(ids);
    }
  }

  public long repeatedRequests() {
    return repeatedRequests.get();
  }

  public long receiptsSent() {
    return receiptsSent.get();
  }

  public long receiptsPending() {
    return receiptsPending.get();
  }

  /** Every counter, named as in the HTTP simulator's {@code /v1/stats} where they mean the same. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("binds_open", bindsOpen.get())
      .put("binds_total", bindsTotal.get())
      .put("binds_refused", bindsRefused.get())
      .put("received", submitsReceived.get())
      .put("accepted", accepted.get())
      .put("throttled", throttled.get())
      .put("failed_transiently", failedTransiently.get())
      .put("refused_permanently", refusedPermanently.get())
      .put("repeated_requests", repeatedRequests.get())
      .put("parts", parts.get())
      .put("late_answers", lateAnswers.get())
      .put("receipts_scheduled", receiptsScheduled.get())
      .put("receipts_sent", receiptsSent.get())
      .put("receipts_pending", receiptsPending.get())
      .put("receipts_dropped", receiptsDropped.get())
      .put("receipts_retries", receiptsRetries.get())
      .put("receipts_duplicates", receiptsDuplicates.get());
  }
}
