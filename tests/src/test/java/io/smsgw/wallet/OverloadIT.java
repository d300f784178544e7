package io.smsgw.wallet;

import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A full accept queue: the surplus is refused at once with 503 overloaded and Retry-After, and nothing of it is charged. */
@DisplayName("Overload: a full accept queue answers 503 overloaded at once, with Retry-After")
class OverloadIT {

  @Test
  @DisplayName("queue of 5, 20 sends stuck behind a held wallet: 15 answered overloaded at once, 5 unavailable at their deadline; none charged")
  void fullQueueShedsAtOnce() throws Exception {
    String pgUrl = TestServices.postgres().url();
    try (TestGateway gateway = TestGateway.start(pgUrl, Map.of("SMSGW_CHARGE_MAX_QUEUE", "5", "SMSGW_CHARGE_QUEUE_DEADLINE_MS", "3000"))) {
      JsonObject user = gateway.createUser(100_000);
      String userId = user.getString("user_id");
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      gateway.balance(user);
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      List<Long> tookMs = new ArrayList<>();
      try (Connection lock = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = lock.createStatement()) {
        lock.setAutoCommit(false);
        s.execute("SELECT 1 FROM wallets WHERE user_id = '" + userId + "' FOR UPDATE");
        long started = System.nanoTime();
        for (int i = 0; i < 5; i++) {
          // The first five fill the queue (their wallet is held, so they stay in it).
          answers.add(send(http, gateway, user, started, tookMs));
        }
        Thread.sleep(500);
        for (int i = 0; i < 15; i++) answers.add(send(http, gateway, user, started, tookMs));
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        lock.commit();
      }
      Thread.sleep(2000);

      int overloaded = 0;
      int unavailable = 0;
      for (CompletableFuture<HttpResponse<String>> answer : answers) {
        HttpResponse<String> r = answer.join();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        String code = new JsonObject(r.body()).getJsonObject("error").getString("code");
        assertThat(r.headers().firstValue("Retry-After")).as(r.body()).hasValue("1");
        if (code.equals("overloaded")) overloaded++;
        if (code.equals("unavailable")) unavailable++;
      }
      assertThat(overloaded).isEqualTo(15);
      assertThat(unavailable).isEqualTo(5);
      // The 15 were refused long before the five's deadline.
      assertThat(tookMs.stream().sorted().toList().subList(0, 15)).allMatch(ms -> ms < 2500);
      assertThat(gateway.balance(user)).isEqualTo(100_000);
      assertThat(Db.count(pgUrl, "SELECT count(*) FROM messages WHERE user_id = '" + userId + "'")).isZero();
    }
    Db.assertInvariantsHold(pgUrl);
  }

  private static CompletableFuture<HttpResponse<String>> send(HttpClient http, TestGateway gateway, JsonObject user, long started,
                                                             List<Long> tookMs) {
    String body = TestGateway.sms(user, "+14155550100", "overload").encode();
    return http.sendAsync(gateway.sendSmsRequest(user.getString("api_key"), body), HttpResponse.BodyHandlers.ofString())
      .whenComplete((r, e) -> {
        synchronized (tookMs) {
          tookMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
      });
  }
}
