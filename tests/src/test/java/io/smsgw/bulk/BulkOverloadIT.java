package io.smsgw.bulk;

import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bulk's 503s are true: beyond bulk.max_in_flight a bulk is refused at once (overloaded, nothing charged), and a bulk
 * whose transaction cannot finish within bulk.statement_timeout_ms (its wallet held elsewhere) is rolled back and
 * answered unavailable, after which nothing of it is stored and the same bulk_id is accepted.
 */
@DisplayName("Bulk send under overload and a held wallet: 503 overloaded at once, 503 unavailable after the statement timeout, nothing charged")
class BulkOverloadIT {

  private static HttpRequest request(TestGateway gateway, JsonObject user, JsonObject body) {
    return HttpRequest.newBuilder(gateway.uri("/send-sms/bulk")).header("Content-Type", "application/json")
      .header("X-API-Key", user.getString("api_key")).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  private static JsonObject bulk(JsonObject user, int recipients) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < recipients; i++) {
      items.add(new JsonObject().put("message_id", UUID.randomUUID().toString()).put("phone_number", "+98912" + (2000000 + i)));
    }
    return new JsonObject().put("bulk_id", UUID.randomUUID().toString()).put("user_id", user.getString("user_id"))
      .put("message", "held").put("recipients", items);
  }

  @Test
  @DisplayName("One bulk in flight at most: the second is 503 overloaded at once; the first, its wallet locked past the statement timeout, is 503 unavailable and stored nothing; sent again it is accepted")
  void overloadAndTimeout() throws Exception {
    String pg = TestServices.postgres().url();
    try (TestGateway gateway = TestGateway.start(pg, Map.of("SMSGW_BULK_MAX_IN_FLIGHT", "1",
      "SMSGW_BULK_STATEMENT_TIMEOUT_MS", "1500"))) {
      JsonObject user = gateway.createUser(100_000);
      JsonObject first = bulk(user, 20);
      HttpClient http = HttpClient.newHttpClient();
      CompletableFuture<HttpResponse<String>> held;
      try (Connection holder = DriverManager.getConnection(Database.jdbcUrl(pg))) {
        holder.setAutoCommit(false);
        try (PreparedStatement lock = holder.prepareStatement("SELECT balance FROM wallets WHERE user_id = ?::uuid FOR UPDATE")) {
          lock.setString(1, user.getString("user_id"));
          lock.executeQuery().close();
        }
        long sent = System.nanoTime();
        held = http.sendAsync(request(gateway, user, first), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(500);

        HttpResponse<String> second = http.send(request(gateway, user, bulk(user, 5)), HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).as(second.body()).isEqualTo(503);
        assertThat(new JsonObject(second.body()).getJsonObject("error").getString("code")).isEqualTo("overloaded");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();

        HttpResponse<String> timedOut = held.join();
        long ms = (System.nanoTime() - sent) / 1_000_000;
        assertThat(timedOut.statusCode()).as(timedOut.body()).isEqualTo(503);
        assertThat(new JsonObject(timedOut.body()).getJsonObject("error").getString("code")).isEqualTo("unavailable");
        assertThat(ms).isBetween(1_400L, 6_000L);
        holder.rollback();
      }
      assertThat(Db.count(pg, "SELECT count(*) FROM bulks WHERE bulk_id = '" + first.getString("bulk_id") + "'")).isZero();
      assertThat(Db.count(pg, "SELECT count(*) FROM messages WHERE user_id = '" + user.getString("user_id") + "'")).isZero();
      assertThat(gateway.balance(user)).isEqualTo(100_000);

      HttpResponse<String> again = http.send(request(gateway, user, first), HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
      assertThat(again.headers().firstValue("Idempotent-Replayed")).isEmpty();
      assertThat(gateway.balance(user)).isEqualTo(100_000 - 20 * 100);
    }
    Db.assertInvariantsHold(pg);
  }
}
