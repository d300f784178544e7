package io.smsgw.delivery;

import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole loop as {@code ./smsgw dev} runs it: the simulator's own signed reports (the secret and URL that
 * {@code DevEnvironment.withDeliveryReports} chose) reach the pod's gateway and finish the messages.
 */
@DisplayName("The simulator's delivery reports finish messages in a test pod")
class SimulatorDeliveryIT {

  static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName("1 part → delivered; +15005550003 → undelivered; 3 parts → delivered with three parts shown; every report acknowledged")
  void reportsFinishMessages() throws Exception {
    try (TestGateway gateway = TestGateway.startWithDeliveryReports()) {
      JsonObject user = gateway.createUser(10_000);
      JsonObject one = TestGateway.sms(user, "+14155550140", "one part");
      JsonObject undelivered = TestGateway.sms(user, ProviderSimulatorVerticle.UNDELIVERED_NUMBER, "never arrives");
      JsonObject three = TestGateway.sms(user, "+14155550141", "x".repeat(400));
      for (JsonObject sms : new JsonObject[] {one, undelivered, three}) assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

      JsonObject s1 = gateway.awaitStatus(user, one.getString("message_id"), "delivered", WAIT);
      assertThat(s1.getString("status")).as("%s", s1).isEqualTo("delivered");
      JsonObject s2 = gateway.awaitStatus(user, undelivered.getString("message_id"), "undelivered", WAIT);
      assertThat(s2.getString("status")).as("%s", s2).isEqualTo("undelivered");
      JsonObject s3 = gateway.awaitStatus(user, three.getString("message_id"), "delivered", WAIT);
      assertThat(s3.getString("status")).as("%s", s3).isEqualTo("delivered");
      assertThat(s3.getJsonArray("parts")).as("%s", s3).hasSize(3);
      System.out.println("SIMULATOR-DELIVERY " + s1 + "\n" + s2 + "\n" + s3);

      await("every report acknowledged", WAIT, () -> gateway.providerStats().getLong("dlr_pending") == 0);
      JsonObject stats = gateway.providerStats();
      System.out.println("SIMULATOR-DELIVERY stats " + stats);
      assertThat(stats.getLong("dlr_sent")).isEqualTo(5);
      Db.assertInvariantsHold(gateway.pgUrl());
    }
  }
}
