package io.smsgw.cluster;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.ChildPod;
import io.smsgw.devkit.DevEnvironment;
import io.smsgw.devkit.FreePorts;
import io.smsgw.devkit.LoopbackCluster;
import io.smsgw.devkit.ProviderSimulator;
import io.smsgw.devkit.simulator.ProviderSimulatorState;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateways and two workers, each its own JVM, in one Vert.x cluster on loopback. Under a steady load spread over
 * both gateways, one gateway and one worker are SIGKILLed at the same moment and not started again: the cluster drops
 * them, the other gateway goes on accepting, the other worker takes over the dead one's partitions and claims, and
 * afterwards every accepted message is final, none was delivered twice, no "not charged" answer was charged, and the
 * money of every wallet is exact.
 */
@DisplayName("Cluster: a gateway and a worker SIGKILLed under load")
class ClusterFailoverIT {

  /** A gateway started as `run` refuses a known token: a random one per run. */
  static final String ADMIN_TOKEN = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(32));
  static final double RATE = 120;       // requests per second, over both gateways
  static final double SECONDS = 20;
  static final double KILL_AT = 7;
  static final long BALANCE = 10_000_000;

  static ProviderSimulator simulator;
  static final ProviderSimulatorState state = new ProviderSimulatorState();
  static final List<ChildPod> gateways = new ArrayList<>();
  static final List<ChildPod> workers = new ArrayList<>();
  static String pgUrl;

  @BeforeAll
  static void cluster() throws Exception {
    pgUrl = TestServices.postgres().url();
    // The provider simulator in this JVM, so its per-key records show whether anything was delivered twice.
    GatewayConfig config = DevEnvironment.withLocalSimulator(GatewayConfig.load(GatewayConfig.DEFAULT_PATH,
      Map.of("SMSGW_PG_URL", pgUrl, "SMSGW_PROVIDER_SIM_LATENCY_MS", "20")));
    simulator = ProviderSimulator.start(config, state);
    Path logs = Files.createDirectories(Path.of("target", "cluster-failover-it"));
    LoopbackCluster cluster = new LoopbackCluster("failover-it", 4);
    Map<String, String> common = new LinkedHashMap<>();
    common.put("SMSGW_PG_URL", pgUrl);
    common.put("SMSGW_KAFKA_BOOTSTRAP", TestServices.kafka().bootstrapServers());
    common.put("SMSGW_REDIS_URL", TestServices.redis().url());
    common.put("SMSGW_PROVIDER_URL", config.provider().url());
    common.put("SMSGW_ADMIN_TOKEN", ADMIN_TOKEN);
    common.put("SMSGW_SENDER_CLAIM_MS", "3000");             // a dead worker's claims run out quickly
    common.put("SMSGW_PROVIDER_TIMEOUT_MS", "1000");         // a claim must outlast a send (timeout + 2 s)
    common.put("SMSGW_SENDER_SESSION_TIMEOUT_MS", "6000");   // the broker's minimum: the dead worker leaves the group
    common.put("SMSGW_SENDER_RETRY_SCAN_INTERVAL_MS", "200");
    common.put("SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "100");
    common.put("SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "500");
    String perDatabase = Integer.toHexString(pgUrl.hashCode());
    common.put("SMSGW_SETTLEMENT_GROUP_ID", "settlement-" + perDatabase);
    common.put("SMSGW_REDIS_KEY_PREFIX", "smsgw-" + perDatabase);
    for (int i = 0; i < 4; i++) {
      String role = i < 2 ? "gateway" : "worker";
      int apiPort = FreePorts.next();
      int opsPort = FreePorts.next();
      Map<String, String> env = new HashMap<>(common);
      env.putAll(cluster.env(i));
      env.put("SMSGW_HTTP_PORT", String.valueOf(apiPort));
      env.put("SMSGW_WORKER_HTTP_PORT", String.valueOf(opsPort));
      String name = role + "-" + (i % 2 + 1);
      ChildPod pod = new ChildPod(name, role, i < 2 ? apiPort : opsPort, env, logs.resolve(name + ".log"));
      (i < 2 ? gateways : workers).add(pod);
    }
    for (ChildPod pod : all()) pod.start();
    for (ChildPod pod : all()) pod.awaitReady(Duration.ofSeconds(150));
    await("the four pods to be members of one cluster", Duration.ofSeconds(30),
      () -> members(gateways.get(1)) == 4);
  }

  static List<ChildPod> all() {
    List<ChildPod> all = new ArrayList<>(gateways);
    all.addAll(workers);
    return all;
  }

  @AfterAll
  static void stop() throws Exception {
    for (ChildPod pod : all()) pod.stop();
    if (simulator != null) simulator.close();
    Db.assertInvariantsHold(pgUrl);
  }

  static int members(ChildPod pod) {
    try {
      return clusterView(pod).getJsonArray("members").size();
    } catch (Exception | AssertionError notYet) {
      return -1;
    }
  }

  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  static JsonObject clusterView(ChildPod pod) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pod.readyPort + "/admin/cluster"))
      .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /** What the client was told about one message. */
  record Outcome(String messageId, String userId, int status, String code, int gateway) {
  }

  @Test
  @DisplayName("one gateway and one worker killed: nothing lost, nothing sent twice, no false 503, money exact")
  void killOneOfEach() throws Exception {
    List<JsonObject> users = new ArrayList<>();
    for (int i = 0; i < 20; i++) users.add(createUser(gateways.get(i % 2)));
    String gatewayOneNode = nodeIdOf(gateways.get(0));
    String workerOneNode = nodeIdOf(workers.get(0));

    int total = (int) (RATE * SECONDS);
    List<CompletableFuture<Outcome>> sends = new ArrayList<>();
    AtomicLong acceptedAfterKill = new AtomicLong();
    long start = System.nanoTime();
    long killAtNanos = start + (long) (KILL_AT * 1e9);
    boolean killed = false;
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i / RATE * 1e9);
      long wait = due - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      if (!killed && System.nanoTime() >= killAtNanos) {
        gateways.get(0).kill();  // SIGKILL both at once: no drain, no goodbye to the cluster
        workers.get(0).kill();
        killed = true;
      }
      JsonObject user = users.get(i % users.size());
      String to = "+1415555" + String.format(java.util.Locale.ROOT, "%04d", i % 10_000);
      String id = UUID.randomUUID().toString();
      boolean afterKill = killed;
      sends.add(send(user, id, to, i % 2, true).whenComplete((o, e) -> {
        if (afterKill && o != null && o.status() == 200) acceptedAfterKill.incrementAndGet();
      }));
    }
    List<Outcome> outcomes = sends.stream().map(CompletableFuture::join).toList();
    assertThat(acceptedAfterKill.get()).as("the surviving gateway went on accepting").isGreaterThan((long) (RATE * (SECONDS - KILL_AT) / 3));

    // The cluster forgot the dead pods (their connections closed: at once on loopback; within
    // cluster.max_no_heartbeat_s when a pod goes silent instead).
    JsonObject view = clusterView(gateways.get(1));
    assertThat(view.getJsonArray("members")).as(view.encode()).doesNotContain(gatewayOneNode, workerOneNode).hasSize(2);

    List<String> userIds = users.stream().map(u -> "'" + u.getString("user_id") + "'").toList();
    String mine = "user_id IN (" + String.join(",", userIds) + ")";
    await("every message of this test to be final", Duration.ofSeconds(120),
      () -> Db.count(pgUrl, "SELECT count(*) FROM messages WHERE status = 'pending' AND " + mine) == 0);

    Map<String, String> statusInPg = new HashMap<>();
    Map<String, String> providerIdInPg = new HashMap<>();
    for (List<String> r : Db.rows(pgUrl, "SELECT message_id, status, provider_message_id FROM messages WHERE " + mine)) {
      statusInPg.put(r.get(0), r.get(1));
      if (r.get(2) != null) providerIdInPg.put(r.get(0), r.get(2));
    }
    Map<String, Long> charges = new HashMap<>();
    Db.rows(pgUrl, "SELECT message_id, count(*) FROM ledger WHERE kind = 'charge' AND " + mine + " GROUP BY message_id")
      .forEach(r -> charges.put(r.get(0), Long.parseLong(r.get(1))));

    Map<String, Long> told = outcomes.stream().collect(Collectors.groupingBy(o -> o.status() + " " + o.code(), Collectors.counting()));
    long lost = 0;
    long false503 = 0;
    long unanswered = 0;
    for (Outcome o : outcomes) {
      String status = statusInPg.get(o.messageId());
      if (o.status() == 200 && (status == null || "pending".equals(status))) lost++;
      if (o.status() == 503 && ("unavailable".equals(o.code()) || "overloaded".equals(o.code())) && charges.containsKey(o.messageId())) false503++;
      if (o.status() == 0) unanswered++;
    }
    assertThat(lost).as("accepted but not final; answers: %s", told).isZero();
    assertThat(false503).as("answered 'not charged' but charged; answers: %s", told).isZero();
    assertThat(charges.values()).as("a message charged twice").allMatch(n -> n == 1);
    assertThat(told.getOrDefault("200 null", 0L)).as("answers: %s", told).isGreaterThan((long) (total * 0.8));
    Map<String, Long> cutOff = outcomes.stream().filter(o -> o.status() == 0)
      .collect(Collectors.groupingBy(o -> "gateway " + o.gateway() + " " + o.code(), Collectors.counting()));
    assertThat(unanswered).as("requests cut off by the kill: at most the few in flight on the dead gateway; answers: %s; cut off: %s",
      told, cutOff).isLessThan(50);

    // Sent exactly once: each message the provider delivered is sent (or, with delivery reports, delivered or
    // undelivered) in PostgreSQL with the provider's id.
    java.util.Set<String> taken = java.util.Set.of("sent", "delivered", "undelivered");
    Map<String, String> delivered = state.deliveredKeys();
    long sent = statusInPg.values().stream().filter(taken::contains).count();
    long deliveredOfMine = statusInPg.keySet().stream().filter(delivered::containsKey).count();
    System.out.printf("cluster failover: answers %s; accepted after the kill %d; in PostgreSQL %d (sent %d); delivered %d; absorbed resends %s%n",
      told, acceptedAfterKill.get(), statusInPg.size(), sent, deliveredOfMine, state.stats().getValue("repeated_requests"));
    assertThat(deliveredOfMine).as("delivered by the provider vs sent in PostgreSQL").isEqualTo(sent);
    for (Map.Entry<String, String> row : statusInPg.entrySet()) {
      if (taken.contains(row.getValue())) {
        assertThat(providerIdInPg.get(row.getKey())).as("provider id of %s", row.getKey()).isEqualTo(delivered.get(row.getKey()));
      }
    }

    // Money exact, wallet by wallet: balance = top-ups - charges + refunds, every charge the price of a message.
    for (JsonObject user : users) {
      String uid = user.getString("user_id");
      String sums = "SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = '" + uid + "' AND kind = ";
      long topups = Db.count(pgUrl, sums + "'topup'");
      long charged = Db.count(pgUrl, sums + "'charge'");
      long refunded = Db.count(pgUrl, sums + "'refund'");
      assertThat(topups).isEqualTo(BALANCE);
      assertThat(Db.count(pgUrl, "SELECT balance FROM wallets WHERE user_id = '" + uid + "'")).as("wallet of %s", uid)
        .isEqualTo(topups - charged + refunded);
    }
  }

  static String nodeIdOf(ChildPod pod) throws Exception {
    long pid = pod.process().orElseThrow().pid();
    for (int attempt = 0; attempt < 50; attempt++) {
      for (Object o : clusterView(gateways.get(1)).getJsonArray("pods", new JsonArray())) {
        JsonObject p = (JsonObject) o;
        if (p.getString("pod_id").contains(":" + pid + "-")) return p.getString("node_id");
      }
      Thread.sleep(200);
    }
    throw new AssertionError(pod.name + " is not listed in /admin/cluster");
  }

  static JsonObject createUser(ChildPod gateway) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.readyPort + "/admin/users"))
      .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("name", "failover").put("balance", BALANCE).encode())).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body());
  }

  /**
   * POST /send-sms to one gateway; a connection that cannot be made (the gateway is dead or dying) goes once to the other with the
   * same message_id, as a load balancer would. Status 0: sent but never answered (cut off by the kill).
   */
  static CompletableFuture<Outcome> send(JsonObject user, String id, String to, int gateway, boolean mayMove) {
    String body = new JsonObject().put("message_id", id).put("user_id", user.getString("user_id")).put("phone_number", to)
      .put("message", "failover " + id.substring(0, 8)).encode();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateways.get(gateway).readyPort + "/send-sms"))
      .header("Content-Type", "application/json").header("X-API-Key", user.getString("api_key"))
      .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
      if (e == null) {
        String code = null;
        if (r.statusCode() != 200) {
          try {
            code = new JsonObject(r.body()).getJsonObject("error").getString("code");
          } catch (RuntimeException notJson) {
            code = "no_error_code";
          }
        }
        return CompletableFuture.completedFuture(new Outcome(id, user.getString("user_id"), r.statusCode(), code, gateway));
      }
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      // No connection made (refused, or the connect timed out while the killed process was still being torn down on a
      // loaded machine): nothing was sent, so it moves, as a load balancer would.
      boolean noConnection = cause instanceof ConnectException || cause instanceof java.net.http.HttpConnectTimeoutException;
      if (noConnection && mayMove) return send(user, id, to, 1 - gateway, false);
      return CompletableFuture.completedFuture(new Outcome(id, user.getString("user_id"), 0, cause.getClass().getSimpleName(), gateway));
    }).thenCompose(f -> f);
  }
}
