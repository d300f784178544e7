package io.smsgw.operations;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.outbox.OutboxSql;

import io.smsgw.outbox.OutboxAddresses;
import io.smsgw.wallet.async.ReservationAddresses;

import io.smsgw.api.Requests;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.util.function.Supplier;

/**
 * Liveness (the process answers) and readiness (PostgreSQL and Kafka answer; the outbox backlog; in async mode
 * with reservation, not while the Redis wallet cache is draining or being rebuilt). The API port answers only
 * {@code {"status"}} (for load balancers); the details are on the operations port.
 */
public final class HealthHandler {

  private final Vertx vertx;
  private final Pool pool;
  private final Supplier<Future<Boolean>> kafkaUp;

  public HealthHandler(Vertx vertx, Pool pool, Supplier<Future<Boolean>> kafkaUp) {
    this.vertx = vertx;
    this.pool = pool;
    this.kafkaUp = kafkaUp;
  }

  /** Kafka as the pod's producer sees it (gateway pods). */
  public static Supplier<Future<Boolean>> producerKafka(Vertx vertx) {
    return () -> vertx.eventBus().<JsonObject>request(OutboxAddresses.KAFKA_HEALTH, new JsonObject(), Bus.to(vertx, OutboxAddresses.KAFKA_HEALTH, Requests.LOCAL))
      .map(reply -> "up".equals(reply.body().getString("kafka")));
  }

  public void live(RoutingContext rc) {
    Requests.json(rc, 200, new JsonObject().put("status", "live"));
  }

  /** 200 {@code {"status": "ready"}} or 503 {@code {"status": "not_ready"}}, nothing else. */
  public void readyStatus(RoutingContext rc) {
    readiness().onComplete(r -> {
      JsonObject details = r.result();
      String status = details.getString("status");
      Requests.json(rc, "ready".equals(status) ? 200 : 503, new JsonObject().put("status", status));
    });
  }

  /** The same answer with the details: postgres, kafka, redis, outbox_backlog. */
  void ready(RoutingContext rc) {
    readiness().onComplete(r -> Requests.json(rc, "ready".equals(r.result().getString("status")) ? 200 : 503, r.result()));
  }

  Future<JsonObject> readiness() {
    Future<Long> backlog = pool.query(OutboxSql.unpublishedBacklog()).execute()
      .map(rows -> rows.iterator().next().getLong(0));
    Future<Boolean> kafka = kafkaUp.get();
    // No answer: this pod does not run the reservation (sync mode, or a worker pod).
    Future<String> redis = vertx.eventBus().<JsonObject>request(ReservationAddresses.RESERVATION_HEALTH, new JsonObject(), Bus.to(vertx, ReservationAddresses.RESERVATION_HEALTH, Requests.LOCAL))
      .map(reply -> reply.body().getString("redis")).otherwise("unused");
    return Future.join(backlog, kafka, redis).transform(done -> {
      boolean pgUp = backlog.succeeded();
      boolean brokerUp = kafka.succeeded() && Boolean.TRUE.equals(kafka.result());
      String redisState = redis.result();
      boolean ready = pgUp && brokerUp && !"draining".equals(redisState) && !"rebuilding".equals(redisState);
      return Future.succeededFuture(new JsonObject()
        .put("status", ready ? "ready" : "not_ready")
        .put("postgres", pgUp ? "up" : "down")
        .put("kafka", brokerUp ? "up" : "down")
        .put("redis", redisState)
        .put("outbox_backlog", pgUp ? backlog.result() : null));
    });
  }
}
