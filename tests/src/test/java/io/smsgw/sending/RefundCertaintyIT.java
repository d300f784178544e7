package io.smsgw.sending;

import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A refund only when the provider definitely did not take the message: a definite refusal, or lookups that say
 * "not found" after the provider's maximum processing time. Each test runs its own gateway, because the provider's
 * behaviour (when it decides, whether it has a lookup) is a setting of the simulator.
 */
@DisplayName("Refund only when certain")
class RefundCertaintyIT {

  static final Duration WAIT = Duration.ofSeconds(40);

  static long refunds(TestGateway gateway, String messageId) {
    return Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'refund' AND message_id = '" + messageId + "'");
  }

  @Test
  @DisplayName("A provider that decides after the client timed out: \"not found\" right after the last attempt is not a refund; sent, no refund")
  void lateDecisionIsSentNotRefunded() throws Exception {
    // Every request for the number is held 5 s and then delivered; the worker waits 1 s per attempt, 2 attempts.
    try (TestGateway gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_PROVIDER_SIM_LATE_DECISION_MS", "5000",
      "SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "2",
      "SMSGW_PROVIDER_MAX_PROCESSING_MS", "6000"))) {
      JsonObject user = gateway.createUser(1_000);
      JsonObject sms = TestGateway.sms(user, ProviderSimulatorVerticle.LATE_DECISION_NUMBER, "decided late");
      assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

      JsonObject status = gateway.awaitStatus(user, sms.getString("message_id"), "sent", WAIT);

      assertThat(status.getString("status")).isEqualTo("sent");
      assertThat(status.getString("provider_message_id")).startsWith("sim-");
      assertThat(refunds(gateway, sms.getString("message_id"))).isZero();
      assertThat(gateway.balance(user)).isEqualTo(900);
      assertThat(gateway.providerStats().getLong("delivered")).isEqualTo(1);
      Db.assertInvariantsHold(gateway.pgUrl());
    }
  }

  @Test
  @DisplayName("A provider without a lookup: a timed-out last attempt ends failed with outcome_unknown, not refunded; definite refusals are refunded")
  void noLookupEndsUnknownWithoutRefund() throws Exception {
    try (TestGateway gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_PROVIDER_SIM_LOOKUP", "off",
      "SMSGW_PROVIDER_MAX_PROCESSING_MS", "1000"))) {
      JsonObject user = gateway.createUser(1_000);
      // Delivered, but every answer comes after the worker gave up: the worker cannot know.
      JsonObject lost = TestGateway.sms(user, ProviderSimulatorVerticle.LOST_ANSWER_NUMBER, "did it arrive?");
      // Answered 503 every time: the provider said, each time, that it did not take it.
      JsonObject refused = TestGateway.sms(user, ProviderSimulatorVerticle.ALWAYS_TRANSIENT_NUMBER, "never taken");
      // One after the other: in one provider batch, the lost answer would take the 503s with it.
      assertThat(gateway.sendSms(user, refused).status()).isEqualTo(200);
      JsonObject failed = gateway.awaitStatus(user, refused.getString("message_id"), "failed", WAIT);
      assertThat(failed.getString("status")).isEqualTo("failed");
      assertThat(refunds(gateway, refused.getString("message_id"))).as("refunds of the refused one").isEqualTo(1);

      assertThat(gateway.sendSms(user, lost).status()).isEqualTo(200);
      JsonObject unknown = gateway.awaitStatus(user, lost.getString("message_id"), "failed", WAIT);
      assertThat(unknown.getString("status")).isEqualTo("failed");
      assertThat(unknown.getString("last_error")).startsWith("outcome_unknown");
      assertThat(refunds(gateway, lost.getString("message_id"))).as("refunds of the unknown one").isZero();
      assertThat(gateway.balance(user)).isEqualTo(1_000 - 100);
      Db.assertInvariantsHold(gateway.pgUrl());
    }
  }
}
