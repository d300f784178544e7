package io.smsgw.wallet;

import io.smsgw.testing.TestPostgres;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("PostgreSQL outage: 503 unavailable, nothing charged, service back when PostgreSQL is")
class PostgresOutageIT {

  static TestPostgres postgres;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    postgres = TestServices.privatePostgres("pg-outage");
    gateway = TestGateway.start(postgres.url(), Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    Db.assertInvariantsHold(postgres.url());
    postgres.close();
  }

  @Test
  @DisplayName("While PostgreSQL is down, sends and reads answer 503 unavailable; afterwards nothing was charged")
  void outage() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    assertThat(gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "before")).status()).isEqualTo(200);
    JsonObject neverSeenKey = gateway.createUser(1_000);  // its key is not in the gateway's cache yet

    postgres.stop();
    try {
      JsonObject sms = TestGateway.sms(user, "+14155550100", "during");
      TestGateway.Response send = gateway.sendSms(user, sms);
      assertThat(send.status()).as(send.body()).isEqualTo(503);
      assertThat(send.errorCode()).isEqualTo("unavailable");

      TestGateway.Response balance = gateway.get("/balance/" + user.getString("user_id"), user.getString("api_key"));
      assertThat(balance.status()).isEqualTo(503);
      assertThat(balance.errorCode()).isEqualTo("unavailable");

      TestGateway.Response unknownKey = gateway.sendSms(neverSeenKey, TestGateway.sms(neverSeenKey, "+14155550100", "x"));
      assertThat(unknownKey.status()).as("a key that cannot be checked is not a wrong key").isEqualTo(503);

      TestGateway.Response ready = gateway.ops("/health/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().getString("postgres")).isEqualTo("down");
    } finally {
      postgres.start();
    }

    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (gateway.get("/health/ready", null).status() != 200 && Instant.now().isBefore(deadline)) Thread.sleep(200);
    assertThat(gateway.balance(user)).isEqualTo(900);
    assertThat(gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "after")).status()).isEqualTo(200);
    assertThat(gateway.balance(user)).isEqualTo(800);
    assertThat(Db.count(postgres.url(), "SELECT count(*) FROM messages WHERE body = 'during'")).isZero();
  }
}
