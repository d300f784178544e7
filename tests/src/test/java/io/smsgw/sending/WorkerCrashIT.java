package io.smsgw.sending;

import io.smsgw.devkit.ChildMain;
import io.smsgw.devkit.DevRole;
import io.smsgw.devkit.FreePorts;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker as its own process, killed with SIGKILL in the middle of a stream of 5,000 messages and started
 * again: every accepted message still ends final, the provider delivered none twice, the money is exact.
 */
@DisplayName("Worker killed with SIGKILL mid-stream")
class WorkerCrashIT {

  static final int MESSAGES = 5_000;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    // Gateway and simulator here; the worker runs in a child JVM. The simulator's cap stretches the stream
    // over a few seconds so the kill lands in the middle of it.
    gateway = TestGateway.start(TestServices.postgres().url(),
      Map.of("SMSGW_PROVIDER_SIM_MAX_PER_SECOND", "1500", "SMSGW_PROVIDER_SIM_LATENCY_MS", "20"),
      EnumSet.of(DevRole.GATEWAY, DevRole.PROVIDER_SIM));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  Process startWorker(Path log) throws Exception {
    return startWorker(log, FreePorts.next());
  }

  Process startWorker(Path log, int opsPort) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
      "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), "worker");
    pb.environment().put("SMSGW_PG_URL", gateway.pgUrl());
    pb.environment().put("SMSGW_KAFKA_BOOTSTRAP", TestServices.kafka().bootstrapServers());
    pb.environment().put("SMSGW_PROVIDER_URL", gateway.config.provider().url());
    pb.environment().put("SMSGW_WORKER_HTTP_PORT", String.valueOf(opsPort));
    pb.environment().put("SMSGW_SENDER_CLAIM_MS", "3000");  // a dead worker's claims run out quickly
    pb.environment().put("SMSGW_PROVIDER_TIMEOUT_MS", "1000");  // a claim must outlast a send (timeout + 2 s)
    pb.environment().put("SMSGW_SENDER_RETRY_SCAN_INTERVAL_MS", "100");
    pb.environment().put("SMSGW_SENDER_SESSION_TIMEOUT_MS", "6000");  // the broker's minimum
    pb.environment().put("SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "100");
    pb.environment().put("SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "500");
    // Small polls and provider batches: with the bulk provider endpoint a full-speed worker sent all 5,000
    // before the test could kill it; at ~1,000/s the kill lands mid-stream with many claims in flight.
    pb.environment().put("SMSGW_SENDER_POLL_RECORDS", "20");
    pb.environment().put("SMSGW_PROVIDER_BATCH_SIZE", "5");
    return pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  static long count(String where) {
    return Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages m JOIN test_run t ON t.user_id = m.user_id WHERE " + where);
  }


  @Test
  @DisplayName("5,000 messages, SIGKILL after ~1,000 sent, restart: all final, none delivered twice, invariants hold")
  void killedMidStream() throws Exception {
    Path log = Files.createDirectories(Path.of("target")).resolve("worker-crash-test.log");
    Files.deleteIfExists(log);
    List<JsonObject> users = new ArrayList<>();
    for (int i = 0; i < 10; i++) users.add(gateway.createUser(1_000_000));
    Db.execute(gateway.pgUrl(), "DROP TABLE IF EXISTS test_run; CREATE TABLE test_run (user_id uuid PRIMARY KEY)");
    for (JsonObject u : users) Db.execute(gateway.pgUrl(), "INSERT INTO test_run VALUES ('" + u.getString("user_id") + "')");

    Semaphore inFlight = new Semaphore(200);
    List<CompletableFuture<TestGateway.Response>> sends = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      JsonObject user = users.get(i % users.size());
      // 1 in 50 to a number the provider refuses: those end failed / rejected with a refund
      String to = i % 100 == 7 ? ProviderSimulatorVerticle.INVALID_NUMBER
        : i % 100 == 57 ? ProviderSimulatorVerticle.BLOCKED_NUMBER : "+1415555" + String.format(java.util.Locale.ROOT, "%04d", i % 10_000);
      inFlight.acquire();
      sends.add(gateway.sendSmsAsync(user, TestGateway.sms(user, to, "stream message " + i))
        .whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
    assertThat(sends.stream().map(CompletableFuture::join).filter(r -> r.status() == 200).count()).isEqualTo(MESSAGES);

    Process worker = startWorker(log);  // after the stream is accepted: it starts with 5,000 waiting
    await("the first worker to send 1,000", Duration.ofSeconds(60), () -> count("m.status = 'sent'") >= 1_000);
    worker.destroyForcibly();  // SIGKILL: no shutdown hook, no drain, claims and offsets left as they are
    assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long sentAtKill = count("m.status <> 'pending'");
    assertThat(sentAtKill).as("killed in the middle of the stream").isLessThan(MESSAGES);

    int opsPort = FreePorts.next();
    Process second = startWorker(log, opsPort);
    try {
      await("every message to be final", Duration.ofSeconds(180), () -> count("m.status = 'pending'") == 0);
      // The worker's own health and metrics port: ready, and its senders' outcomes counted.
      TestGateway.Response ready = gateway.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/health/ready")).build());
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().getString("kafka")).isEqualTo("up");
      String metrics = gateway.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/metrics")).build()).body();
      assertThat(metrics.lines().filter(l -> l.startsWith("smsgw_sender_outcomes_total{") && l.contains("lane=\"normal\"")
          && l.contains("outcome=\"sent\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
        .as("sent outcomes on the worker's /metrics").isPositive();
    } finally {
      second.destroy();  // SIGTERM: drains and exits
      assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("worker exits after SIGTERM").isTrue();
    }

    long sent = count("m.status = 'sent'");
    long failed = count("m.status = 'failed'");
    long rejected = count("m.status = 'rejected'");
    assertThat(sent + failed + rejected).isEqualTo(MESSAGES);
    assertThat(failed).isEqualTo(50);
    assertThat(rejected).isEqualTo(50);
    JsonObject stats = gateway.providerStats();
    // Each sent message was delivered by the provider exactly once, whatever was repeated after the kill.
    assertThat(stats.getLong("delivered")).isEqualTo(sent);
    System.out.printf("worker crash test: %d final (%d at kill), provider %s%n", MESSAGES, sentAtKill, stats.encode());
    Db.assertInvariantsHold(gateway.pgUrl());
    Db.execute(gateway.pgUrl(), "DROP TABLE test_run");
  }
}
