package io.smsgw.sending;

import io.smsgw.platform.pg.LockOrder;
import io.smsgw.platform.pg.PgErrors;
import io.smsgw.platform.pg.PgText;
import io.vertx.pgclient.PgException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes send outcomes many at a time: one transaction (record_outcomes) per flush instead of one per
 * message. A write that fails (PostgreSQL down) is kept and tried again, so an outcome is never dropped and
 * the Kafka offsets behind it are not committed before it is stored. Every outcome carries its claim's fencing
 * token; one whose claim is no longer current (this worker stalled and another took the message over) changes
 * nothing, and its future says so ({@code false}). Used from one event loop.
 */
final class StatusWriter {

  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
  private static final int MAX_PER_FLUSH = 2000;
  /** After a failed write, wait this long before the next: PostgreSQL is down, not busy. */
  private static final long RETRY_PAUSE_MS = 1000;
  /** Provider ids and error texts longer than this are cut. */
  private static final int MAX_TEXT = 1000;

  private record Pending(Outcome outcome, Promise<Boolean> written) {
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

  /** Completes once the outcome is committed: true if it was applied, false if its claim was no longer current. */
  Future<Boolean> write(Outcome outcome) {
    Promise<Boolean> written = Promise.promise();
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
    batch.sort(LockOrder.of((Pending p) -> p.outcome().userId(), p -> p.outcome().messageId()));
    flushing = true;
    write(batch).onComplete(done -> {
      flushing = false;
      if (done.succeeded()) return;
      LOG.warn("could not write {} outcomes ({}); retrying in {} ms", batch.size(), done.cause().getMessage(), RETRY_PAUSE_MS);
      // (a pool that is closed will not come back: close() gives up after its timeout)
      pausedUntil = System.currentTimeMillis() + RETRY_PAUSE_MS;
      List<Pending> unwritten = new ArrayList<>();
      for (Pending p : batch) if (!p.written().future().isComplete()) unwritten.add(p);
      unwritten.addAll(queue);
      queue = unwritten;
    });
  }

  /**
   * One transaction for the batch. If PostgreSQL refuses the data of some outcome, the batch is split until that
   * outcome is alone, so the others are written; the lone one is written without its provider id and error text,
   * and if even that is refused it is left to the claim's expiry (the message is sent again under the same
   * idempotency key) instead of stalling the lane. Any other failure (PostgreSQL down) fails the whole batch.
   */
  private Future<Void> write(List<Pending> batch) {
    return pool.preparedQuery(SendingSql.recordOutcomes()).execute(arguments(batch)).transform(done -> {
      if (done.succeeded()) {
        java.util.Set<String> ignored = new java.util.HashSet<>();
        for (var row : done.result()) ignored.add(row.getUUID("o_message_id") + ":" + row.getInteger("o_claim_seq"));
        for (Pending p : batch) p.written().complete(!ignored.contains(p.outcome().messageId() + ":" + p.outcome().claimSeq()));
        return Future.<Void>succeededFuture();
      }
      if (!PgErrors.refusesData(done.cause())) return Future.<Void>failedFuture(done.cause());
      if (batch.size() > 1) {
        List<Pending> first = batch.subList(0, batch.size() / 2);
        List<Pending> second = batch.subList(batch.size() / 2, batch.size());
        return write(first).compose(v -> write(second));
      }
      Pending alone = batch.get(0);
      Outcome o = alone.outcome();
      String why = "outcome not storable (" + ((PgException) done.cause()).getSqlState() + ")";
      LOG.error("outcome of {} refused by PostgreSQL: {}", o.messageId(), done.cause().getMessage());
      if (o.providerMessageId() != null || o.error() != null && !o.error().startsWith("outcome not storable")) {
        Outcome bare = new Outcome(o.messageId(), o.userId(), o.claimSeq(), o.kind(), null, why, o.atMs(), o.delayMs(), o.doubt(),
          o.provider());
        return write(List.of(new Pending(bare, alone.written())));
      }
      alone.written().complete(false);  // unstorable even bare: its claim runs out and the message is tried again
      return Future.<Void>succeededFuture();
    });
  }


  private static Tuple arguments(List<Pending> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    Integer[] seqs = new Integer[n];
    String[] kinds = new String[n];
    String[] providerIds = new String[n];
    String[] errors = new String[n];
    Long[] at = new Long[n];
    Long[] delays = new Long[n];
    Boolean[] doubts = new Boolean[n];
    String[] providers = new String[n];
    for (int i = 0; i < n; i++) {
      Outcome o = batch.get(i).outcome();
      ids[i] = o.messageId();
      seqs[i] = o.claimSeq();
      kinds[i] = o.kind().dbName();
      // A provider's answer is outside input: never let its bytes fail the batch.
      providerIds[i] = PgText.storable(o.providerMessageId(), MAX_TEXT);
      errors[i] = PgText.storable(o.error(), MAX_TEXT);
      at[i] = o.atMs();
      delays[i] = o.delayMs();
      doubts[i] = o.doubt();
      providers[i] = o.provider();
    }
    return Tuple.tuple().addArrayOfUUID(ids).addArrayOfInteger(seqs).addArrayOfString(kinds).addArrayOfString(providerIds)
      .addArrayOfString(errors).addArrayOfLong(at).addArrayOfLong(delays).addArrayOfBoolean(doubts)
      .addArrayOfString(providers);
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
