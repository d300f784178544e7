package io.smsgw.operations;

import io.smsgw.api.errors.ErrorHandlers;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.kafka.KafkaReachability;
import io.smsgw.platform.pg.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations port ({@code worker.http_port}) of every gateway and worker pod, for probes and Prometheus inside
 * the cluster, never published to the public: {@code /health/live}, {@code /health/ready} with its details (PostgreSQL,
 * Kafka, Redis, outbox backlog) and {@code /metrics} (the senders' outcomes, accept-to-sent, provider latency, the
 * HTTP/JVM/pool meters), without a token. The API port has /metrics behind the admin token and only the status of
 * /health/ready.
 */
public class OperationsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OperationsVerticle.class);

  private HttpServer server;
  private Pool pool;
  private KafkaReachability kafka;
  private ClusterView cluster;
  private long clusterTimer = -1;
  private ProvidersView providers;
  private long providersTimer = -1;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    pool = Database.pool(vertx, config);
    kafka = new KafkaReachability(vertx, config);
    Router router = Router.router(vertx);
    // Kafka as this pod's producer sees it when it has one (a gateway pod), else whether a broker answers.
    HealthHandler health = new HealthHandler(vertx, pool, () -> HealthHandler.producerKafka(vertx).get().recover(none -> kafka.check()));
    router.get("/health/live").handler(health::live);
    router.get("/health/ready").handler(health::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
    // This pod's entry in GET /admin/cluster (one operations verticle per pod writes it).
    cluster = new ClusterView(vertx);
    clusterTimer = cluster.publish(health::readiness);
    // This pod's providers in GET /admin/providers (a worker pod's senders made them; a gateway pod writes nothing).
    providers = new ProvidersView(vertx);
    providersTimer = providers.publish();
    ErrorHandlers.register(router);  // 404, 405, 500 as the API's JSON errors
    return vertx.createHttpServer().requestHandler(router).listen(config.worker().httpPort())
      .onSuccess(s -> {
        server = s;
        LOG.info("operations port (health, metrics) {}", s.actualPort());
      });
  }

  @Override
  public Future<?> stop() {
    if (clusterTimer >= 0) vertx.cancelTimer(clusterTimer);
    if (providersTimer >= 0) vertx.cancelTimer(providersTimer);
    return Future.join(server == null ? Future.succeededFuture() : server.close(), kafka.close(), cluster.withdraw(),
      providers.withdraw());
  }
}
