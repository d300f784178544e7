package io.smsgw.wallet.async;

import io.smsgw.testing.Db;
import io.smsgw.testing.Eventually;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Async with reservation while Kafka is down: settled in PostgreSQL at once, nothing lost, sent after Kafka returns")
class AsyncKafkaOutageIT {

  @Test
  @DisplayName("Sends during a Kafka outage are answered after the produce timeout, stored and charged; the outbox publishes them later")
  void kafkaDown() throws Exception {
    String pg = TestServices.postgres().url();
    try (TestGateway gateway = TestGateway.start(pg, Map.of("SMSGW_BALANCE_MODE", "async", "SMSGW_RESERVATION", "on",
      "SMSGW_OUTBOX_RELAY_MIN_AGE_MS", "1000", "SMSGW_OUTBOX_RELAY_INTERVAL_MS", "250"))) {
      JsonObject user = gateway.createUser(15 * 100);  // pays for 15 of the 20
      String uid = user.getString("user_id");
      assertThat(gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "before")).status()).isEqualTo(200);
      Eventually.await("the first message settled", Duration.ofSeconds(30),
        () -> Db.count(pg, "SELECT count(*) FROM messages WHERE user_id = '" + uid + "'") == 1);

      TestServices.kafka().stop();
      List<JsonObject> during = IntStream.range(0, 20).mapToObj(i -> TestGateway.sms(user, "+14155550100", "during " + i)).toList();
      try {
        List<CompletableFuture<TestGateway.Response>> sends = during.stream().map(sms -> gateway.sendSmsAsync(user, sms)).toList();
        List<TestGateway.Response> answers = sends.stream().map(CompletableFuture::join).toList();
        assertThat(answers.stream().filter(r -> r.status() == 200).count()).as(answers.toString()).isEqualTo(14);
        assertThat(answers.stream().filter(r -> r.status() == 400 && r.errorCode().equals("insufficient_balance")).count()).isEqualTo(6);
        // Each 200 is already a charged row: the row is the outbox while Kafka is away.
        assertThat(Db.count(pg, "SELECT count(*) FROM messages WHERE user_id = '" + uid + "' AND NOT rejected_at_settlement")).isEqualTo(15);
        assertThat(Db.count(pg, "SELECT balance FROM wallets WHERE user_id = '" + uid + "'")).isZero();
      } finally {
        TestServices.kafka().start();
      }

      Eventually.await("every accepted message to be sent", Duration.ofSeconds(90),
        () -> Db.count(pg, "SELECT count(*) FROM messages WHERE status = 'sent' AND user_id = '" + uid + "'") == 15);
      assertThat(Db.count(pg, "SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'charge' AND user_id = '" + uid + "'"))
        .isEqualTo(1500);
      Db.assertInvariantsHold(pg);
    }
  }
}
