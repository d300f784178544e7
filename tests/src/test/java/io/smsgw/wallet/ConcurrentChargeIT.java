package io.smsgw.wallet;

import io.smsgw.testing.Db;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Concurrent sends: never overspent, never charged twice")
class ConcurrentChargeIT extends GatewayTest {



  static Map<Integer, Long> statuses(List<CompletableFuture<TestGateway.Response>> requests) {
    CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).join();
    return requests.stream().map(CompletableFuture::join)
      .collect(Collectors.groupingBy(TestGateway.Response::status, Collectors.counting()));
  }

  @Test
  @DisplayName("1,000 requests at once on a wallet that pays for 100: exactly 100 accepted, balance 0, ledger exact")
  void thousandOnAWalletForHundred() {
    JsonObject user = gateway.createUser(100 * 100);  // 100 one-segment normal messages at 100 each

    List<CompletableFuture<TestGateway.Response>> requests = IntStream.range(0, 1000)
      .mapToObj(i -> gateway.sendSmsAsync(user, TestGateway.sms(user, "+14155550100", "message " + i)))
      .toList();
    Map<Integer, Long> byStatus = statuses(requests);

    assertThat(byStatus).containsEntry(200, 100L).containsEntry(400, 900L).hasSize(2);
    requests.stream().map(CompletableFuture::join).filter(r -> r.status() == 400)
      .forEach(r -> assertThat(r.errorCode()).isEqualTo("insufficient_balance"));
    assertThat(gateway.balance(user)).isZero();
    String uid = user.getString("user_id");
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE user_id = '" + uid + "'")).isEqualTo(100);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'charge' AND user_id = '" + uid + "'")).isEqualTo(100);
    assertThat(Db.count(gateway.pgUrl(), "SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'charge' AND user_id = '" + uid + "'"))
      .isEqualTo(10_000);
    Db.assertInvariantsHold(gateway.pgUrl());
  }

  @Test
  @DisplayName("50 identical requests at once: exactly one accepted and charged, 49 duplicates")
  void fiftyIdentical() {
    JsonObject user = gateway.createUser(100_000);
    JsonObject sms = TestGateway.sms(user, "+14155550100", "the same one");

    List<CompletableFuture<TestGateway.Response>> requests = IntStream.range(0, 50)
      .mapToObj(i -> gateway.sendSmsAsync(user, sms)).toList();
    Map<Integer, Long> byStatus = statuses(requests);

    assertThat(byStatus).containsEntry(200, 1L).containsEntry(400, 49L).hasSize(2);
    requests.stream().map(CompletableFuture::join).filter(r -> r.status() == 400)
      .forEach(r -> assertThat(r.errorCode()).isEqualTo("duplicate_message_id"));
    assertThat(gateway.balance(user)).isEqualTo(100_000 - 100);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE message_id = '" + sms.getString("message_id") + "'"))
      .isEqualTo(1);
  }

  @Test
  @DisplayName("Many users at once, a few requests each, with duplicates mixed in: each wallet exact")
  void manyUsers() {
    List<JsonObject> users = IntStream.range(0, 20).mapToObj(i -> gateway.createUser(1_000)).toList();
    List<JsonObject> messages = users.stream()
      .flatMap(u -> IntStream.range(0, 15).mapToObj(i -> TestGateway.sms(u, "+14155550100", "m" + i)))
      .toList();
    Map<String, JsonObject> owner = users.stream().collect(Collectors.toMap(u -> u.getString("user_id"), Function.identity()));

    // Every message twice: 15 distinct per user, of which the wallet pays for 10.
    List<CompletableFuture<TestGateway.Response>> requests = messages.stream()
      .flatMap(m -> java.util.stream.Stream.of(m, m))
      .map(m -> gateway.sendSmsAsync(owner.get(m.getString("user_id")), m))
      .toList();
    Map<Integer, Long> byStatus = statuses(requests);

    assertThat(byStatus.get(200)).isEqualTo(20L * 10);
    users.forEach(u -> assertThat(gateway.balance(u)).isZero());
    Db.assertInvariantsHold(gateway.pgUrl());
  }
}
