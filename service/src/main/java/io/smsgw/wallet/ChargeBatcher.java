package io.smsgw.wallet;

import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.LockOrder;
import io.smsgw.platform.pg.PgErrors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Group commit for the accept path. Requests that arrive while a batch is in flight are queued and go
 * together in the next one, so one commit pays for many messages and a single hot wallet is not capped at
 * one commit per message. Under light load a request goes alone at once: no added latency.
 *
 * <p>Every answer is true (see {@link ChargeFailure}):
 * <ul>
 *   <li>the queue is bounded (waiting and in-flight messages together): when it is full a request is refused at
 *       once ({@code OVERLOADED});</li>
 *   <li>each request has a deadline: one still queued when it passes is answered {@code NOT_CHARGED} and dropped,
 *       so it can never be charged after that answer;</li>
 *   <li>a batch runs under PostgreSQL's statement_timeout (the accept pool's connections), and a watchdog answers
 *       {@code OUTCOME_UNKNOWN} if no answer came back shortly after it;</li>
 *   <li>the batch skips wallets that someone else holds (FOR UPDATE SKIP LOCKED): their messages wait in {@code busy} and are tried
 *       again in later batches until their deadline, so a held wallet stalls only its own requests;</li>
 *   <li>a batch that PostgreSQL refuses for its data is split in halves until the item that caused it is alone;
 *       that item is {@code REFUSED}, the others commit.</li>
 * </ul>
 * Not thread-safe: used from its verticle's event loop only.
 */
final class ChargeBatcher {

  private static final String DEADLOCK = "40P01";
  private static final String SERIALIZATION = "40001";
  private static final String STATEMENT_TIMEOUT = "57014";
  private static final int DEADLOCK_RETRIES = 3;
  /** A busy wallet is tried again after 5, 10, 20 ... ms, at most every 200 ms. */
  private static final long BUSY_RETRY_FIRST_MS = 5;
  private static final long BUSY_RETRY_MAX_MS = 200;
  private static final long SWEEP_INTERVAL_MS = 100;

  private static final class Pending {
    final SmsMessage message;
    final Promise<ChargeOutcome> promise = Promise.promise();
    final long deadline;
    int busyRetries;
    long notBefore;

    Pending(SmsMessage message, long deadline) {
      this.message = message;
      this.deadline = deadline;
    }

    boolean answered() {
      return promise.future().isComplete();
    }
  }

  /** The knobs, from conf/ ({@code charge.*}). */
  record Limits(int maxBatch, int maxInFlight, int maxQueue, long queueDeadlineMs, long statementTimeoutMs) {
    /** The watchdog fires this long after a batch was sent: after PostgreSQL's own statement_timeout. */
    long watchdogMs() {
      return statementTimeoutMs + 1000;
    }

    /** The longest a charge request can wait for its answer: the caller's timeout must be longer. */
    long longestAnswerMs() {
      return queueDeadlineMs + watchdogMs();
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Limits limits;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final PriorityQueue<Pending> busy = new PriorityQueue<>(Comparator.comparingLong((Pending p) -> p.notBefore));
  private final long sweepTimer;
  private long busyTimer = -1;
  private int inFlight;
  /** Messages in the batches in flight: they count against the bound too (a busy one goes back to waiting). */
  private int inFlightMessages;

  ChargeBatcher(Vertx vertx, Pool pool, Limits limits) {
    this.vertx = vertx;
    this.pool = pool;
    this.limits = limits;
    // Queued items expire even when no batch completes (PostgreSQL hung): their answer must come before the caller's.
    this.sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> drain());
  }

  Future<ChargeOutcome> charge(SmsMessage message) {
    if (waiting() >= limits.maxQueue()) {
      return Future.failedFuture(ChargeFailure.OVERLOADED.exception("the accept queue is full; nothing was charged"));
    }
    Pending pending = new Pending(message, System.currentTimeMillis() + limits.queueDeadlineMs());
    queue.add(pending);
    drain();
    return pending.promise.future();
  }

  /** Messages waiting or in flight: what counts against {@code max_queue}. */
  int waiting() {
    return queue.size() + busy.size() + inFlightMessages;
  }

  void close() {
    vertx.cancelTimer(sweepTimer);
    if (busyTimer >= 0) vertx.cancelTimer(busyTimer);
  }

  private void drain() {
    long now = System.currentTimeMillis();
    expire(now);
    while (inFlight < limits.maxInFlight()) {
      List<Pending> batch = nextBatch(now);
      if (batch.isEmpty()) break;
      batch.sort(LockOrder.of((Pending p) -> p.message.userId(), p -> p.message.messageId()));
      inFlight++;
      inFlightMessages += batch.size();
      run(batch).onComplete(done -> {
        inFlight--;
        inFlightMessages -= batch.size();
        drain();
      });
    }
    scheduleBusyRetry(now);
  }

  /** Queued items are in arrival order, so their deadlines are too; busy ones are few. */
  private void expire(long now) {
    while (!queue.isEmpty() && queue.peek().deadline <= now) notCharged(queue.poll());
    if (!busy.isEmpty()) {
      busy.removeIf(p -> {
        if (p.deadline > now) return false;
        notCharged(p);
        return true;
      });
    }
  }

  private static void notCharged(Pending p) {
    p.promise.tryFail(ChargeFailure.NOT_CHARGED.exception(
      "not charged: storage did not take the message within its deadline; retry with the same message_id"));
  }

  /** Busy items that are due first (they are older), then the queue. */
  private List<Pending> nextBatch(long now) {
    List<Pending> batch = new ArrayList<>(Math.min(queue.size() + busy.size(), limits.maxBatch()));
    while (batch.size() < limits.maxBatch() && !busy.isEmpty() && busy.peek().notBefore <= now) batch.add(busy.poll());
    while (batch.size() < limits.maxBatch() && !queue.isEmpty()) batch.add(queue.poll());
    return batch;
  }

  private void scheduleBusyRetry(long now) {
    if (busy.isEmpty() || busyTimer >= 0) return;
    busyTimer = vertx.setTimer(Math.max(1, busy.peek().notBefore - now), id -> {
      busyTimer = -1;
      drain();
    });
  }

  private Future<Void> run(List<Pending> batch) {
    return pool.getConnection().transform(acquired -> {
      if (acquired.failed()) {
        // Nothing was sent: certainly not charged.
        fail(batch, ChargeFailure.NOT_CHARGED, "not charged: PostgreSQL is unavailable (" + acquired.cause().getMessage()
          + "); retry with the same message_id");
        return Future.<Void>succeededFuture();
      }
      SqlConnection connection = acquired.result();
      return execute(connection, batch, 0).eventually(connection::close);
    });
  }

  private Future<Void> execute(SqlConnection connection, List<Pending> all, int attempt) {
    long now = System.currentTimeMillis();
    List<Pending> batch = new ArrayList<>(all.size());
    for (Pending p : all) {
      if (p.answered()) continue;
      if (p.deadline <= now) {
        notCharged(p);  // not sent in this attempt, and every earlier attempt rolled back
      } else {
        batch.add(p);
      }
    }
    if (batch.isEmpty()) return Future.succeededFuture();
    long watchdog = vertx.setTimer(limits.watchdogMs(), id -> fail(batch, ChargeFailure.OUTCOME_UNKNOWN,
      "PostgreSQL did not answer in time: the message may or may not be charged; retry with the same message_id to learn which"));
    return connection.preparedQuery(WalletSql.acceptMessages())
      .execute(AcceptArguments.of(batch.stream().map(p -> p.message).toList()))
      .transform(result -> {
        vertx.cancelTimer(watchdog);
        if (result.succeeded()) {
          try {
            complete(batch, result.result());
          } catch (RuntimeException bug) {
            fail(batch, ChargeFailure.OUTCOME_UNKNOWN, "the charge's answer could not be read (" + bug.getMessage() + ")");
          }
          return Future.<Void>succeededFuture();
        }
        return afterFailure(connection, batch, attempt, result.cause());
      });
  }

  /** A PostgreSQL error means the transaction rolled back; anything else after the send leaves it unknown. */
  private Future<Void> afterFailure(SqlConnection connection, List<Pending> batch, int attempt, Throwable failure) {
    if (!(failure instanceof PgException pg)) {
      fail(batch, ChargeFailure.OUTCOME_UNKNOWN, "the connection to PostgreSQL failed during the charge ("
        + failure.getMessage() + "): it may or may not be charged; retry with the same message_id to learn which");
      return Future.succeededFuture();
    }
    String state = pg.getSqlState() == null ? "" : pg.getSqlState();
    if ((DEADLOCK.equals(state) || SERIALIZATION.equals(state)) && attempt < DEADLOCK_RETRIES) {
      return execute(connection, batch, attempt + 1);
    }
    if (STATEMENT_TIMEOUT.equals(state)) {
      // Rolled back; try again in a later batch until each item's deadline.
      batch.forEach(p -> retryLater(p, System.currentTimeMillis()));
      return Future.succeededFuture();
    }
    if (PgErrors.refusesData(pg)) {
      if (batch.size() == 1) {
        batch.get(0).promise.tryFail(ChargeFailure.REFUSED.exception(
          "PostgreSQL refused this message (" + state + ": " + pg.getErrorMessage() + "); nothing was stored or charged"));
        return Future.succeededFuture();
      }
      // Isolate the item the database refuses: the others must not fail with it.
      List<Pending> first = batch.subList(0, batch.size() / 2);
      List<Pending> second = batch.subList(batch.size() / 2, batch.size());
      return execute(connection, first, 0).compose(v -> execute(connection, second, 0));
    }
    fail(batch, ChargeFailure.NOT_CHARGED, "not charged: PostgreSQL failed (" + state + "); retry with the same message_id");
    return Future.succeededFuture();
  }


  private void retryLater(Pending p, long now) {
    if (p.answered()) return;
    if (p.deadline <= now) {
      notCharged(p);
      return;
    }
    p.notBefore = now + Math.min(BUSY_RETRY_MAX_MS, BUSY_RETRY_FIRST_MS << Math.min(p.busyRetries, 10));
    p.busyRetries++;
    busy.add(p);
  }

  private static void fail(List<Pending> batch, ChargeFailure kind, String message) {
    batch.forEach(p -> p.promise.tryFail(kind.exception(message)));
  }

  /** The function returns one row per input, in input order. */
  private void complete(List<Pending> batch, RowSet<Row> rows) {
    long now = System.currentTimeMillis();
    int i = 0;
    for (Row row : rows) {
      Pending pending = batch.get(i++);
      if (!pending.message.messageId().equals(row.getUUID("o_message_id"))) {
        throw new IllegalStateException("accept_messages returned rows out of order");
      }
      ChargeOutcome.Kind kind = switch (row.getString("o_outcome")) {
        case "accepted" -> ChargeOutcome.Kind.ACCEPTED;
        case "duplicate" -> ChargeOutcome.Kind.DUPLICATE;
        case "insufficient_balance" -> ChargeOutcome.Kind.INSUFFICIENT_BALANCE;
        case "busy" -> null;
        default -> throw new IllegalStateException("unknown outcome " + row.getString("o_outcome"));
      };
      if (kind == null) {
        retryLater(pending, now);
      } else {
        pending.promise.tryComplete(new ChargeOutcome(kind, row.getString("o_status"), row.getUUID("o_owner")));
      }
    }
    if (i != batch.size()) throw new IllegalStateException("accept_messages returned " + i + " of " + batch.size());
  }
}
