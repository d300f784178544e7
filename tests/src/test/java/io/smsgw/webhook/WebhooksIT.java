package io.smsgw.webhook;

import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.provider.ReportSignature;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.smsgw.testing.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Status events end to end: one gateway pod with every role (its dispatcher POSTs to a receiver on loopback, allowed
 * here as ./smsgw dev allows it), short backoffs and a short retry_for_s so retries and dead letters take seconds.
 */
@DisplayName("Status webhooks: signed events, retries, dead letters, status_callback")
class WebhooksIT {

  static final String DLR_SECRET = "dlr-webhooks-" + UUID.randomUUID();
  static final int RETRY_FOR_S = 6;
  static TestGateway gateway;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    receiver = new WebhookReceiver();
    gateway = TestGateway.start(TestServices.postgres().url(), Map.ofEntries(
      Map.entry("SMSGW_PROVIDER_DLR_SECRET", DLR_SECRET),
      Map.entry("SMSGW_WEBHOOKS_ALLOW_LOOPBACK", "on"),
      Map.entry("SMSGW_WEBHOOKS_ALLOW_HTTP", "on"),
      Map.entry("SMSGW_WEBHOOKS_BACKOFF_BASE_MS", "100"),
      Map.entry("SMSGW_WEBHOOKS_BACKOFF_MAX_MS", "400"),
      Map.entry("SMSGW_WEBHOOKS_RETRY_FOR_S", String.valueOf(RETRY_FOR_S)),
      Map.entry("SMSGW_WEBHOOKS_POLL_INTERVAL_MS", "50"),
      Map.entry("SMSGW_WEBHOOKS_TIMEOUT_MS", "1000"),
      Map.entry("SMSGW_WEBHOOKS_LEASE_MS", "3000")));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    receiver.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  static String path() {
    return "/hooks/" + UUID.randomUUID();
  }

  static String send(JsonObject user, String phone, String text, String statusCallback) {
    JsonObject sms = TestGateway.sms(user, phone, text);
    if (statusCallback != null) sms.put("status_callback", statusCallback);
    TestGateway.Response r = gateway.sendSms(user, sms);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return sms.getString("message_id");
  }

  /** The provider's report for every part, signed with provider.dlr_secret, as DeliveryReportsIT posts them. */
  static void deliver(String messageId, int parts, String status) {
    JsonArray reports = new JsonArray();
    for (int p = 1; p <= parts; p++) {
      reports.add(new JsonObject().put("client_ref", messageId).put("provider_message_id", "sim-x").put("part", p)
        .put("parts", parts).put("status", status).put("error_code", status.equals("delivered") ? null : "handset_off")
        .put("done_at", Instant.now().toString()));
    }
    String body = new JsonObject().put("reports", reports).encode();
    TestGateway.Response r = gateway.send(HttpRequest.newBuilder(gateway.uri("/provider/delivery-reports"))
      .header("Content-Type", "application/json")
      .header(ReportSignature.HEADER, ReportSignature.header(DLR_SECRET, Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8)))
      .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  static void awaitEvent(String path, String messageId, String status) throws InterruptedException {
    await(status + " event of " + messageId + " at " + path, Duration.ofSeconds(30),
      () -> !receiver.events(path, messageId, status).isEmpty());
  }

  @Test
  @DisplayName("sent and delivered (3 parts) reach the receiver, signed with the secret PUT answered, event_id in the header; failed carries its error")
  void sentAndDelivered() throws Exception {
    JsonObject user = gateway.createUser(100_000);
    String path = path();
    String secret = WebhookApi.register(gateway, user, receiver.url(path));
    String id = send(user, "+14155550123", "x".repeat(400), null);  // 3 segments
    awaitEvent(path, id, "sent");
    assertThat(gateway.awaitStatus(user, id, "sent", Duration.ofSeconds(10)).getString("status")).isEqualTo("sent");
    deliver(id, 3, "delivered");
    awaitEvent(path, id, "delivered");

    for (WebhookReceiver.Received r : receiver.on(path)) {
      assertThat(r.verifies(secret)).as("signature %s over %s", r.signature(), new String(r.body(), StandardCharsets.UTF_8)).isTrue();
      assertThat(r.verifies("whsec_" + "0".repeat(64))).as("another secret does not verify").isFalse();
      assertThat(r.contentType()).startsWith("application/json");
      JsonObject event = r.json();
      assertThat(r.eventId()).isEqualTo(event.getString("event_id"));
      assertThat(event.getString("type")).isEqualTo("message.status");
      assertThat(event.getString("message_id")).isEqualTo(id);
      assertThat(Instant.parse(event.getString("occurred_at"))).isBefore(Instant.now().plusSeconds(5));
    }
    JsonObject delivered = receiver.events(path, id, "delivered").get(0).json();
    JsonArray parts = delivered.getJsonArray("parts");
    assertThat(parts).hasSize(3);
    for (int p = 0; p < 3; p++) {
      assertThat(parts.getJsonObject(p).getInteger("part")).isEqualTo(p + 1);
      assertThat(parts.getJsonObject(p).getString("status")).isEqualTo("delivered");
    }
    assertThat(receiver.events(path, id, "sent").get(0).json().containsKey("parts")).isFalse();

    String failed = send(user, ProviderSimulatorVerticle.INVALID_NUMBER, "refused", null);
    awaitEvent(path, failed, "failed");
    assertThat(receiver.events(path, failed, "failed").get(0).json().getString("error")).isEqualTo("invalid_number");

    String undelivered = send(user, "+14155550124", "one part", null);
    awaitEvent(path, undelivered, "sent");
    deliver(undelivered, 1, "undelivered");
    awaitEvent(path, undelivered, "undelivered");
    JsonObject u = receiver.events(path, undelivered, "undelivered").get(0).json();
    assertThat(u.getString("error")).isEqualTo("handset_off");
    assertThat(u.getJsonArray("parts")).hasSize(1);

    await("every event marked delivered", Duration.ofSeconds(10), () -> Db.count(gateway.pgUrl(),
      "SELECT count(*) FROM webhook_events WHERE user_id = '" + user.getString("user_id") + "' AND status <> 'delivered'") == 0);
    JsonArray listed = WebhookApi.events(gateway, user, "?status=delivered").json().getJsonArray("events");
    assertThat(listed).hasSize(5);  // sent + delivered, sent + failed... : sent, delivered, failed, sent, undelivered
  }

  @Test
  @DisplayName("a receiver that answers 500 for 2 s, then 200, gets every event at least once; each is marked delivered")
  void retriedUntilAccepted() throws Exception {
    JsonObject user = gateway.createUser(100_000);
    String path = path();
    WebhookApi.register(gateway, user, receiver.url(path));
    receiver.failFor(path, 2_000);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) ids.add(send(user, "+1415555" + (1000 + i), "retry " + i, null));
    for (String id : ids) awaitEvent(path, id, "sent");
    Set<String> eventIds = Db.ids(gateway.pgUrl(), "SELECT event_id::text FROM webhook_events WHERE user_id = '"
      + user.getString("user_id") + "'");
    assertThat(eventIds).hasSize(10);
    await("all ten marked delivered", Duration.ofSeconds(20), () -> Db.count(gateway.pgUrl(),
      "SELECT count(*) FROM webhook_events WHERE user_id = '" + user.getString("user_id") + "' AND status = 'delivered'") == 10);
    Set<String> seen = receiver.on(path).stream().map(WebhookReceiver.Received::eventId).collect(Collectors.toSet());
    assertThat(seen).containsAll(eventIds);
    assertThat(receiver.on(path).size()).as("the 500s were retried").isGreaterThan(10);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM webhook_events WHERE user_id = '" + user.getString("user_id")
      + "' AND attempts > 1")).isPositive();
  }

  @Test
  @DisplayName("a receiver that never answers 2xx: the event is dead after retry_for_s and listed by GET /webhook/events?status=dead")
  void deadLetter() throws Exception {
    JsonObject user = gateway.createUser(100_000);
    String path = path();
    WebhookApi.register(gateway, user, receiver.url(path));
    receiver.failFor(path, Long.MAX_VALUE);
    String id = send(user, "+14155550125", "never acknowledged", null);
    awaitEvent(path, id, "sent");
    await("the event dead", Duration.ofSeconds(RETRY_FOR_S + 20), () -> Db.count(gateway.pgUrl(),
      "SELECT count(*) FROM webhook_events WHERE message_id = '" + id + "' AND status = 'dead'") == 1);
    long attempts = receiver.on(path).size();
    assertThat(attempts).as("retried for retry_for_s").isGreaterThan(3);
    TestGateway.Response dead = WebhookApi.events(gateway, user, "?status=dead");
    assertThat(dead.status()).isEqualTo(200);
    JsonArray events = dead.json().getJsonArray("events");
    assertThat(events).hasSize(1);
    JsonObject e = events.getJsonObject(0);
    assertThat(e.getString("status")).isEqualTo("dead");
    assertThat(e.getString("message_id")).isEqualTo(id);
    assertThat(e.getString("last_error")).isEqualTo("http_500");
    assertThat(e.getInteger("attempts")).isEqualTo((int) attempts);
    assertThat(e.getJsonObject("event").getString("status")).isEqualTo("sent");
    Thread.sleep(1_000);
    assertThat(receiver.on(path)).as("a dead event is not sent again").hasSize((int) attempts);
    assertThat(WebhookApi.events(gateway, user, "?status=bogus").status()).isEqualTo(400);
  }

  @Test
  @DisplayName("status_callback overrides the webhook for its message only; a deleted webhook leaves its undelivered events dead")
  void statusCallbackOverrides() throws Exception {
    JsonObject user = gateway.createUser(100_000);
    String hook = path();
    String callback = path();
    String secret = WebhookApi.register(gateway, user, receiver.url(hook));
    String own = send(user, "+14155550126", "to the callback", receiver.url(callback));
    String plain = send(user, "+14155550127", "to the webhook", null);
    awaitEvent(callback, own, "sent");
    awaitEvent(hook, plain, "sent");
    deliver(own, 1, "delivered");
    awaitEvent(callback, own, "delivered");
    assertThat(receiver.on(hook).stream().filter(r -> r.json().getString("message_id").equals(own))).isEmpty();
    assertThat(receiver.on(callback).stream().filter(r -> r.json().getString("message_id").equals(plain))).isEmpty();
    assertThat(receiver.on(callback)).allSatisfy(r -> assertThat(r.verifies(secret)).isTrue());
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE message_id = '" + own
      + "' AND status_callback = '" + receiver.url(callback) + "'")).isEqualTo(1);

    // Deleted: what was not delivered yet has nothing to be signed with, and goes dead instead of out unsigned.
    receiver.failFor(hook, Long.MAX_VALUE);
    String later = send(user, "+14155550128", "after", null);
    awaitEvent(hook, later, "sent");
    assertThat(WebhookApi.delete(gateway, user).status()).isEqualTo(204);
    await("the undelivered event dead", Duration.ofSeconds(20), () -> Db.count(gateway.pgUrl(),
      "SELECT count(*) FROM webhook_events WHERE message_id = '" + later + "' AND status = 'dead'") == 1);
    String none = send(user, "+14155550129", "no webhook now", null);
    assertThat(gateway.awaitStatus(user, none, "sent", Duration.ofSeconds(20)).getString("status")).isEqualTo("sent");
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM webhook_events WHERE message_id = '" + none + "'"))
      .as("no webhook, no callback: no event").isZero();
  }
}
