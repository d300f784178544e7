package io.smsgw.bulk;

import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bulk send charges PostgreSQL directly; where a lane is async (a Redis reservation, or a cached balance that settlement
 * reconciles later) a bulk would spend what the cache still shows: refused with 503 not_in_this_mode, nothing charged.
 */
@DisplayName("Bulk send is refused with 503 not_in_this_mode where the balance mode is not sync, and charges nothing")
class BulkBalanceModesIT {

  private static TestGateway.Response post(TestGateway gateway, JsonObject user, String priority) {
    JsonObject body = new JsonObject().put("bulk_id", UUID.randomUUID().toString()).put("user_id", user.getString("user_id"))
      .put("message", "hi").put("priority", priority)
      .put("recipients", new JsonArray().add(new JsonObject().put("message_id", UUID.randomUUID().toString())
        .put("phone_number", "+989121234567")));
    return gateway.send(HttpRequest.newBuilder(gateway.uri("/send-sms/bulk")).header("Content-Type", "application/json")
      .header("X-API-Key", user.getString("api_key")).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  @Test
  @DisplayName("Async with the Redis reservation: every bulk refused, the balance and PostgreSQL untouched")
  void asyncWithReservation() throws Exception {
    try (TestGateway gateway = TestGateway.start(TestServices.postgres().url(),
      Map.of("SMSGW_BALANCE_MODE", "async", "SMSGW_RESERVATION", "on"))) {
      JsonObject user = gateway.createUser(10_000);
      for (String priority : new String[] {"normal", "vip"}) {
        TestGateway.Response r = post(gateway, user, priority);
        assertThat(r.status()).as(r.body()).isEqualTo(503);
        assertThat(r.errorCode()).isEqualTo("not_in_this_mode");
      }
      assertThat(gateway.balance(user)).isEqualTo(10_000);
      assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE user_id = '" + user.getString("user_id") + "'")).isZero();
    }
  }

  @Test
  @DisplayName("Normal sync, VIP async without reservation: a normal bulk is accepted, a VIP bulk refused")
  void vipAsync() throws Exception {
    try (TestGateway gateway = TestGateway.start(TestServices.postgres().url(),
      Map.of("SMSGW_BALANCE_MODE", "sync", "SMSGW_BALANCE_VIP_MODE", "async", "SMSGW_RESERVATION", "off"))) {
      JsonObject user = gateway.createUser(10_000);
      TestGateway.Response vip = post(gateway, user, "vip");
      assertThat(vip.status()).as(vip.body()).isEqualTo(503);
      assertThat(vip.errorCode()).isEqualTo("not_in_this_mode");
      TestGateway.Response normal = post(gateway, user, "normal");
      assertThat(normal.status()).as(normal.body()).isEqualTo(200);
      assertThat(gateway.balance(user)).isEqualTo(10_000 - 100);
    }
    Db.assertInvariantsHold(TestServices.postgres().url());
  }
}
