package io.smsgw.outbox;

import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.PeriodicTask;
import io.smsgw.platform.pg.MessageRows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The outbox relay for bulks (V13__bulk_outbox.sql): a bulk is one outbox entry, marked once Kafka acknowledged all
 * of its messages. A bulk still unmarked after the grace period (Kafka was down or slow, or the gateway died between
 * the commit and the last acknowledgement) is leased, the messages of it that no worker has claimed are published
 * again (the worker ignores the ones it already had), and the bulk is marked once all of those are acknowledged, or
 * its lease given back for the next round.
 */
final class BulkOutboxRelay {

  private static final Logger LOG = LoggerFactory.getLogger(BulkOutboxRelay.class);

  private final Pool pool;
  private final Function<SmsMessage, Future<Void>> publish;
  private final long minAgeMs;
  private final long leaseMs;
  private final PeriodicTask rounds;

  BulkOutboxRelay(Vertx vertx, Pool pool, Function<SmsMessage, Future<Void>> publish, long intervalMs, long minAgeMs,
                  long leaseMs) {
    this.pool = pool;
    this.publish = publish;
    this.minAgeMs = minAgeMs;
    this.leaseMs = leaseMs;
    this.rounds = PeriodicTask.every(vertx, intervalMs, this::round);
  }

  /** One bulk a round (up to 10,000 messages); true when one was found: another may be waiting. */
  private Future<Boolean> round() {
    return pool.preparedQuery(OutboxSql.leaseUnpublishedBulks()).execute(Tuple.of(minAgeMs, 1, leaseMs))
      .compose(rows -> {
        if (rows.size() == 0) return Future.succeededFuture(false);
        UUID bulkId = rows.iterator().next().getUUID("bulk_id");
        return relay(bulkId).map(true);
      })
      .recover(failure -> {
        LOG.warn("bulk outbox relay round failed: {}", failure.getMessage());
        return Future.succeededFuture(false);
      });
  }

  private Future<Void> relay(UUID bulkId) {
    return pool.preparedQuery(OutboxSql.bulkUnclaimedMessages()).execute(Tuple.of(bulkId)).compose(rows -> {
      List<Future<Void>> sends = new ArrayList<>(rows.size());
      rows.forEach(row -> sends.add(publish.apply(MessageRows.toMessage(row))));
      return Future.join(sends).transform(done -> {
        long published = sends.stream().filter(Future::succeeded).count();
        LOG.info("outbox relay: bulk {}: published {} of {} unclaimed messages", bulkId, published, sends.size());
        String next = done.succeeded() ? OutboxSql.markBulkPublished() : OutboxSql.releaseBulkLease();
        return pool.preparedQuery(next).execute(Tuple.of(bulkId)).mapEmpty();
      });
    });
  }

  void close() {
    rounds.close();
  }
}
