package io.smsgw.wallet;

import io.smsgw.sms.SmsMessage;
import io.smsgw.storage.SqlQueries;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Group commit for the accept path. Requests that arrive while a batch is in flight are queued and go
 * together in the next one, so one commit pays for many messages and a single hot wallet is not capped at
 * one commit per message. Under light load a request goes alone at once: no added latency.
 * Not thread-safe: used from its verticle's event loop only.
 */
final class ChargeBatcher {

  private static final String DEADLOCK = "40P01";
  private static final int DEADLOCK_RETRIES = 3;

  private record Pending(SmsMessage message, Promise<ChargeOutcome> promise) {
  }

  private final Pool pool;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;

  ChargeBatcher(Pool pool, int maxBatch, int maxInFlight) {
    this.pool = pool;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  Future<ChargeOutcome> charge(SmsMessage message) {
    Promise<ChargeOutcome> promise = Promise.promise();
    queue.add(new Pending(message, promise));
    drain();
    return promise.future();
  }

  private void drain() {
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
      while (batch.size() < maxBatch && !queue.isEmpty()) batch.add(queue.poll());
      // One lock order for every batch (wallet, then message id) keeps concurrent batches from deadlocking.
      batch.sort(Comparator.comparing((Pending p) -> p.message().userId()).thenComparing(p -> p.message().messageId()));
      inFlight++;
      execute(batch, 0).onComplete(done -> {
        inFlight--;
        drain();
      });
    }
  }

  private Future<Void> execute(List<Pending> batch, int attempt) {
    return pool.preparedQuery(SqlQueries.acceptMessages()).execute(AcceptArguments.of(batch.stream().map(Pending::message).toList()))
      .map(rows -> {
        complete(batch, rows);
        return (Void) null;
      })
      .recover(failure -> {
        if (failure instanceof PgException pg && DEADLOCK.equals(pg.getSqlState()) && attempt < DEADLOCK_RETRIES) {
          return execute(batch, attempt + 1);  // the whole transaction rolled back: safe to run again
        }
        batch.forEach(p -> p.promise().tryFail(failure));
        return Future.succeededFuture();
      });
  }


  /** The function returns one row per input, in input order. */
  private static void complete(List<Pending> batch, RowSet<Row> rows) {
    int i = 0;
    for (Row row : rows) {
      Pending pending = batch.get(i++);
      if (!pending.message().messageId().equals(row.getUUID("o_message_id"))) {
        throw new IllegalStateException("accept_messages returned rows out of order");
      }
      ChargeOutcome.Kind kind = switch (row.getString("o_outcome")) {
        case "accepted" -> ChargeOutcome.Kind.ACCEPTED;
        case "duplicate" -> ChargeOutcome.Kind.DUPLICATE;
        case "insufficient_balance" -> ChargeOutcome.Kind.INSUFFICIENT_BALANCE;
        default -> throw new IllegalStateException("unknown outcome " + row.getString("o_outcome"));
      };
      pending.promise().complete(new ChargeOutcome(kind, row.getString("o_status"), row.getUUID("o_owner")));
    }
    if (i != batch.size()) throw new IllegalStateException("accept_messages returned " + i + " of " + batch.size());
  }
}
