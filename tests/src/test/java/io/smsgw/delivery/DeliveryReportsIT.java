package io.smsgw.delivery;

import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.provider.ReportSignature;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
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
import java.util.Map;
import java.util.UUID;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The provider's delivery reports, posted here as the provider would (signed with provider.dlr_secret): statuses move
 * forward only, whatever the order, the repeats, or the moment a report comes relative to the 'sent' outcome.
 */
@DisplayName("Delivery reports: signed, stored once, forward only")
class DeliveryReportsIT {

  static final String SECRET = "dlr-test-" + UUID.randomUUID();
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_PROVIDER_DLR_SECRET", SECRET,
      "SMSGW_PROVIDER_SIM_LATE_DECISION_MS", "3000"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  static JsonObject report(String messageId, int part, int parts, String status, String error) {
    return new JsonObject().put("client_ref", messageId).put("provider_message_id", "sim-" + messageId.substring(0, 8))
      .put("part", part).put("parts", parts).put("status", status).put("error_code", error).put("done_at", Instant.now().toString());
  }

  static TestGateway.Response post(String body, String signature) {
    HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/provider/delivery-reports"))
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) request.header(ReportSignature.HEADER, signature);
    return gateway.send(request.build());
  }

  static TestGateway.Response post(JsonObject... reports) {
    String body = new JsonObject().put("reports", new JsonArray(java.util.List.of((Object[]) reports))).encode();
    return post(body, ReportSignature.header(SECRET, Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8)));
  }

  static JsonObject status(JsonObject user, String id) {
    return gateway.get("/message-status/" + id, user.getString("api_key")).json();
  }

  static String sentMessage(JsonObject user, String text) throws Exception {
    JsonObject sms = TestGateway.sms(user, "+14155550123", text);
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
    String id = sms.getString("message_id");
    assertThat(gateway.awaitStatus(user, id, "sent", Duration.ofSeconds(30)).getString("status")).isEqualTo("sent");
    return id;
  }

  @Test
  @DisplayName("a 3-part message: parts out of order and repeated → delivered once all three are in, with each part shown")
  void longMessageDelivered() throws Exception {
    JsonObject user = gateway.createUser(100_000);
    String id = sentMessage(user, "x".repeat(400));  // GSM-7, 3 segments
    assertThat(status(user, id).getInteger("segments")).isEqualTo(3);

    TestGateway.Response first = post(report(id, 3, 3, "delivered", null), report(id, 1, 3, "delivered", null));
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().getInteger("stored")).isEqualTo(2);
    assertThat(status(user, id).getString("status")).as("two parts of three").isEqualTo("sent");

    TestGateway.Response again = post(report(id, 1, 3, "undelivered", "late_duplicate"), report(id, 2, 3, "delivered", null));
    assertThat(again.json().getInteger("duplicates")).as("part 1 again: the first report wins").isEqualTo(1);
    assertThat(again.json().getInteger("finalized")).isEqualTo(1);
    JsonObject s = status(user, id);
    assertThat(s.getString("status")).isEqualTo("delivered");
    assertThat(s.getString("delivered_at")).isNotNull();
    assertThat(s.getJsonArray("parts")).hasSize(3);
    for (int p = 0; p < 3; p++) {
      assertThat(s.getJsonArray("parts").getJsonObject(p).getInteger("part")).isEqualTo(p + 1);
      assertThat(s.getJsonArray("parts").getJsonObject(p).getString("status")).isEqualTo("delivered");
    }
    assertThat(post(report(id, 2, 3, "undelivered", "x")).json().getInteger("finalized")).as("never backwards").isZero();
    assertThat(status(user, id).getString("status")).isEqualTo("delivered");
  }

  @Test
  @DisplayName("a part undelivered → undelivered at once, not refunded; later delivered parts do not move it back")
  void undeliveredIsFinal() throws Exception {
    JsonObject user = gateway.createUser(100_000);
    String id = sentMessage(user, "y".repeat(200));  // 2 segments
    long balance = gateway.balance(user);
    post(report(id, 2, 2, "expired", null));
    JsonObject s = status(user, id);
    assertThat(s.getString("status")).isEqualTo("undelivered");
    assertThat(s.getString("last_error")).isEqualTo("expired");
    post(report(id, 1, 2, "delivered", null));
    s = status(user, id);
    assertThat(s.getString("status")).isEqualTo("undelivered");
    assertThat(s.getJsonArray("parts")).hasSize(2);
    assertThat(s.getBoolean("refunded")).as("the operator charges an undelivered message").isFalse();
    assertThat(gateway.balance(user)).isEqualTo(balance);
  }

  @Test
  @DisplayName("reports before the 'sent' outcome is written wait, and the outcome applies them")
  void reportBeforeSentOutcome() throws Exception {
    JsonObject user = gateway.createUser(100_000);
    // The simulator holds this number for 3 s before deciding: the message is pending (claimed) meanwhile.
    JsonObject sms = TestGateway.sms(user, ProviderSimulatorVerticle.LATE_DECISION_NUMBER, "early report");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
    String id = sms.getString("message_id");
    await("the message to be in PostgreSQL", Duration.ofSeconds(10),
      () -> Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE message_id = '" + id + "'") == 1);
    TestGateway.Response early = post(report(id, 1, 1, "delivered", null));
    assertThat(early.status()).isEqualTo(200);
    assertThat(early.json().getInteger("stored")).isEqualTo(1);
    assertThat(status(user, id).getString("status")).isEqualTo("pending");
    JsonObject s = gateway.awaitStatus(user, id, "delivered", Duration.ofSeconds(60));
    assertThat(s.getString("status")).as(s.encode()).isEqualTo("delivered");
    assertThat(s.getString("sent_at")).isNotNull();
  }

  @Test
  @DisplayName("a report for an unknown message is acknowledged and dropped; a failed message is not moved by a report")
  void unmatchedAndFailed() throws Exception {
    TestGateway.Response r = post(report(UUID.randomUUID().toString(), 1, 1, "delivered", null));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("unmatched")).isEqualTo(1);

    JsonObject user = gateway.createUser(100_000);
    JsonObject sms = TestGateway.sms(user, ProviderSimulatorVerticle.INVALID_NUMBER, "refused");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
    String id = sms.getString("message_id");
    assertThat(gateway.awaitStatus(user, id, "failed", Duration.ofSeconds(30)).getString("status")).isEqualTo("failed");
    post(report(id, 1, 1, "delivered", null));
    assertThat(status(user, id).getString("status")).isEqualTo("failed");
  }

  @Test
  @DisplayName("no signature, a wrong one, an old one, a changed body: 401 unauthorized, nothing stored")
  void signatureRequired() {
    String body = new JsonObject().put("reports", new JsonArray().add(report(UUID.randomUUID().toString(), 1, 1, "delivered", null))).encode();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long now = Instant.now().getEpochSecond();
    assertThat(post(body, null).status()).isEqualTo(401);
    assertThat(post(body, ReportSignature.header("wrong", now, bytes)).status()).isEqualTo(401);
    assertThat(post(body, ReportSignature.header(SECRET, now - 3600, bytes)).status()).isEqualTo(401);
    assertThat(post(body.replace("delivered", "expired"), ReportSignature.header(SECRET, now, bytes)).status()).isEqualTo(401);
    TestGateway.Response unauthorized = post(body, "t=1,v1=00");
    assertThat(unauthorized.json().getJsonObject("error").getString("code")).isEqualTo("unauthorized");
  }

  @Test
  @DisplayName("a signed but malformed batch: 400 with the contract's error, nothing stored")
  void badInput() {
    JsonObject bad = report(UUID.randomUUID().toString(), 3, 2, "delivered", null);
    TestGateway.Response r = post(bad);
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    TestGateway.Response status = post(report(UUID.randomUUID().toString(), 1, 1, "read", null));
    assertThat(status.status()).as(status.body()).isEqualTo(400);
    String empty = "{\"reports\":[]}";
    assertThat(post(empty, ReportSignature.header(SECRET, Instant.now().getEpochSecond(), empty.getBytes(StandardCharsets.UTF_8))).status())
      .isEqualTo(400);
  }
}
