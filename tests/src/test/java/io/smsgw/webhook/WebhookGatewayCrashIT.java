package io.smsgw.webhook;

import io.smsgw.devkit.ChildPod;
import io.smsgw.devkit.DevEnvironment;
import io.smsgw.devkit.DevRole;
import io.smsgw.devkit.FreePorts;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.smsgw.testing.WebhookReceiver;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook outbox across a gateway SIGKILL. The gateway (a child JVM) is where delivery reports make messages
 * delivered, and so where those status changes write their events; it is killed while the provider's reports stream in,
 * and started again on the same port. The provider sends every batch the dead gateway did not acknowledge again, so
 * every message ends delivered, and every status change has its one event, delivered to the receiver at least once.
 */
@DisplayName("Gateway killed with SIGKILL while delivery reports write webhook events: none lost")
class WebhookGatewayCrashIT {

  static final int MESSAGES = 60;
  static final String SECRET = HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(32));
  static final String ADMIN_TOKEN = HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(32));
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  static WebhookReceiver receiver;
  static ChildPod gateway;
  static TestGateway workers;

  @BeforeAll
  static void start() throws Exception {
    receiver = new WebhookReceiver();
    String pg = TestServices.postgres().url();
    int apiPort = FreePorts.next();
    Map<String, String> env = new HashMap<>();
    env.put("SMSGW_PG_URL", pg);
    env.put("SMSGW_KAFKA_BOOTSTRAP", TestServices.kafka().bootstrapServers());
    env.put("SMSGW_REDIS_URL", TestServices.redis().url());
    env.put("SMSGW_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("SMSGW_HTTP_PORT", String.valueOf(apiPort));
    env.put("SMSGW_WORKER_HTTP_PORT", String.valueOf(FreePorts.next()));
    env.put("SMSGW_PROVIDER_DLR_SECRET", SECRET);
    env.put("SMSGW_WEBHOOKS_ALLOW_LOOPBACK", "on");
    env.put("SMSGW_WEBHOOKS_ALLOW_HTTP", "on");
    Path logs = Files.createDirectories(Path.of("target"));
    gateway = new ChildPod("gateway", "gateway", apiPort, env, logs.resolve("webhook-gateway-crash-test.log"));
    gateway.start();
    gateway.awaitReady(Duration.ofSeconds(90));
    // The workers, their dispatcher and the provider here; the provider reports to the child gateway.
    workers = TestGateway.start(pg, Map.of(
      "SMSGW_PROVIDER_SIM_DLR_URL", DevEnvironment.deliveryReportsUrl(apiPort),
      "SMSGW_PROVIDER_SIM_DLR_SECRET", SECRET,
      "SMSGW_PROVIDER_SIM_DLR_DELAY_MS", "1500",
      "SMSGW_PROVIDER_SIM_DLR_JITTER_MS", "1000",
      "SMSGW_PROVIDER_SIM_DLR_RETRY_MAX_MS", "1000",
      "SMSGW_WEBHOOKS_ALLOW_LOOPBACK", "on",
      "SMSGW_WEBHOOKS_ALLOW_HTTP", "on",
      "SMSGW_WEBHOOKS_POLL_INTERVAL_MS", "50",
      "SMSGW_WEBHOOKS_BACKOFF_BASE_MS", "100",
      "SMSGW_WEBHOOKS_BACKOFF_MAX_MS", "400"), EnumSet.of(DevRole.WORKER, DevRole.PROVIDER_SIM));
  }

  @AfterAll
  static void stop() throws Exception {
    if (workers != null) workers.close();
    if (gateway != null) gateway.stop();
    receiver.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  static HttpResponse<String> call(String method, String path, String auth, String key, JsonObject body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.readyPort + path)).timeout(Duration.ofSeconds(15))
      .header("Content-Type", "application/json")
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (auth != null) r.header("Authorization", "Bearer " + auth);
    if (key != null) r.header("X-API-Key", key);
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  static long count(String sql) {
    return Db.count(TestServices.postgres().url(), sql);
  }

  @Test
  @DisplayName("60 messages, the gateway SIGKILLed while their reports arrive and restarted: every message delivered, every event at the receiver")
  void killedWhileReportsArrive() throws Exception {
    HttpResponse<String> created = call("POST", "/admin/users", ADMIN_TOKEN, null, new JsonObject().put("name", "crash").put("balance", 1_000_000));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonObject user = new JsonObject(created.body());
    String key = user.getString("api_key");
    String userId = user.getString("user_id");
    String path = "/hooks/" + UUID.randomUUID();
    HttpResponse<String> hook = call("PUT", "/webhook", null, key, new JsonObject().put("url", receiver.url(path)));
    assertThat(hook.statusCode()).as(hook.body()).isEqualTo(200);
    for (int i = 0; i < MESSAGES; i++) {
      JsonObject sms = new JsonObject().put("message_id", UUID.randomUUID().toString()).put("user_id", userId)
        .put("phone_number", "+1415555" + (3000 + i)).put("message", "gateway crash " + i);
      assertThat(call("POST", "/send-sms", null, key, sms).statusCode()).isEqualTo(200);
    }
    String mine = "user_id = '" + userId + "'";
    await("some messages delivered", Duration.ofSeconds(60), () -> count("SELECT count(*) FROM messages WHERE " + mine + " AND status = 'delivered'") >= 5);
    gateway.kill();  // SIGKILL: report batches in flight are cut off unacknowledged
    long deliveredAtKill = count("SELECT count(*) FROM messages WHERE " + mine + " AND status = 'delivered'");
    assertThat(deliveredAtKill).as("killed while reports were still coming").isLessThan(MESSAGES);
    Thread.sleep(2_000);
    gateway.start();
    gateway.awaitReady(Duration.ofSeconds(90));

    await("every message delivered", Duration.ofSeconds(120),
      () -> count("SELECT count(*) FROM messages WHERE " + mine + " AND status = 'delivered'") == MESSAGES);
    await("every event delivered", Duration.ofSeconds(120),
      () -> count("SELECT count(*) FROM webhook_events WHERE " + mine + " AND status = 'delivered'") == 2L * MESSAGES);
    assertThat(count("SELECT count(*) FROM webhook_events WHERE " + mine)).as("one event per status change: sent, delivered").isEqualTo(2L * MESSAGES);
    Set<String> eventIds = Db.ids(TestServices.postgres().url(), "SELECT event_id::text FROM webhook_events WHERE " + mine);
    Set<String> seen = receiver.on(path).stream().map(WebhookReceiver.Received::eventId).collect(Collectors.toSet());
    assertThat(seen).as("every event reached the receiver at least once").containsAll(eventIds);
    assertThat(receiver.on(path).stream().filter(r -> "delivered".equals(r.json().getString("status")))
      .map(r -> r.json().getString("message_id")).collect(Collectors.toSet())).hasSize(MESSAGES);
    System.out.printf("webhook gateway crash: %d of %d delivered at the kill; %d POSTs for %d events; simulator %s%n",
      deliveredAtKill, MESSAGES, receiver.on(path).size(), eventIds.size(), workers.providerStats().encode());
  }
}
