package io.smsgw.sending;

import io.smsgw.storage.SqlQueries;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Writes send outcomes many at a time: one transaction (record_outcomes) per flush instead of one per
 * message. A write that fails (PostgreSQL down) is kept and tried again, so an outcome is never dropped and
 * the Kafka offsets behind it are not committed before it is stored. Used from one event loop.
 */
final class StatusWriter {

  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
  private static final int MAX_PER_FLUSH = 2000;
  /** After a failed write, wait this long before the next: PostgreSQL is down, not busy. */
  private static final long RETRY_PAUSE_MS = 1000;

  private record Pending(Outcome outcome, Promise<Void> written) {
  }

  private final Pool pool;
  private final long timerId;
  private final Vertx vertx;
  private List<Pending> queue = new ArrayList<>();
  private boolean flushing;
  private long pausedUntil;

  StatusWriter(Vertx vertx, Pool pool, long flushIntervalMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.timerId = vertx.setPeriodic(flushIntervalMs, id -> flush());
  }

  /** Completes once the outcome is committed. */
  Future<Void> write(Outcome outcome) {
    Promise<Void> written = Promise.promise();
    queue.add(new Pending(outcome, written));
    if (queue.size() >= MAX_PER_FLUSH) flush();
    return written.future();
  }

  private void flush() {
    if (flushing || queue.isEmpty() || System.currentTimeMillis() < pausedUntil) return;
    List<Pending> batch;
    if (queue.size() <= MAX_PER_FLUSH) {
      batch = queue;
      queue = new ArrayList<>();
    } else {
      batch = new ArrayList<>(queue.subList(0, MAX_PER_FLUSH));
      queue = new ArrayList<>(queue.subList(MAX_PER_FLUSH, queue.size()));
    }
    // Same lock order as the accept path (wallet by user id), so refunds and charges never deadlock.
    batch.sort(Comparator.comparing((Pending p) -> p.outcome().userId()).thenComparing(p -> p.outcome().messageId()));
    flushing = true;
    pool.preparedQuery(SqlQueries.recordOutcomes()).execute(arguments(batch)).onComplete(done -> {
      flushing = false;
      if (done.succeeded()) {
        batch.forEach(p -> p.written().complete());
      } else {
        LOG.warn("could not write {} outcomes ({}); retrying in {} ms", batch.size(), done.cause().getMessage(), RETRY_PAUSE_MS);
        // (a pool that is closed will not come back: close() gives up after its timeout)
        pausedUntil = System.currentTimeMillis() + RETRY_PAUSE_MS;
        batch.addAll(queue);
        queue = batch;
      }
    });
  }

  private static Tuple arguments(List<Pending> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    String[] kinds = new String[n];
    String[] providerIds = new String[n];
    String[] errors = new String[n];
    Long[] at = new Long[n];
    Long[] delays = new Long[n];
    for (int i = 0; i < n; i++) {
      Outcome o = batch.get(i).outcome();
      ids[i] = o.messageId();
      kinds[i] = o.kind().dbName();
      providerIds[i] = o.providerMessageId();
      errors[i] = o.error();
      at[i] = o.atMs();
      delays[i] = o.retryDelayMs();
    }
    return Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(kinds).addArrayOfString(providerIds)
      .addArrayOfString(errors).addArrayOfLong(at).addArrayOfLong(delays);
  }

  /**
   * Stops once everything queued is written, or after {@code timeoutMs}: what is still unwritten then stays
   * claimed in PostgreSQL and is sent again (same idempotency key) when the claim runs out.
   */
  Future<Void> close(long timeoutMs) {
    Promise<Void> drained = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    long[] poll = new long[1];
    poll[0] = vertx.setPeriodic(20, id -> {
      boolean empty = queue.isEmpty() && !flushing;
      if (empty || System.currentTimeMillis() > deadline) {
        if (!empty) LOG.warn("stopping with {} outcomes unwritten; their messages will be retried", queue.size());
        vertx.cancelTimer(poll[0]);
        vertx.cancelTimer(timerId);
        drained.tryComplete();
      }
    });
    return drained.future();
  }
}
