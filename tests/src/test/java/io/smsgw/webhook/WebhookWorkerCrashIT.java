package io.smsgw.webhook;

import io.smsgw.devkit.DevRole;
import io.smsgw.testing.ChildWorker;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.smsgw.testing.WebhookReceiver;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook outbox across a worker SIGKILL: the dispatcher runs in a child JVM and is killed while events are due and
 * POSTs are in flight; a second worker takes over once the dead one's leases run out. No event is lost: every event of
 * every message reaches the receiver at least once, and every row ends delivered.
 */
@DisplayName("Webhook dispatcher killed with SIGKILL while events are due: none lost")
class WebhookWorkerCrashIT {

  static final int MESSAGES = 40;
  static TestGateway gateway;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new WebhookReceiver();
    // The gateway and the simulator here; senders and the dispatcher only in the child workers.
    gateway = TestGateway.start(TestServices.postgres().url(), Map.of("SMSGW_WEBHOOKS_ALLOW_LOOPBACK", "on",
      "SMSGW_WEBHOOKS_ALLOW_HTTP", "on"), EnumSet.of(DevRole.GATEWAY, DevRole.PROVIDER_SIM));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    receiver.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  static Map<String, String> workerEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("SMSGW_WEBHOOKS_ALLOW_LOOPBACK", "on");
    env.put("SMSGW_WEBHOOKS_ALLOW_HTTP", "on");
    env.put("SMSGW_WEBHOOKS_TIMEOUT_MS", "1000");
    env.put("SMSGW_WEBHOOKS_LEASE_MS", "3000");  // a dead dispatcher's events are due again 3 s after its claim
    env.put("SMSGW_WEBHOOKS_POLL_INTERVAL_MS", "50");
    env.put("SMSGW_WEBHOOKS_BACKOFF_BASE_MS", "100");
    env.put("SMSGW_WEBHOOKS_BACKOFF_MAX_MS", "400");
    env.put("SMSGW_WEBHOOKS_MAX_PER_HOST", "2");  // with a 300 ms receiver: ~6 events/s, so the kill lands mid-stream
    env.put("SMSGW_SENDER_CLAIM_MS", "3000");
    env.put("SMSGW_PROVIDER_TIMEOUT_MS", "1000");
    env.put("SMSGW_SENDER_RETRY_SCAN_INTERVAL_MS", "100");
    return env;
  }

  @Test
  @DisplayName("40 messages, the worker SIGKILLed after ~8 events reached the receiver, a second worker: every event delivered at least once")
  void killedWhileDue() throws Exception {
    Path log = Files.createDirectories(Path.of("target")).resolve("webhook-worker-crash-test.log");
    Files.deleteIfExists(log);
    JsonObject user = gateway.createUser(1_000_000);
    String userId = user.getString("user_id");
    String path = "/hooks/" + UUID.randomUUID();
    WebhookApi.register(gateway, user, receiver.url(path));
    receiver.delay(path, 300);
    for (int i = 0; i < MESSAGES; i++) {
      TestGateway.Response r = gateway.sendSms(user, TestGateway.sms(user, "+1415555" + (2000 + i), "crash " + i));
      assertThat(r.status()).isEqualTo(200);
    }

    ChildWorker first = ChildWorker.start(gateway, log, workerEnv()).awaitReady(Duration.ofSeconds(60));
    try {
      await("8 events at the receiver", Duration.ofSeconds(60), () -> receiver.on(path).size() >= 8);
      first.kill();
    } finally {
      first.close();
    }
    long undeliveredAtKill = Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages m WHERE m.user_id = '" + userId
      + "' AND m.status = 'pending'") + Db.count(gateway.pgUrl(), "SELECT count(*) FROM webhook_events WHERE user_id = '"
      + userId + "' AND status = 'pending'");
    assertThat(undeliveredAtKill).as("killed with work left: pending messages or pending events").isPositive();
    int seenAtKill = receiver.on(path).size();

    try (ChildWorker second = ChildWorker.start(gateway, log, workerEnv()).awaitReady(Duration.ofSeconds(60))) {
      await("every message sent", Duration.ofSeconds(90), () -> Db.count(gateway.pgUrl(),
        "SELECT count(*) FROM messages WHERE user_id = '" + userId + "' AND status = 'sent'") == MESSAGES);
      await("every event delivered", Duration.ofSeconds(90), () -> Db.count(gateway.pgUrl(),
        "SELECT count(*) FROM webhook_events WHERE user_id = '" + userId + "' AND status = 'delivered'") == MESSAGES);
    }
    Set<String> eventIds = Db.ids(gateway.pgUrl(), "SELECT event_id::text FROM webhook_events WHERE user_id = '" + userId + "'");
    assertThat(eventIds).as("one sent event per message").hasSize(MESSAGES);
    Set<String> seen = receiver.on(path).stream().map(WebhookReceiver.Received::eventId).collect(Collectors.toSet());
    assertThat(seen).as("every event reached the receiver at least once").containsAll(eventIds);
    Set<String> sentMessages = receiver.on(path).stream().map(r -> r.json().getString("message_id")).collect(Collectors.toSet());
    assertThat(sentMessages).hasSize(MESSAGES);
    System.out.printf("webhook crash: %d POSTs before the kill, %d in all for %d events (%d resent)%n",
      seenAtKill, receiver.on(path).size(), MESSAGES, receiver.on(path).size() - MESSAGES);
  }
}
