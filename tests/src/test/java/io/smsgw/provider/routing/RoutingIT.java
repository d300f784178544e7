package io.smsgw.provider.routing;

import io.smsgw.devkit.DevEnvironment;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.devkit.simulator.smpp.SmscSimulator;
import io.smsgw.testing.Db;
import io.smsgw.testing.Eventually;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real providers behind one worker, as {@code SMSGW_DEV_PROVIDER=both} sets them up: the HTTP simulator
 * ({@value DevEnvironment#BOTH_HTTP_ID}) and the SMSC simulator over SMPP ({@value DevEnvironment#BOTH_SMPP_ID}); +98
 * numbers route to the SMSC first, the others to the HTTP simulator first. A message moves to the next provider only
 * when the first definitely did not take it; each simulator's own record says which one holds each message, and no
 * message is held by both.
 */
@DisplayName("Routing: by prefix, failover only after a definite not-taken, never a double send")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingIT {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HTTP = DevEnvironment.BOTH_HTTP_ID;
  private static final String SMPP = DevEnvironment.BOTH_SMPP_ID;

  static SmscSimulator smsc;
  static TestGateway gateway;
  static JsonObject user;

  @BeforeAll
  static void start() throws Exception {
    smsc = SmscSimulator.start(SmscSimulator.fastSettings(Map.of()));
    JsonArray providers = new JsonArray()
      .add(new JsonObject().put("id", HTTP).put("kind", "http"))
      .add(new JsonObject().put("id", SMPP).put("kind", "smpp").put("settings", new JsonObject()
        .put("host", "127.0.0.1").put("port", smsc.port()).put("system_id", "smsgw").put("password", "secret")
        .put("response_timeout_ms", 1000).put("reconnect_min_ms", 50).put("reconnect_max_ms", 200)));
    JsonArray routes = new JsonArray()
      .add(new JsonObject().put("prefix", "+98").put("providers", new JsonArray().add(SMPP).add(HTTP)))
      .add(new JsonObject().put("prefix", "").put("providers", new JsonArray().add(HTTP).add(SMPP)));
    gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_ROUTING_PROVIDERS", providers.encode(),
      "SMSGW_ROUTING_ROUTES", routes.encode(),
      "SMSGW_ROUTING_BREAKER_OPEN_MS", "1000",
      "SMSGW_SENDER_CLAIM_MS", "10000"));
    user = gateway.createUser(10_000_000);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    smsc.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  /** Whether the HTTP simulator holds the message (its lookup by idempotency key). */
  static boolean httpHolds(String messageId) {
    return gateway.send(HttpRequest.newBuilder(URI.create(gateway.config.provider().url() + "/v1/messages/" + messageId))
      .GET().build()).status() == 200;
  }

  /** The SMSC's accepted submits of the message (one per part; a repeat would add one more). */
  static int smscHolds(String messageId) {
    return smsc.stats().acceptedIds(messageId).size();
  }

  static String send(String phone, String text) {
    JsonObject sms = TestGateway.sms(user, phone, text);
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
    return sms.getString("message_id");
  }

  static JsonObject awaitFinal(String messageId) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonObject status;
    do {
      status = gateway.get("/message-status/" + messageId, user.getString("api_key")).json();
      if (Set.of("sent", "delivered", "failed", "rejected", "undelivered").contains(status.getString("status"))) return status;
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return status;
  }

  @Test
  @Order(1)
  @DisplayName("+98 goes to the SMSC, other numbers to the HTTP provider; the status says which")
  void routesByPrefix() throws Exception {
    String iran = send("+989121234567", "salam");
    String us = send("+15551234567", "hello");
    JsonObject a = awaitFinal(iran);
    JsonObject b = awaitFinal(us);
    assertThat(a.getString("status")).isIn("sent", "delivered");  // the SMSC sends receipts
    assertThat(a.getString("provider")).isEqualTo(SMPP);
    assertThat(b.getString("status")).isEqualTo("sent");
    assertThat(b.getString("provider")).isEqualTo(HTTP);
    assertThat(smscHolds(iran)).isEqualTo(1);
    assertThat(httpHolds(iran)).isFalse();
    assertThat(httpHolds(us)).isTrue();
    assertThat(smscHolds(us)).isZero();
  }

  @Test
  @Order(2)
  @DisplayName("A permanent refusal of the number is final at the first provider: no failover")
  void noFailoverAfterPermanentRefusal() throws Exception {
    String invalid = send(ProviderSimulatorVerticle.INVALID_NUMBER, "nobody");
    JsonObject status = awaitFinal(invalid);
    assertThat(status.getString("status")).isEqualTo("failed");
    assertThat(status.getString("last_error")).isEqualTo("invalid_number");
    assertThat(status.getString("provider")).isEqualTo(HTTP);
    assertThat(status.getBoolean("refunded")).isTrue();
    assertThat(smscHolds(invalid)).as("the SMSC never saw it").isZero();
  }

  @Test
  @Order(3)
  @DisplayName("An answer that leaves it open (a timeout) pins the message to its provider: retried and looked up there, never sent elsewhere")
  void noFailoverAfterAnAmbiguousAnswer() throws Exception {
    String lost = send(ProviderSimulatorVerticle.LOST_ANSWER_NUMBER, "did it arrive?");
    JsonObject status = awaitFinal(lost);
    assertThat(status.getString("status")).as("the lookup found it at the HTTP provider").isEqualTo("sent");
    assertThat(status.getString("provider")).isEqualTo(HTTP);
    assertThat(status.getInteger("attempts")).isGreaterThan(1);
    assertThat(httpHolds(lost)).isTrue();
    assertThat(smscHolds(lost)).as("never failed over: the HTTP provider may have had it all along").isZero();
    assertThat(status.getBoolean("refunded")).isFalse();
  }

  @Test
  @Order(4)
  @DisplayName("The SMSC stops mid-stream: its traffic moves to the HTTP provider, no message sent twice, none lost; the breaker opens, then closes once it is back")
  void smscStopsMidStream() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add(send(String.format("+98912%07d", i), "stream " + i));
      if (i == 150) smsc.stop();
      if (i % 10 == 9) Thread.sleep(20);
    }
    // The breaker counts provider requests (a batch is one call), so it needs traffic to see routing.breaker_min_calls
    // of them fail: keep sending while waiting for it.
    Eventually.await("the SMSC's breaker open in /admin/providers", WAIT, () -> {
      ids.add(send(String.format("+98913%07d", ids.size()), "stream " + ids.size()));
      return state(SMPP).getJsonObject("states").containsKey("open");
    });
    int bySmsc = 0;
    int byHttp = 0;
    int inDoubt = 0;
    for (String id : ids) {
      JsonObject status = awaitFinal(id);
      int smscCount = smscHolds(id);
      boolean http = httpHolds(id);
      assertThat(smscCount).as("%s: submitted to the SMSC at most once", id).isLessThanOrEqualTo(1);
      assertThat(smscCount == 1 && http).as("%s: held by both providers", id).isFalse();
      if ("failed".equals(status.getString("status"))) {
        // A submit the SMSC's stop cut off before its answer: in doubt, never resent, never refunded.
        assertThat(status.getBoolean("outcome_unknown")).as("%s: %s", id, status).isTrue();
        assertThat(status.getString("provider")).isEqualTo(SMPP);
        assertThat(http).as("%s: in doubt at the SMSC, so never sent elsewhere", id).isFalse();
        inDoubt++;
        continue;
      }
      assertThat(status.getString("status")).as("%s: %s", id, status).isIn("sent", "delivered");
      if (SMPP.equals(status.getString("provider"))) {
        assertThat(smscCount).as("%s: sent by the SMSC", id).isEqualTo(1);
        bySmsc++;
      } else {
        assertThat(status.getString("provider")).isEqualTo(HTTP);
        assertThat(http).as("%s: sent by the HTTP provider", id).isTrue();
        byHttp++;
      }
    }
    System.out.printf("RoutingIT: %d messages, %d by the SMSC, %d failed over to HTTP, %d in doubt at the SMSC's stop%n",
      ids.size(), bySmsc, byHttp, inDoubt);
    assertThat(bySmsc).isGreaterThan(100);
    assertThat(byHttp).isGreaterThan(100);
    assertThat(inDoubt).isLessThan(20);
    assertThat(smsc.stats().repeatedRequests()).isZero();
    JsonObject smpp = state(SMPP);
    assertThat(smpp.getLong("failovers") + smpp.getLong("skipped_breaker_open")).isGreaterThan(0);

    // Back: once the breaker's open time is over its trial sends succeed, and +98 goes to the SMSC again.
    smsc.start();
    Eventually.await("+98 on the SMSC again", WAIT, () -> {
      String id = send("+989129999999", "back");
      try {
        return SMPP.equals(awaitFinal(id).getString("provider"));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    // Closed once its trial sends (routing.breaker_half_open_calls) succeeded: they need traffic.
    Eventually.await("the SMSC's breaker closed", WAIT, () -> {
      send("+989129999998", "trial");
      return state(SMPP).getJsonObject("states").containsKey("closed");
    });
  }

  /** A provider's entry in GET /admin/providers. */
  static JsonObject state(String id) {
    TestGateway.Response r = gateway.send(HttpRequest.newBuilder(gateway.uri("/admin/providers"))
      .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN).GET().build());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    for (Object o : r.json().getJsonArray("providers")) {
      JsonObject p = (JsonObject) o;
      if (id.equals(p.getString("id"))) return p;
    }
    return new JsonObject().put("states", new JsonObject());
  }
}
