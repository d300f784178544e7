package io.smsgw.http;

import io.smsgw.config.GatewayConfig;
import io.smsgw.messaging.KafkaReachability;
import io.smsgw.storage.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations port of a worker pod (which serves no API): {@code /health/live}, {@code /health/ready}
 * (PostgreSQL and Kafka answer) and {@code /metrics} (Prometheus: the senders' outcomes, accept-to-sent, provider
 * latency, and the JVM/pool meters). A gateway pod has the same routes on its API port, so this runs only in pods
 * without the gateway.
 */
public class WorkerOpsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerOpsVerticle.class);

  private HttpServer server;
  private Pool pool;
  private KafkaReachability kafka;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    pool = Database.pool(vertx, config);
    kafka = new KafkaReachability(vertx, config);
    Router router = Router.router(vertx);
    router.get("/health/live").handler(rc -> Requests.json(rc, 200, new JsonObject().put("status", "live")));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
    ErrorHandlers.register(router);  // 404, 405, 500 as the API's JSON errors
    return vertx.createHttpServer().requestHandler(router).listen(config.integer("worker", "http_port"))
      .onSuccess(s -> {
        server = s;
        LOG.info("worker health and metrics on port {}", s.actualPort());
      });
  }

  private void ready(RoutingContext rc) {
    Future<?> pg = pool.query("SELECT 1").execute();
    Future<Boolean> kafkaUp = kafka.check();
    Future.join(pg, kafkaUp).onComplete(done -> {
      boolean pgUp = pg.succeeded();
      boolean brokerUp = kafkaUp.result();
      boolean ready = pgUp && brokerUp;
      Requests.json(rc, ready ? 200 : 503, new JsonObject().put("status", ready ? "ready" : "not_ready")
        .put("postgres", pgUp ? "up" : "down").put("kafka", brokerUp ? "up" : "down"));
    });
  }

  @Override
  public Future<?> stop() {
    return Future.join(server == null ? Future.succeededFuture() : server.close(), kafka.close());
  }
}
