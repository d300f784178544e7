package io.smsgw.http;

import io.smsgw.Addresses;
import io.smsgw.storage.SqlQueries;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

/** Liveness (the process answers) and readiness (PostgreSQL and Kafka answer; the outbox backlog). */
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
    Future.join(backlog, kafka).onComplete(done -> {
      boolean pgUp = backlog.succeeded();
      boolean kafkaUp = kafka.succeeded() && "up".equals(kafka.result());
      boolean ready = pgUp && kafkaUp;
      Requests.json(rc, ready ? 200 : 503, new JsonObject()
        .put("status", ready ? "ready" : "not_ready")
        .put("postgres", pgUp ? "up" : "down")
        .put("kafka", kafkaUp ? "up" : "down")
        .put("outbox_backlog", pgUp ? backlog.result() : null));
    });
  }
}
