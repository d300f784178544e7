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

@DisplayName("Async without reservation: over-acceptance is possible, rejected at settlement, never charged, and visible")
class AsyncWithoutReservationIT {

  @Test
  @DisplayName("Bursts on a wallet for 100 before settlement runs: the excess ends rejected_at_settlement, uncharged and counted; balance 0, ledger exact")
  void overAcceptanceIsSettledAndReported() throws Exception {
    String pg = TestServices.postgres().url();
    JsonObject user;
    long accepted;
    // The window made certain: a pod that checks a fresh PostgreSQL balance each time, and no settlement yet.
    try (TestGateway accepting = TestGateway.start(pg, Map.of("SMSGW_BALANCE_MODE", "async", "SMSGW_RESERVATION", "off",
      "SMSGW_BALANCE_UNRESERVED_CACHE_MS", "0", "SMSGW_INSTANCES_SETTLEMENT", "0"))) {
      user = accepting.createUser(100 * 100);
      long first = burst(accepting, user, 500);
      long second = burst(accepting, user, 500);
      assertThat(first).as("one balance read never lets more than the balance through").isGreaterThanOrEqualTo(100);
      accepted = first + second;
      assertThat(accepted).as("the second burst saw the same unsettled balance").isGreaterThanOrEqualTo(200);
    }
    String uid = user.getString("user_id");
    try (TestGateway settling = TestGateway.start(pg, Map.of("SMSGW_BALANCE_MODE", "async", "SMSGW_RESERVATION", "off"))) {
      Eventually.await("settlement", Duration.ofSeconds(30),
        () -> Db.count(pg, "SELECT count(*) FROM messages WHERE user_id = '" + uid + "'") == accepted);
      long rejected = Db.count(pg, "SELECT count(*) FROM messages WHERE rejected_at_settlement AND user_id = '" + uid + "'");
      assertThat(rejected).isEqualTo(accepted - 100);
      assertThat(Db.count(pg, "SELECT count(*) FROM messages WHERE user_id = '" + uid + "' AND status = 'rejected'"
        + " AND last_error = 'insufficient_balance_at_settlement'")).isEqualTo(rejected);
      assertThat(settling.balance(user)).isZero();
      assertThat(Db.count(pg, "SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'charge' AND user_id = '" + uid + "'"))
        .isEqualTo(10_000);
      assertThat(settling.metric("smsgw_settlement_messages_total{outcome=\"rejected\"}")).isGreaterThanOrEqualTo(rejected);
      Db.assertInvariantsHold(pg);
    }
  }

  private static long burst(TestGateway gateway, JsonObject user, int count) {
    List<CompletableFuture<TestGateway.Response>> requests = IntStream.range(0, count)
      .mapToObj(i -> gateway.sendSmsAsync(user, TestGateway.sms(user, "+14155550100", "m" + i))).toList();
    return requests.stream().map(CompletableFuture::join).filter(r -> r.status() == 200).count();
  }
}
