package io.smsgw.provider;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.FreePorts;
import io.smsgw.devkit.ProviderSimulator;
import io.smsgw.devkit.simulator.ProviderSimulatorState;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sending side of delivery reports alone: the provider simulator against a small receiver in the test that checks
 * every signature with {@link ReportSignature#verify}, answers 500 to the first two batches and 200 to the rest. No
 * gateway, no database.
 */
@DisplayName("Provider simulator: signed delivery reports, one per part, retried until acknowledged")
class SimulatorReportsIT {

  static final String SECRET = "test-dlr-secret-0123456789abcdef";
  static final Duration WAIT = Duration.ofSeconds(30);

  /** A batch as the receiver saw it: the answer it gave, whether the signature verified, the headers that matter. */
  record Received(int answered, boolean signed, String contentType, JsonObject body) {
  }

  Vertx vertx;
  HttpServer receiver;
  final ConcurrentLinkedQueue<Received> batches = new ConcurrentLinkedQueue<>();
  final AtomicInteger failuresLeft = new AtomicInteger();
  ProviderSimulator simulator;
  final ProviderSimulatorState state = new ProviderSimulatorState();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  String simulatorUrl;

  @BeforeEach
  void receiver() {
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String signature = request.getHeader(ReportSignature.HEADER);
      boolean signed = ReportSignature.verify(SECRET, signature, body.getBytes(), Instant.now().getEpochSecond(), 300);
      int answer = failuresLeft.getAndDecrement() > 0 ? 500 : 200;
      batches.add(new Received(answer, signed, request.getHeader("Content-Type"), new JsonObject(body)));
      request.response().setStatusCode(answer).end();
    })).listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    if (simulator != null) simulator.close();
    vertx.close().await();
  }

  void startSimulator(Map<String, String> overrides) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
      "SMSGW_PROVIDER_SIM_PORT", String.valueOf(FreePorts.next()),
      "SMSGW_PROVIDER_SIM_LATENCY_MS", "5",
      "SMSGW_PROVIDER_SIM_JITTER_MS", "0",
      "SMSGW_PROVIDER_SIM_DLR_URL", "http://127.0.0.1:" + receiver.actualPort() + "/provider/delivery-reports",
      "SMSGW_PROVIDER_SIM_DLR_SECRET", SECRET,
      "SMSGW_PROVIDER_SIM_DLR_DELAY_MS", "150",
      "SMSGW_PROVIDER_SIM_DLR_JITTER_MS", "100"));
    env.putAll(overrides);
    GatewayConfig config = GatewayConfig.load(GatewayConfig.DEFAULT_PATH, env);
    simulator = ProviderSimulator.start(config, state);
    simulatorUrl = "http://127.0.0.1:" + config.providerSim().port();
  }

  /** {@code POST /v1/messages} with an Idempotency-Key; the provider id it answered. */
  String send(String key, String to, Integer segments) throws Exception {
    JsonObject body = new JsonObject().put("to", to).put("text", "hello").put("encoding", "GSM7");
    if (segments != null) body.put("segments", segments);
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(simulatorUrl + "/v1/messages"))
      .header("Content-Type", "application/json").header("Idempotency-Key", key)
      .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as("simulator answer to %s", to).isEqualTo(202);
    return new JsonObject(answer.body()).getString("message_id");
  }

  /** Every report of the batches answered 200 (the ones the receiver stored). */
  List<JsonObject> stored() {
    List<JsonObject> out = new ArrayList<>();
    for (Received batch : batches) {
      if (batch.answered() != 200) continue;
      JsonArray reports = batch.body().getJsonArray("reports");
      for (int i = 0; i < reports.size(); i++) out.add(reports.getJsonObject(i));
    }
    return out;
  }

  JsonObject stats() {
    return state.stats();
  }

  void awaitQuiet() throws InterruptedException {
    await("every report acknowledged", WAIT, () -> stats().getLong("dlr_scheduled") > 0 && stats().getLong("dlr_pending") == 0);
  }

  @Test
  @DisplayName("3-part, 1-part and +15005550003 messages: every part reported, signed; undelivered for the magic number; 500s retried; stats add up")
  void everyPartReportedSignedAndRetried() throws Exception {
    failuresLeft.set(2);
    startSimulator(Map.of());
    String longKey = UUID.randomUUID().toString();
    String shortKey = UUID.randomUUID().toString();
    String undeliveredKey = UUID.randomUUID().toString();
    String longId = send(longKey, "+14155550100", 3);
    String shortId = send(shortKey, "+14155550101", null);  // segments absent: one part
    String undeliveredId = send(undeliveredKey, ProviderSimulatorVerticle.UNDELIVERED_NUMBER, 1);
    // A repeated request for a delivered key: the same id, and no second set of reports.
    assertThat(send(longKey, "+14155550100", 3)).isEqualTo(longId);

    awaitQuiet();
    Thread.sleep(1_000);  // nothing more arrives later (no report for the repeated request)

    Map<String, String> idOf = Map.of(longKey, longId, shortKey, shortId, undeliveredKey, undeliveredId);
    Map<String, Integer> partsOf = Map.of(longKey, 3, shortKey, 1, undeliveredKey, 1);
    Set<String> reported = new TreeSet<>();
    for (JsonObject report : stored()) {
      String key = report.getString("client_ref");
      assertThat(idOf).as("client_ref is a key the simulator was sent").containsKey(key);
      assertThat(report.getString("provider_message_id")).isEqualTo(idOf.get(key));
      assertThat(report.getInteger("parts")).isEqualTo(partsOf.get(key));
      assertThat(report.getInteger("part")).isBetween(1, partsOf.get(key));
      assertThat(report.containsKey("error_code")).as("error_code is always present").isTrue();
      assertThat(Instant.parse(report.getString("done_at"))).isBetween(Instant.now().minusSeconds(60), Instant.now());
      assertThat(report.getString("done_at")).endsWith("Z");
      if (key.equals(undeliveredKey)) {
        assertThat(report.getString("status")).isEqualTo("undelivered");
        assertThat(report.getString("error_code")).isEqualTo("absent_subscriber");
      } else {
        assertThat(report.getString("status")).isEqualTo("delivered");
        assertThat(report.getValue("error_code")).isNull();
      }
      reported.add(key + "/" + report.getInteger("part"));
    }
    assertThat(reported).containsExactlyInAnyOrder(longKey + "/1", longKey + "/2", longKey + "/3", shortKey + "/1",
      undeliveredKey + "/1");

    assertThat(batches).allSatisfy(b -> {
      assertThat(b.signed()).as("signature verifies").isTrue();
      assertThat(b.contentType()).isEqualTo("application/json");
    });
    byte[] someBody = batches.peek().body().toBuffer().getBytes();
    assertThat(ReportSignature.verify("another secret", ReportSignature.header(SECRET, Instant.now().getEpochSecond(), someBody),
      someBody, Instant.now().getEpochSecond(), 300)).as("a wrong secret does not verify").isFalse();
    assertThat(batches.stream().filter(b -> b.answered() == 500).count()).isEqualTo(2);

    JsonObject stats = stats();
    assertThat(stats.getLong("dlr_scheduled")).isEqualTo(5);
    assertThat(stats.getLong("dlr_sent")).isEqualTo(5);
    assertThat(stats.getLong("dlr_retries")).as("each 500 answered batch is sent again once").isEqualTo(2);
    assertThat(stats.getLong("dlr_pending")).isZero();
    assertThat(stats.getLong("dlr_dropped")).isZero();
    assertThat(stats.getLong("dlr_duplicates_sent")).isZero();
    assertThat(stats.getLong("dlr_scheduled"))
      .isEqualTo(stats.getLong("dlr_sent") + stats.getLong("dlr_pending") + stats.getLong("dlr_dropped"));
    assertThat(stats.getLong("delivered")).isEqualTo(3);
    assertThat(stats.getLong("repeated_requests")).isEqualTo(1);
    // The batches sent again are the same reports: the receiver saw each failed one again, and nothing is missing.
    assertThat(batches.stream().mapToInt(b -> b.body().getJsonArray("reports").size()).sum())
      .isEqualTo(5 + batches.stream().filter(b -> b.answered() == 500).mapToInt(b -> b.body().getJsonArray("reports").size()).sum());
  }

  @Test
  @DisplayName("dlr_duplicate_rate 1: every report arrives twice, counted as duplicates; the batch endpoint schedules reports too")
  void duplicatesAndBatchEndpoint() throws Exception {
    startSimulator(Map.of("SMSGW_PROVIDER_SIM_DLR_DUPLICATE_RATE", "1.0", "SMSGW_PROVIDER_SIM_DLR_MAX_BATCH", "2"));
    String key = UUID.randomUUID().toString();
    JsonObject batch = new JsonObject().put("messages", new JsonArray().add(new JsonObject()
      .put("idempotency_key", key).put("to", "+14155550102").put("text", "hi").put("encoding", "GSM7").put("segments", 2)));
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(simulatorUrl + "/v1/messages/batch"))
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(batch.encode())).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    String id = new JsonObject(answer.body()).getJsonArray("results").getJsonObject(0).getString("message_id");

    await("both copies of both parts", WAIT, () -> stats().getLong("dlr_sent") == 4 && stats().getLong("dlr_pending") == 0);

    List<JsonObject> stored = stored();
    assertThat(stored).hasSize(4).allSatisfy(r -> {
      assertThat(r.getString("client_ref")).isEqualTo(key);
      assertThat(r.getString("provider_message_id")).isEqualTo(id);
      assertThat(r.getInteger("parts")).isEqualTo(2);
    });
    assertThat(stored.stream().filter(r -> r.getInteger("part") == 1)).hasSize(2);
    assertThat(batches).allSatisfy(b -> assertThat(b.body().getJsonArray("reports").size()).isBetween(1, 2));
    JsonObject stats = stats();
    assertThat(stats.getLong("dlr_scheduled")).isEqualTo(4);
    assertThat(stats.getLong("dlr_duplicates_sent")).isEqualTo(2);
    assertThat(stats.getLong("dlr_retries")).isZero();
  }
}
