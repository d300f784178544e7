package io.smsgw.sending;

import io.smsgw.domain.Priority;
import io.smsgw.platform.PeriodicTask;
import io.smsgw.platform.pg.MessageRows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Works on what PostgreSQL says is due, whatever Kafka holds: retries whose backoff is over, lookups that are due,
 * messages whose claim ran out because the worker that held it died or stalled, and (the sweeper) pending messages
 * that nobody ever claimed because their Kafka record is gone or never came. Retries live in PostgreSQL, not in a
 * partition, so a slow retry never holds up the messages behind it in Kafka, and a crash loses none of them. The
 * scheduler is a third scan: scheduled messages whose send_at has passed are made pending and claimed in one step, and
 * sent like a due retry (they never went through Kafka).
 */
final class RetryScanner {

  private static final Logger LOG = LoggerFactory.getLogger(RetryScanner.class);
  private static final int BATCH = 200;

  private final Pool pool;
  private final MessageSender sender;
  private final Priority lane;
  private final long claimMs;
  private final long orphanAfterMs;
  private final PeriodicTask due;
  private final PeriodicTask sweeper;
  private final PeriodicTask scheduled;
  private long swept;

  /** {@code orphanAfterMs}: how long after its acceptance an unclaimed pending message is taken from PostgreSQL. */
  RetryScanner(Vertx vertx, Pool pool, MessageSender sender, Priority lane, long claimMs, long intervalMs,
               long orphanAfterMs, long sweepIntervalMs) {
    this.pool = pool;
    this.sender = sender;
    this.lane = lane;
    this.claimMs = claimMs;
    this.orphanAfterMs = orphanAfterMs;
    this.due = PeriodicTask.every(vertx, intervalMs, this::scan);
    this.sweeper = PeriodicTask.every(vertx, sweepIntervalMs, this::sweep);
    this.scheduled = PeriodicTask.every(vertx, intervalMs, this::sendScheduled);
  }

  /** True when the round was full: more may be due. */
  private Future<Boolean> scan() {
    return fullRound(SendingSql.claimDue(), "retry scan");
  }

  /** The scheduler: true when the round was full (a campaign scheduled for one moment): more may be due at once. */
  private Future<Boolean> sendScheduled() {
    return fullRound(SendingSql.claimScheduled(), "scheduled-send scan");
  }

  /** One round of a scan that claims up to BATCH of this lane's due messages with {@code sql}; a failure is logged. */
  private Future<Boolean> fullRound(String sql, String what) {
    long claimedAt = System.nanoTime();
    return work(pool.preparedQuery(sql).execute(Tuple.of(lane.wireName(), claimMs, BATCH)), claimedAt)
      .transform(done -> {
        if (done.failed()) {
          LOG.warn("{} failed: {}", what, done.cause().getMessage());
          return Future.succeededFuture(false);
        }
        return Future.succeededFuture(done.result() == BATCH);
      });
  }

  private Future<Boolean> sweep() {
    long claimedAt = System.nanoTime();
    return work(pool.preparedQuery(SendingSql.claimOrphans()).execute(Tuple.of(lane.wireName(), orphanAfterMs, claimMs, BATCH)),
      claimedAt)
      .transform(done -> {
        if (done.failed()) {
          LOG.warn("sweep for unclaimed messages failed: {}", done.cause().getMessage());
        } else if (done.result() > 0) {
          swept += done.result();
          if (done.result() == BATCH) return Future.succeededFuture(true);
          // One line per sweep, however many rounds it took.
          LOG.warn("{} lane: took {} pending message(s) nobody had claimed {} ms after acceptance (Kafka record gone or late)",
            lane.wireName(), swept, orphanAfterMs);
          swept = 0;
        }
        return Future.succeededFuture(false);
      });
  }

  private Future<Integer> work(Future<RowSet<Row>> claimed, long claimedAtNanos) {
    return claimed.compose(rows -> {
      List<MessageSender.Claim> claims = new ArrayList<>(rows.size());
      for (Row row : rows) claims.add(MessageSender.Claim.of(MessageRows.toMessage(row), row));
      return sender.send(claims, claimedAtNanos).map(rows.size());
    });
  }

  void close() {
    due.close();
    sweeper.close();
    scheduled.close();
  }
}
