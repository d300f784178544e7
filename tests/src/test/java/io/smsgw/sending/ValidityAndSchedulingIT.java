package io.smsgw.sending;

import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.testing.Db;
import io.smsgw.testing.Eventually;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Validity periods, scheduled sends and cancellation: expired and canceled messages are refunded once, scheduled ones sent not before send_at")
class ValidityAndSchedulingIT {

  /**
   * The lane's budget of attempts larger than the tests' usual one, so that the validity is what ends a message that
   * always fails transiently (with conf/'s 8 attempts and 1 s backoff it is, too; only slower to see). Every pod of this
   * class has it: they share the Kafka consumer group, so any of them may send a message.
   */
  static final Map<String, String> BUDGET = Map.of("SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "50",
    "SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "500", "SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "2000");

  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestServices.postgres().url(), BUDGET);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  static long refunds(TestGateway gw, String messageId) {
    return Db.count(gw.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'refund' AND message_id = '" + messageId + "'");
  }

  static TestGateway.Response cancel(TestGateway gw, JsonObject user, String messageId) {
    return gw.send(HttpRequest.newBuilder(gw.uri("/messages/" + messageId + "/cancel")).header("X-API-Key", user.getString("api_key"))
      .POST(HttpRequest.BodyPublishers.noBody()).build());
  }

  @Test
  @DisplayName("validity_period 5 s to a number that always fails transiently: failed / expired, refunded once, within 15 s")
  void expires() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(user, ProviderSimulatorVerticle.ALWAYS_TRANSIENT_NUMBER, "code 1234").put("validity_period", 5);
    long sentAt = System.currentTimeMillis();
    TestGateway.Response accepted = gateway.sendSms(user, sms);
    assertThat(accepted.status()).isEqualTo(200);
    long expiresAt = Instant.parse(accepted.json().getString("expires_at")).toEpochMilli();
    assertThat(expiresAt - sentAt).as("expires_at is 5 s after the 200").isBetween(4_000L, 6_000L);

    String id = sms.getString("message_id");
    JsonObject status = gateway.awaitStatus(user, id, "failed", Duration.ofSeconds(15));
    long finalAt = System.currentTimeMillis();
    assertThat(status.getString("status")).isEqualTo("failed");
    assertThat(status.getString("last_error")).isEqualTo("expired");
    assertThat(status.getBoolean("refunded")).isTrue();
    assertThat(status.getString("expires_at")).isEqualTo(Instant.ofEpochMilli(expiresAt).toString());
    assertThat(status.getInteger("attempts")).as("it was tried until the next attempt would start too late").isGreaterThan(1);
    assertThat(finalAt - sentAt).as("final within 15 s").isLessThan(15_000);
    assertThat(refunds(gateway, id)).isEqualTo(1);
    assertThat(gateway.balance(user)).isEqualTo(1_000);
  }

  @Test
  @DisplayName("without validity_period, expires_at is the lane's default (VIP 60 s, normal 15 min) after the 200")
  void laneDefaults() {
    JsonObject user = gateway.createUser(1_000);
    long before = System.currentTimeMillis();
    TestGateway.Response vip = gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "otp 1").put("priority", "vip"));
    TestGateway.Response normal = gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "hello"));
    long after = System.currentTimeMillis();
    assertThat(Instant.parse(vip.json().getString("expires_at")).toEpochMilli()).isBetween(before + 60_000, after + 60_000);
    assertThat(Instant.parse(normal.json().getString("expires_at")).toEpochMilli()).isBetween(before + 900_000, after + 900_000);
    assertThat(vip.json().getString("status")).isEqualTo("pending");
    assertThat(vip.json().containsKey("send_at")).isFalse();
  }

  @Test
  @DisplayName("send_at 5 s ahead: charged, scheduled, then sent no earlier than send_at and within a few seconds after")
  void scheduledThenSent() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    Instant sendAt = Instant.now().plusSeconds(5);
    JsonObject sms = TestGateway.sms(user, "+14155550100", "see you at five").put("send_at", sendAt.toString());
    TestGateway.Response accepted = gateway.sendSms(user, sms);
    assertThat(accepted.status()).isEqualTo(200);
    assertThat(accepted.json().getString("status")).isEqualTo("scheduled");
    assertThat(Instant.parse(accepted.json().getString("send_at"))).isEqualTo(sendAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(Instant.parse(accepted.json().getString("expires_at"))).as("validity counts from send_at")
      .isEqualTo(sendAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).plusSeconds(900));
    assertThat(gateway.balance(user)).as("charged when accepted").isEqualTo(900);

    String id = sms.getString("message_id");
    JsonObject scheduled = gateway.get("/message-status/" + id, user.getString("api_key")).json();
    assertThat(scheduled.getString("status")).isEqualTo("scheduled");
    assertThat(scheduled.getString("send_at")).isNotNull();

    JsonObject sent = gateway.awaitStatus(user, id, "sent", Duration.ofSeconds(20));
    assertThat(sent.getString("status")).isEqualTo("sent");
    Instant sentAt = Instant.parse(sent.getString("sent_at"));
    assertThat(sentAt).as("not before send_at").isAfterOrEqualTo(sendAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(Duration.between(sendAt, sentAt)).as("soon after send_at").isLessThan(Duration.ofSeconds(3));
    assertThat(sent.getInteger("attempts")).isEqualTo(1);
    assertThat(cancel(gateway, user, id).status()).as("sent: on its way").isEqualTo(409);
    assertThat(gateway.balance(user)).isEqualTo(900);
  }

  @Test
  @DisplayName("a scheduled message canceled: canceled, refunded once however often it is canceled, never sent")
  void cancelScheduled() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(user, "+14155550100", "never mind").put("send_at", Instant.now().plusSeconds(3).toString());
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
    String id = sms.getString("message_id");
    assertThat(gateway.balance(user)).isEqualTo(900);

    TestGateway.Response first = cancel(gateway, user, id);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json()).isEqualTo(new JsonObject().put("message_id", id).put("status", "canceled").put("refunded", 100));
    TestGateway.Response again = cancel(gateway, user, id);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("status")).isEqualTo("canceled");
    assertThat(gateway.balance(user)).isEqualTo(1_000);
    assertThat(refunds(gateway, id)).isEqualTo(1);

    Thread.sleep(4_500);  // past its send_at and a few scheduler rounds
    JsonObject status = gateway.get("/message-status/" + id, user.getString("api_key")).json();
    assertThat(status.getString("status")).isEqualTo("canceled");
    assertThat(status.getBoolean("refunded")).isTrue();
    assertThat(status.getString("sent_at")).isNull();
    assertThat(status.getInteger("attempts")).isZero();
  }

  @Test
  @DisplayName("cancel: a sent message is 409 not_cancelable with its status; another user's or an unknown message is 404")
  void cancelRefused() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    JsonObject other = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(user, "+14155550100", "already gone");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
    String id = sms.getString("message_id");
    gateway.awaitStatus(user, id, "sent", Duration.ofSeconds(20));

    TestGateway.Response late = cancel(gateway, user, id);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.errorCode()).isEqualTo("not_cancelable");
    assertThat(late.json().getJsonObject("error").getJsonObject("details").getString("status")).isEqualTo("sent");
    assertThat(cancel(gateway, other, id).status()).isEqualTo(404);
    assertThat(cancel(gateway, user, UUID.randomUUID().toString()).status()).isEqualTo(404);
    assertThat(refunds(gateway, id)).isZero();
    assertThat(gateway.balance(user)).isEqualTo(900);
  }

  @Test
  @DisplayName("a bad send_at or validity_period is a 400 with a stable code, and nothing is charged or stored")
  void badTiming() {
    JsonObject user = gateway.createUser(1_000);
    Map<Object, String> sendAts = Map.of(
      "tomorrow", "invalid_send_at",
      "2026-12-24T09:00:00", "invalid_send_at",                       // no offset
      Instant.now().plus(Duration.ofDays(31)).toString(), "invalid_send_at",
      Instant.now().minus(Duration.ofHours(2)).toString(), "invalid_send_at",
      42, "invalid_request");
    sendAts.forEach((sendAt, code) -> {
      TestGateway.Response r = gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "x").put("send_at", sendAt));
      assertThat(r.status()).as("send_at " + sendAt).isEqualTo(400);
      assertThat(r.errorCode()).as("send_at " + sendAt).isEqualTo(code);
    });
    for (Object validity : new Object[] {0, -5, 259_201, "60", 1.5}) {
      TestGateway.Response r = gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "x").put("validity_period", validity));
      assertThat(r.status()).as("validity_period " + validity).isEqualTo(400);
      assertThat(r.errorCode()).as("validity_period " + validity).isEqualTo("invalid_request");
    }
    assertThat(gateway.balance(user)).isEqualTo(1_000);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE user_id = '" + user.getString("user_id") + "'")).isZero();
  }

  @Test
  @DisplayName("async balance mode: a scheduled message is settled as scheduled, sent after send_at; one canceled is refunded once")
  void asyncMode() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(BUDGET);
    env.putAll(Map.of("SMSGW_BALANCE_MODE", "async", "SMSGW_RESERVATION", "on"));
    try (TestGateway async = TestGateway.start(TestServices.postgres().url(), env)) {
      asyncMode(async);
    }
  }

  /** In async balance mode with the Redis reservation, settlement stores the options from sms.accepted. */
  private static void asyncMode(TestGateway async) throws Exception {
    JsonObject user = async.createUser(1_000);
    Instant sendAt = Instant.now().plusSeconds(3);
    JsonObject later = TestGateway.sms(user, "+14155550100", "async later").put("send_at", sendAt.toString());
    JsonObject canceled = TestGateway.sms(user, "+14155550100", "async never").put("send_at", sendAt.plusSeconds(60).toString());
    assertThat(async.sendSms(user, later).json().getString("status")).isEqualTo("scheduled");
    assertThat(async.sendSms(user, canceled).json().getString("status")).isEqualTo("scheduled");

    String canceledId = canceled.getString("message_id");
    Eventually.await("settlement of the message to cancel", Duration.ofSeconds(20),
      () -> Db.count(async.pgUrl(), "SELECT count(*) FROM messages WHERE status = 'scheduled' AND message_id = '" + canceledId + "'") == 1);
    assertThat(cancel(async, user, canceledId).status()).isEqualTo(200);

    JsonObject sent = async.awaitStatus(user, later.getString("message_id"), "sent", Duration.ofSeconds(20));
    assertThat(sent.getString("status")).isEqualTo("sent");
    assertThat(Instant.parse(sent.getString("sent_at"))).isAfterOrEqualTo(sendAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    assertThat(refunds(async, canceledId)).isEqualTo(1);
    Eventually.await("the balance to show the refund", Duration.ofSeconds(10), () -> async.balance(user) == 900);
  }
}
