package io.smsgw.bench;

import io.smsgw.devkit.ChildPod;

import io.smsgw.devkit.ProviderSimulator;
import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.DevEnvironment;
import io.smsgw.devkit.EmbeddedKafka;
import io.smsgw.devkit.EmbeddedPostgresServer;
import io.smsgw.devkit.EmbeddedRedis;
import io.smsgw.devkit.FreePorts;
import io.smsgw.devkit.LoopbackCluster;
import io.smsgw.platform.kafka.Topics;
import io.smsgw.devkit.simulator.ProviderSimulatorState;
import io.smsgw.wallet.BalanceModes;
import io.smsgw.platform.pg.Migrations;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * What the chaos run breaks: PostgreSQL, the Kafka broker and Redis started here so they can be stopped and started
 * again on the same ports and data, the provider simulator in this JVM (its state read directly), and the gateways
 * and workers as child JVMs (so a kill is a real process death). Everything under {@code target/chaos-<time>/}.
 */
final class ChaosCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChaosCluster.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  /**
   * Shorter leases and backoffs than conf/ so that each fault resolves within a run: a pause of ~15 s outlasts the
   * claim, a dead consumer leaves the group after 6 s (the broker's minimum), retries come back within seconds.
   */
  static final Map<String, String> CHILD_SETTINGS = ordered(
    "SMSGW_SENDER_CLAIM_MS", "10000",
    "SMSGW_SENDER_SESSION_TIMEOUT_MS", "6000",
    "SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "200",
    "SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "2000",
    "SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "5");
  /** The provider's longest processing time, for the workers (a key being added; ignored where conf/ lacks it). */
  static final Map<String, String> WORKER_SETTINGS = ordered("SMSGW_PROVIDER_MAX_PROCESSING_MS", "6000");
  static final long SIM_LATE_DECISION_MS = 4000;

  final Path dir;
  final GatewayConfig config;
  final ProviderSimulatorState simulator = new ProviderSimulatorState();
  final Layout layout;
  final List<ChildPod> gateways = new ArrayList<>();
  /** Edge pods: gateways whose capability verticles are all off; they charge through the gateways over the clustered bus. */
  final List<ChildPod> edges = new ArrayList<>();
  final List<ChildPod> workers = new ArrayList<>();
  final EmbeddedPostgresServer postgres;
  final EmbeddedKafka kafka;
  final EmbeddedRedis redis;
  private final String adminToken = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
  private final Map<String, String> childEnv = new LinkedHashMap<>();
  private ProviderSimulator simulatorPod;
  private LoopbackCluster cluster;

  /**
   * How many pods of each kind, and whether they form one Vert.x cluster (Hazelcast on loopback). Edge pods need the
   * cluster: without it they have no wallet to charge through.
   */
  record Layout(int gateways, int edges, int workers, boolean clustered) {
    Layout {
      if (edges > 0 && !clustered) throw new IllegalArgumentException("edge pods need a clustered layout");
      if (gateways < 1) throw new IllegalArgumentException("at least one gateway");
    }

    static Layout islands(int gateways, int workers) {
      return new Layout(gateways, 0, workers, false);
    }

    int size() {
      return gateways + edges + workers;
    }
  }

  ChaosCluster(GatewayConfig base, Path dir, int gatewayCount, int workerCount) throws Exception {
    this(base, dir, Layout.islands(gatewayCount, workerCount));
  }

  ChaosCluster(GatewayConfig base, Path dir, Layout layout) throws Exception {
    this.dir = Files.createDirectories(dir);
    this.layout = layout;
    int gatewayCount = layout.gateways();
    int workerCount = layout.workers();
    postgres = new EmbeddedPostgresServer(dir.resolve("pg"));
    kafka = new EmbeddedKafka(dir.resolve("kafka"));
    redis = new EmbeddedRedis(dir.resolve("redis"));
    try {
      LOG.info("chaos: starting PostgreSQL, Kafka, Redis under {}", dir);
      postgres.start();
      kafka.start();
      redis.start();
      GatewayConfig c = base.with("pg", "url", postgres.url()).with("kafka", "bootstrap", kafka.bootstrapServers())
        .with("redis", "url", redis.url()).with("provider_sim", "late_decision_ms", SIM_LATE_DECISION_MS);
      c = DevEnvironment.withLocalSimulator(c.with("provider_sim", "port", 0));
      config = c;
      // Once, here: four pods migrating and creating topics at the same moment is a race the run is not about.
      Migrations.migrate(config.pg().url());
      Topics.ensureCreated(config);
      simulatorPod = ProviderSimulator.start(config, simulator);

      BalanceModes modes = BalanceModes.from(config);
      childEnv.put("SMSGW_PG_URL", config.pg().url());
      childEnv.put("SMSGW_KAFKA_BOOTSTRAP", config.kafka().bootstrap());
      childEnv.put("SMSGW_REDIS_URL", config.redis().url());
      childEnv.put("SMSGW_PROVIDER_URL", config.provider().url());
      childEnv.put("SMSGW_BALANCE_MODE", config.balance().mode());
      childEnv.put("SMSGW_RESERVATION", (config.balance().reservation() ? "on" : "off"));
      childEnv.put("SMSGW_BALANCE_VIP_MODE", config.balance().vipMode());
      childEnv.putAll(CHILD_SETTINGS);
      LOG.info("chaos: balance {}, {} gateway(s), {} edge pod(s), {} worker(s){}", modes, gatewayCount, layout.edges(), workerCount,
        layout.clustered() ? ", clustered" : "");
      if (layout.clustered()) cluster = new LoopbackCluster("bench", layout.size());
      for (int i = 1; i <= gatewayCount; i++) gateways.add(child("gateway-" + i, "gateway", Map.of()));
      for (int i = 1; i <= layout.edges(); i++) edges.add(child("edge-" + i, "gateway", LoopbackCluster.edgeInstances()));
      for (int i = 1; i <= workerCount; i++) workers.add(child("worker-" + i, "worker", WORKER_SETTINGS));
      for (ChildPod pod : all()) pod.start();
      awaitAllReady();
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  private ChildPod child(String name, String role, Map<String, String> extra) {
    int apiPort = FreePorts.next();
    int opsPort = FreePorts.next();
    Map<String, String> env = new LinkedHashMap<>(childEnv);
    if (cluster != null) env.putAll(cluster.env(gateways.size() + edges.size() + workers.size()));
    env.putAll(extra);
    env.put("SMSGW_HTTP_PORT", String.valueOf(apiPort));
    env.put("SMSGW_WORKER_HTTP_PORT", String.valueOf(opsPort));
    env.put("SMSGW_ADMIN_TOKEN", adminToken);  // gateways refuse a weak one; >= 32 characters, random per run
    return new ChildPod(name, role, "gateway".equals(role) ? apiPort : opsPort, env, dir.resolve(name + ".log"));
  }

  List<ChildPod> all() {
    List<ChildPod> all = new ArrayList<>(gateways);
    all.addAll(edges);
    all.addAll(workers);
    return all;
  }

  private void awaitAllReady() throws Exception {
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    for (ChildPod pod : all()) {
      ready.add(CompletableFuture.runAsync(() -> {
        try {
          pod.awaitReady(READY_TIMEOUT);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }));
    }
    CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
    LOG.info("chaos: every gateway and worker is ready");
  }

  /** Starts a pod again on its ports and waits until it is ready. */
  void restart(ChildPod pod) throws Exception {
    pod.start();
    pod.awaitReady(READY_TIMEOUT);
  }

  /** The API ports of every HTTP pod, the gateways then the edge pods, in order (the load is spread over them). */
  int[] gatewayPorts() {
    return httpPods().stream().mapToInt(g -> g.readyPort).toArray();
  }

  /** The gateways, then the edge pods. */
  List<ChildPod> httpPods() {
    List<ChildPod> http = new ArrayList<>(gateways);
    http.addAll(edges);
    return http;
  }

  /** The admin token of this run's pods (random per run). */
  String adminToken() {
    return adminToken;
  }

  /** Users created through the admin API of the first gateway: {@code {"user_id", "api_key", ...}}. */
  List<JsonObject> createUsers(int count, long balance) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    URI uri = URI.create("http://127.0.0.1:" + gateways.get(0).readyPort + "/admin/users");
    Semaphore inFlight = new Semaphore(16);
    List<CompletableFuture<JsonObject>> created = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("name", "chaos-" + i).put("balance", balance).encode())).build();
      inFlight.acquire();
      created.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release())
        .thenApply(r -> {
          if (r.statusCode() != 201) throw new IllegalStateException("POST /admin/users: " + r.statusCode() + " " + r.body());
          return new JsonObject(r.body());
        }));
    }
    return created.stream().map(CompletableFuture::join).toList();
  }

  /** What the children were started with (the admin token left out). */
  JsonObject childSettings() {
    JsonObject all = new JsonObject();
    childEnv.forEach((k, v) -> {
      if (!k.equals("SMSGW_ADMIN_TOKEN")) all.put(k, v);
    });
    if (cluster != null) cluster.env(0).forEach((k, v) -> {
      if (!k.equals("SMSGW_CLUSTER_PORT")) all.put(k, v);
    });
    WORKER_SETTINGS.forEach((k, v) -> all.put(k + " (workers)", v));
    if (!edges.isEmpty()) LoopbackCluster.edgeInstances().forEach((k, v) -> all.put(k + " (edge pods)", v));
    return all;
  }

  @Override
  public void close() {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (ChildPod pod : all()) {
      stops.add(CompletableFuture.runAsync(() -> {
        try {
          pod.resume();  // a paused pod would not hear SIGTERM
        } catch (Exception notRunning) {
          // fine
        }
        try {
          pod.stop();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
    if (simulatorPod != null) simulatorPod.close();
    for (AutoCloseable service : List.<AutoCloseable>of(redis, kafka, postgres)) {
      try {
        service.close();
      } catch (Exception e) {
        LOG.warn("could not stop {}: {}", service, e.toString());
      }
    }
    // The logs stay; the data (hundreds of MB after a full run) goes.
    for (Path data : List.of(dir.resolve("pg"), dir.resolve("kafka").resolve("data"))) {
      deleteRecursively(data);
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) return;
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      LOG.warn("could not delete {}: {}", root, e.toString());
    }
  }

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put(keysAndValues[i], keysAndValues[i + 1]);
    return java.util.Collections.unmodifiableMap(map);
  }
}
