package io.smsgw.outbox;

import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.PeriodicTask;
import io.smsgw.platform.pg.MessageRows;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Publishes accepted messages that did not reach Kafka: Kafka was down or slow, or the process died between
 * the commit and the publish. The message table is the outbox; a row leaves it when Kafka acknowledged it.
 * A round leases its rows in a statement of its own (no row lock is held while Kafka is waited for, so a worker
 * claiming one of these messages never blocks behind the relay), sends them, then marks the acknowledged ones. Other
 * pods' relays skip leased rows until the lease ({@code leaseMs}, past Kafka's delivery timeout) runs out.
 */
final class OutboxRelay {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

  private final Pool pool;
  private final Function<SmsMessage, Future<Void>> publish;
  private final long minAgeMs;
  private final int batchSize;
  private final long leaseMs;
  private final PeriodicTask rounds;

  OutboxRelay(Vertx vertx, Pool pool, Function<SmsMessage, Future<Void>> publish, long intervalMs, long minAgeMs, int batchSize,
              long leaseMs) {
    this.leaseMs = leaseMs;
    this.pool = pool;
    this.publish = publish;
    this.minAgeMs = minAgeMs;
    this.batchSize = batchSize;
    this.rounds = PeriodicTask.every(vertx, intervalMs, this::round);
  }

  /** True after a full round: more are waiting, go on at once. */
  private Future<Boolean> round() {
    return pool.preparedQuery(OutboxSql.leaseUnpublished()).execute(Tuple.of(minAgeMs, batchSize, leaseMs))
      .compose(rows -> {
        List<SmsMessage> messages = new ArrayList<>(rows.size());
        rows.forEach(row -> messages.add(MessageRows.toMessage(row)));
        if (messages.isEmpty()) return Future.succeededFuture(0);
        List<Future<UUID>> sends = messages.stream().map(m -> publish.apply(m).map(v -> m.messageId())).toList();
        return Future.join(sends).transform(done -> {
          UUID[] published = sends.stream().filter(Future::succeeded).map(Future::result).toArray(UUID[]::new);
          LOG.info("outbox relay: published {} of {} waiting messages", published.length, messages.size());
          List<Future<?>> recorded = new ArrayList<>();
          if (published.length > 0) recorded.add(pool.preparedQuery(OutboxSql.markPublished()).execute(Tuple.of((Object) published)));
          if (published.length < messages.size()) {
            java.util.Set<UUID> acked = java.util.Set.of(published);
            UUID[] failed = messages.stream().map(SmsMessage::messageId).filter(id -> !acked.contains(id)).toArray(UUID[]::new);
            recorded.add(pool.preparedQuery(OutboxSql.releaseRelayLease()).execute(Tuple.of((Object) failed)));
          }
          return Future.all(recorded).map(r -> published.length == messages.size() ? messages.size() : 0);
        });
      })
      .transform(result -> {
        if (result.failed()) {
          LOG.warn("outbox relay round failed: {}", result.cause().getMessage());
          return Future.succeededFuture(false);
        }
        return Future.succeededFuture(result.result() == batchSize);
      });
  }


  void close() {
    rounds.close();
  }
}
