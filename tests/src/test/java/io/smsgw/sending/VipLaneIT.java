package io.smsgw.sending;

import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.testing.Db;
import io.smsgw.testing.Eventually;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The VIP lane keeps several polled batches sending at once (sender.vip_batches_in_flight): a batch is committed once
 * its claims are in PostgreSQL, so the next one is polled and claimed while an earlier one still waits for its
 * provider. With one batch at a time, an OTP waited for the previous batch's answer and outcome.
 */
@DisplayName("VIP lane: a message is not held behind an earlier batch that waits for its provider")
class VipLaneIT {

  static final String LATE_MS = "6000";

  static long claimed(TestGateway gateway, String messageId) {
    return Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE message_id = '" + messageId + "' AND claimed_until IS NOT NULL");
  }

  @Test
  @DisplayName("An OTP sent while an earlier VIP message is held 6 s by the provider is sent first; both end sent, once each")
  void otpNotBehindSlowBatch() throws Exception {
    try (TestGateway gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_PROVIDER_SIM_LATE_DECISION_MS", LATE_MS,
      "SMSGW_PROVIDER_TIMEOUT_MS", "10000",
      "SMSGW_PROVIDER_MAX_PROCESSING_MS", "12000",
      // The orphan sweep (5 s for VIP) would send a message the consumer loop held back: only the loop is under test.
      "SMSGW_SENDER_VIP_ORPHAN_AFTER_MS", "60000"))) {
      JsonObject user = gateway.createUser(10_000);
      JsonObject held = TestGateway.sms(user, ProviderSimulatorVerticle.LATE_DECISION_NUMBER, "held by the provider").put("priority", "vip");
      assertThat(gateway.sendSms(user, held).status()).isEqualTo(200);
      String heldId = held.getString("message_id");
      // Its batch has been polled and claimed: its request is at the provider now.
      Eventually.await("the held message claimed", Duration.ofSeconds(10), () -> claimed(gateway, heldId) == 1);

      JsonObject otp = TestGateway.sms(user, "+14155550177", "Your code is 123456").put("priority", "vip");
      assertThat(gateway.sendSms(user, otp).status()).isEqualTo(200);
      JsonObject otpStatus = gateway.awaitStatus(user, otp.getString("message_id"), "sent", Duration.ofSeconds(30));
      assertThat(otpStatus.getString("status")).isEqualTo("sent");
      // The provider holds the first request for 6 s: the OTP went past it.
      JsonObject heldMeanwhile = gateway.awaitStatus(user, heldId, "sent", Duration.ZERO);
      assertThat(heldMeanwhile.getString("status")).as("the held message when the OTP was sent").isNotEqualTo("sent");

      JsonObject heldAtEnd = gateway.awaitStatus(user, heldId, "sent", Duration.ofSeconds(30));
      assertThat(heldAtEnd.getString("status")).isEqualTo("sent");
      assertThat(heldAtEnd.getInteger("attempts")).isEqualTo(1);
      assertThat(gateway.providerStats().getLong("delivered")).isEqualTo(2);
      assertThat(gateway.balance(user)).isEqualTo(10_000 - 2 * 150);
      Db.assertInvariantsHold(gateway.pgUrl());
    }
  }
}
