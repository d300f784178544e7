package io.smsgw.bootstrap;


import io.smsgw.account.AccountVerticle;
import io.smsgw.account.ApiKeyRevocationsVerticle;
import io.smsgw.config.ClusterSettings;
import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.cluster.HazelcastCluster;
import io.smsgw.config.InstancesSettings;
import io.smsgw.api.HttpVerticle;
import io.smsgw.operations.ClusterView;
import io.smsgw.operations.OperationsVerticle;
import io.smsgw.outbox.KafkaProducerVerticle;
import io.smsgw.platform.kafka.Topics;
import io.smsgw.wallet.BalanceModes;
import io.smsgw.wallet.async.ReservationVerticle;
import io.smsgw.wallet.async.SettlementVerticle;
import io.smsgw.sending.SenderVerticle;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.eventbus.Codecs;
import io.smsgw.status.MessageStatusVerticle;
import io.smsgw.platform.pg.Migrations;
import io.smsgw.wallet.ChargeOutcome;
import io.smsgw.wallet.WalletVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One gateway/worker process: migrates the schema, makes sure the topics exist, then deploys each verticle
 * of its roles with the instance count from {@code conf/} (instances.*). The HTTP verticle goes last, so the
 * port opens only when everything behind it is ready.
 */
public final class Pod {

  private static final Logger LOG = LoggerFactory.getLogger(Pod.class);

  private final Vertx vertx;
  /** In deployment order; stopped in reverse, one at a time, so senders drain while storage is still up. */
  private static final java.util.concurrent.atomic.AtomicInteger PODS_IN_PROCESS = new java.util.concurrent.atomic.AtomicInteger();
  private final List<String> deployments = new ArrayList<>();
  /** Instance count per verticle deployed, for GET /admin/cluster. */
  private final java.util.Map<String, Object> verticles = new java.util.LinkedHashMap<>();

  private Pod(Vertx vertx) {
    this.vertx = vertx;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Blocking: call from main or a test thread, never from an event loop. */
  public static Pod start(GatewayConfig config, Set<Role> roles) throws Exception {
    if (config.pg().url().isEmpty()) throw new IllegalStateException("pg.url is not set (SMSGW_PG_URL)");
    if (config.kafka().bootstrap().isEmpty()) throw new IllegalStateException("kafka.bootstrap is not set (SMSGW_KAFKA_BOOTSTRAP)");
    BalanceModes modes = BalanceModes.from(config);
    if (roles.contains(Role.GATEWAY) && modes.usesRedis() && config.redis().url().isEmpty()) {
      // Never an unguarded async mode: without Redis, async with reservation refuses to start.
      throw new IllegalStateException("balance mode (" + modes + ") needs Redis: set redis.url (SMSGW_REDIS_URL), "
        + "or SMSGW_BALANCE_MODE=sync, or SMSGW_RESERVATION=off");
    }
    Migrations.migrate(config.pg().url());
    Topics.ensureCreated(config);

    Pod pod = new Pod(newVertx(config.cluster()));
    return pod.deployOrClose(config, roles);
  }

  private Pod deployOrClose(GatewayConfig config, Set<Role> roles) throws Exception {
    // vertx-openapi 5.0.7 upper-cases parameter schema types with the JVM's default locale while it parses the
    // contract (ParameterImpl: SchemaType.valueOf(type.toUpperCase())): under tr_TR "string" becomes "STRİNG" and no
    // gateway would start. So the deployment (which parses the contract) runs under Locale.ROOT; the default is put
    // back after it, and the request path itself does not depend on the locale (LocaleIndependenceIT, the tr_TR run).
    Locale locale = Locale.getDefault();
    Locale display = Locale.getDefault(Locale.Category.DISPLAY);
    Locale format = Locale.getDefault(Locale.Category.FORMAT);
    Locale.setDefault(Locale.ROOT);
    try {
      deploy(config, roles).await();
    } catch (Exception e) {
      vertx.close().await();
      throw e;
    } finally {
      Locale.setDefault(locale);
      Locale.setDefault(Locale.Category.DISPLAY, display);
      Locale.setDefault(Locale.Category.FORMAT, format);
    }
    LOG.info("pod started: roles {}{}", roles, roles.contains(Role.GATEWAY)
      ? ", http port " + config.http().port() + ", balance " + BalanceModes.from(config) : "");
    return this;
  }

  /** Clustered (Hazelcast, blocking until it joined) when cluster.enabled is on; a plain Vert.x otherwise. */
  private static Vertx newVertx(ClusterSettings cluster) {
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        // Per-message meters on every event-bus hop, PostgreSQL/Kafka socket and provider call cost ~6% of the
        // CPU at load (JFR); the HTTP server, pool and JVM meters stay.
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .setEnabled(true));
    Vertx vertx;
    if (cluster.enabled()) {
      options.setEventBusOptions(HazelcastCluster.eventBus(cluster));
      vertx = Vertx.builder().with(options).withClusterManager(HazelcastCluster.manager(cluster)).buildClustered().await();
      LOG.info("joined cluster '{}' (members {})", cluster.name(), cluster.members());
    } else {
      vertx = Vertx.builder().with(options).build();
    }
    Codecs.register(vertx.eventBus());
    return vertx;
  }

  private Future<Void> deploy(GatewayConfig config, Set<Role> roles) {
    InstancesSettings instances = config.instances();
    Future<Void> chain = Future.succeededFuture();
    if (roles.contains(Role.GATEWAY)) {
      chain = chain
        .compose(v -> deploy("account", AccountVerticle::new, config, instances.account()))
        .compose(v -> deploy("api_key_revocations", ApiKeyRevocationsVerticle::new, config, instances.apiKeyRevocations()))
        .compose(v -> deploy("wallet", WalletVerticle::new, config, instances.wallet()))
        // Bulk send charges PostgreSQL as the wallet does: one bulk verticle where the wallet runs.
        .compose(v -> deploy("bulk", io.smsgw.bulk.BulkVerticle::new, config, Math.min(1, instances.wallet())))
        .compose(v -> deploy("message_status", MessageStatusVerticle::new, config, instances.messageStatus()))
        .compose(v -> deploy("delivery_reports", io.smsgw.delivery.DeliveryReportVerticle::new, config, instances.deliveryReports()))
        .compose(v -> deploy("webhooks", io.smsgw.webhook.WebhookVerticle::new, config, instances.webhooks()))
        .compose(v -> deploy("kafka_producer", KafkaProducerVerticle::new, config, instances.kafkaProducer()))
        // Always, even in sync mode: records accepted before a switch from async must still be settled.
        .compose(v -> deploy("settlement", SettlementVerticle::new, config, instances.settlement()));
      if (BalanceModes.from(config).anyAsync()) chain = chain.compose(v -> deploy("reservation", ReservationVerticle::new, config, instances.reservation()));
      chain = chain.compose(v -> deploy("rate_limit", io.smsgw.ratelimit.RateLimitVerticle::new, config, instances.rateLimit()));
      chain = chain.compose(v -> deploy("http", HttpVerticle::new, config, instances.http()));
    }
    if (roles.contains(Role.WORKER)) {
      boolean routed = config.routing().listed();
      for (var p : config.routing().providers()) {
        String which = routed ? "routing.providers " + p.id() + ": " : "";
        if (!p.isSmpp() && p.http().url().isEmpty()) {
          return Future.failedFuture(which + "provider.url is not set" + (routed ? "" : " (SMSGW_PROVIDER_URL)"));
        }
        if (p.isSmpp() && (p.smpp().host().isEmpty() || p.smpp().port() == 0)) {
          return Future.failedFuture(which + (routed ? "" : "provider.kind is smpp but ") + "smpp.host / smpp.port are not set"
            + (routed ? "" : " (SMSGW_SMPP_HOST, SMSGW_SMPP_PORT)"));
        }
      }
      chain = chain
        .compose(v -> deploy("sender_vip", () -> new SenderVerticle(Priority.VIP), config, instances.senderVip()))
        .compose(v -> deploy("sender_normal", () -> new SenderVerticle(Priority.NORMAL), config, instances.senderNormal()))
        .compose(v -> deploy("webhook_dispatcher", io.smsgw.webhook.WebhookDispatcher::new, config, instances.webhookDispatcher()));
    }
    // The operations port (detailed readiness, /metrics without a token) in every gateway and worker pod.
    if (roles.contains(Role.GATEWAY) || roles.contains(Role.WORKER)) {
      // host:pid, and which pod of the process (tests run several); resolved here, on the caller's thread
      String podId = hostName() + ":" + ProcessHandle.current().pid() + "-" + PODS_IN_PROCESS.incrementAndGet();
      chain = chain.compose(v -> describe(roles, podId)).compose(v -> deploy("worker_ops", OperationsVerticle::new, config, instances.workerOps()));
    }
    return chain;
  }

  /** {@code instances} copies of the verticle ({@code instances.*}); 0 leaves it out of this pod. */
  private Future<Void> deploy(String name, Supplier<? extends io.vertx.core.Deployable> verticle, GatewayConfig config, int instances) {
    if (instances == 0) return Future.succeededFuture();
    DeploymentOptions options = new DeploymentOptions().setConfig(config.json()).setInstances(instances);
    return vertx.deployVerticle(verticle, options).onSuccess(id -> {
      deployments.add(id);
      verticles.put(name, instances);
    }).mapEmpty();
  }

  /** What GET /admin/cluster shows of this pod; read by the operations verticle, deployed last. */
  private Future<Void> describe(Set<Role> roles, String podId) {
    JsonArray roleNames = new JsonArray();
    roles.forEach(r -> roleNames.add(r.name().toLowerCase(Locale.ROOT)));
    JsonObject description = new JsonObject()
      .put("pod_id", podId)
      .put("roles", roleNames)
      .put("verticles", new JsonObject(new java.util.LinkedHashMap<>(verticles)))
      .put("started_at", java.time.Instant.now().toString());
    String nodeId = ClusterView.nodeId(vertx);
    if (nodeId != null) description.put("node_id", nodeId);
    vertx.sharedData().<String, JsonObject>getLocalMap(ClusterView.POD_MAP).put(ClusterView.POD_KEY, description);
    return Future.succeededFuture();
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  /** Undeploys everything (in-flight publishes flush, marks are written) and closes Vert.x. Blocking. */
  public void stop() {
    for (int i = deployments.size() - 1; i >= 0; i--) {
      try {
        vertx.undeploy(deployments.get(i)).await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("undeploying {} did not finish cleanly: {}", deployments.get(i), e.toString());
      }
    }
    vertx.close().await();
  }
}
