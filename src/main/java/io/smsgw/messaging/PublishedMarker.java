package io.smsgw.messaging;

import io.smsgw.storage.SqlQueries;
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
 */
final class PublishedMarker {

  private static final Logger LOG = LoggerFactory.getLogger(PublishedMarker.class);
  private static final int MAX_PER_UPDATE = 5000;

  private final Vertx vertx;
  private final Pool pool;
  private final long timerId;
  private List<UUID> acknowledged = new ArrayList<>();

  PublishedMarker(Vertx vertx, Pool pool, long intervalMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.timerId = vertx.setPeriodic(intervalMs, id -> flush());
  }

  void add(UUID messageId) {
    acknowledged.add(messageId);
    if (acknowledged.size() >= MAX_PER_UPDATE) flush();
  }

  Future<Void> flush() {
    if (acknowledged.isEmpty()) return Future.succeededFuture();
    List<UUID> batch = acknowledged;
    acknowledged = new ArrayList<>();
    return pool.preparedQuery(SqlQueries.markPublished())
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
