package io.smsgw.outbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Takes acknowledged messages out of the outbox, many per UPDATE. Losing a mark is harmless: the relay then
 * publishes the record again and the worker ignores the duplicate (it only sends pending messages).
 * <p>
 * Marks wait one interval before they are written: by then a worker has usually claimed the message, and its
 * claim marks it published in the same row write, so this UPDATE finds nothing to change instead of writing
 * (and locking) every row a second time. A mark is written one to two intervals after the ack, which must stay
 * well under {@code outbox.relay_min_age_ms}.
 */
final class PublishedMarker {

  private static final Logger LOG = LoggerFactory.getLogger(PublishedMarker.class);
  private static final int MAX_WAITING = 100_000;  // a memory bound: beyond it, mark at once

  private final Vertx vertx;
  private final Pool pool;
  private final long timerId;
  private List<UUID> acknowledged = new ArrayList<>();  // this interval's acks
  private List<UUID> aged = new ArrayList<>();          // last interval's: marked at the next tick

  PublishedMarker(Vertx vertx, Pool pool, long intervalMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.timerId = vertx.setPeriodic(intervalMs, id -> tick());
  }

  void add(UUID messageId) {
    acknowledged.add(messageId);
    if (acknowledged.size() >= MAX_WAITING) tick();
  }

  private void tick() {
    List<UUID> due = aged;
    aged = acknowledged;
    acknowledged = new ArrayList<>();
    mark(due);
  }

  /** Marks everything now (shutdown). */
  Future<Void> flush() {
    List<UUID> all = new ArrayList<>(aged);
    all.addAll(acknowledged);
    aged = new ArrayList<>();
    acknowledged = new ArrayList<>();
    return mark(all);
  }

  private Future<Void> mark(List<UUID> batch) {
    if (batch.isEmpty()) return Future.succeededFuture();
    return pool.preparedQuery(OutboxSql.markPublished())
      .execute(Tuple.of(batch.toArray(UUID[]::new)))
      .onFailure(e -> LOG.warn("could not mark {} messages published ({}); the relay will publish them again", batch.size(), e.getMessage()))
      .<Void>mapEmpty()
      .recover(e -> Future.succeededFuture());
  }

  Future<Void> close() {
    vertx.cancelTimer(timerId);
    return flush();
  }
}
