package io.smsgw.sending;

import io.smsgw.devkit.DevRole;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.testing.ChildWorker;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fenced claims. Worker A claims a message and sends it to a provider that decides late; A is frozen (SIGSTOP) past
 * its claim; worker B claims the message and tries it again; A wakes up with its request timed out and its retry
 * budget spent. Before fencing, A then asked the provider at once, heard "not found" (the provider was still
 * deciding), and recorded the message failed and refunded; the provider delivered it a moment later. Now A's claim
 * is no longer current, so whatever A writes changes nothing (and is counted), and B's claim decides.
 */
@DisplayName("Fenced claims: a worker paused past its claim cannot overwrite the one that took over")
class StaleClaimIT {

  static final long CLAIM_MS = 4_000;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    // Gateway and provider here; the provider holds a late-deciding request 6 s, longer than the claim.
    gateway = TestGateway.start(TestServices.postgres().url(), Map.of("SMSGW_PROVIDER_SIM_LATE_DECISION_MS", "6000"),
      EnumSet.of(DevRole.GATEWAY, DevRole.PROVIDER_SIM));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName("A paused past its claim, B finishes, A resumes: one delivery, one outcome (B's), no refund, money exact")
  void staleOutcomeIsIgnored() throws Exception {
    Path log = Files.createDirectories(Path.of("target")).resolve("stale-claim-test.log");
    Files.deleteIfExists(log);
    JsonObject user = gateway.createUser(1_000);
    Map<String, String> common = Map.of(
      "SMSGW_SENDER_CLAIM_MS", String.valueOf(CLAIM_MS),
      "SMSGW_SENDER_RETRY_SCAN_INTERVAL_MS", "50",
      "SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "50",
      "SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "100",
      "SMSGW_PROVIDER_TIMEOUT_MS", "1000",
      "SMSGW_PROVIDER_MAX_PROCESSING_MS", "8000");
    java.util.HashMap<String, String> envA = new java.util.HashMap<>(common);
    envA.put("SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "1");  // A's first timeout is the end of its retries
    try (ChildWorker a = ChildWorker.start(gateway, log, envA).awaitReady(Duration.ofSeconds(60))) {
      long received = gateway.providerStats().getLong("received");
      JsonObject sms = TestGateway.sms(user, ProviderSimulatorVerticle.LATE_DECISION_NUMBER, "paused worker");
      String id = sms.getString("message_id");
      assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

      // A has sent it (the only worker running): freeze A while the provider holds the request.
      await("worker A to send", Duration.ofSeconds(60), () -> gateway.providerStats().getLong("received") > received);
      a.pause();
      java.util.HashMap<String, String> envB = new java.util.HashMap<>(common);
      envB.put("SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "4");
      envB.put("SMSGW_PROVIDER_SIM_PORT", String.valueOf(gateway.config.providerSim().port()));  // the same provider
      try (TestGateway b = TestGateway.start(gateway.pgUrl(), envB, EnumSet.of(DevRole.WORKER))) {
        // A's claim runs out; B claims the message (attempt 2) and sends it again.
        await("worker B to take the message over", Duration.ofSeconds(30),
          () -> Db.count(gateway.pgUrl(), "SELECT attempts FROM messages WHERE message_id = '" + id + "'") >= 2);
        a.resume();  // A: its request timed out long ago, its retries are spent, the provider is still deciding

        JsonObject status = gateway.awaitStatus(user, id, "sent", Duration.ofSeconds(40));
        assertThat(status.getString("status")).as("status (A's stale give-up must not decide it)").isEqualTo("sent");
        assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'refund' AND message_id = '" + id + "'"))
          .as("refunds").isZero();
        assertThat(gateway.balance(user)).isEqualTo(1_000 - 100);
        // One delivery: the provider holds the message under the id the live claim recorded.
        assertThat(gateway.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            gateway.config.provider().url() + "/v1/messages/" + id)).build()).json().getString("message_id"))
          .isEqualTo(status.getString("provider_message_id"));
        await("A to count its stale outcome", Duration.ofSeconds(10), () -> a.metric("smsgw_sender_stale_outcomes_total") >= 1);
      }
    }
    Db.assertInvariantsHold(gateway.pgUrl());
  }
}
