package io.smsgw.http;

import io.smsgw.Addresses;
import io.smsgw.storage.SqlQueries;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/**
 * Liveness (the process answers) and readiness (PostgreSQL and Kafka answer; the outbox backlog; in async mode
 * with reservation, not while the Redis wallet cache is draining or being rebuilt).
 */
final class HealthHandler {

  private final Vertx vertx;
  private final Pool pool;

  HealthHandler(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void live(RoutingContext rc) {
    Requests.json(rc, 200, new JsonObject().put("status", "live"));
  }

  void ready(RoutingContext rc) {
    Future<Long> backlog = pool.query(SqlQueries.unpublishedBacklog()).execute()
      .map(rows -> rows.iterator().next().getLong(0));
    Future<String> kafka = vertx.eventBus().<JsonObject>request(Addresses.KAFKA_HEALTH, new JsonObject(), Requests.LOCAL)
      .map(reply -> reply.body().getString("kafka"));
    // No answer: this pod does not run the reservation (sync mode).
    Future<String> redis = vertx.eventBus().<JsonObject>request(Addresses.RESERVATION_HEALTH, new JsonObject(), Requests.LOCAL)
      .map(reply -> reply.body().getString("redis")).otherwise("unused");
    Future.join(backlog, kafka, redis).onComplete(done -> {
      boolean pgUp = backlog.succeeded();
      boolean kafkaUp = kafka.succeeded() && "up".equals(kafka.result());
      String redisState = redis.result();
      boolean ready = pgUp && kafkaUp && !"draining".equals(redisState) && !"rebuilding".equals(redisState);
      Requests.json(rc, ready ? 200 : 503, new JsonObject()
        .put("status", ready ? "ready" : "not_ready")
        .put("postgres", pgUp ? "up" : "down")
        .put("kafka", kafkaUp ? "up" : "down")
        .put("redis", redisState)
        .put("outbox_backlog", pgUp ? backlog.result() : null));
    });
  }
}
