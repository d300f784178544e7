package io.smsgw.sending;

import io.smsgw.platform.kafka.Topics;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.smsgw.testing.Db;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.smsgw.testing.TopicReader;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Workers: every accepted SMS ends sent, failed or rejected, and the money follows")
class SendingIT extends GatewayTest {

  static final Duration WAIT = Duration.ofSeconds(30);


  long refunds(String messageId) {
    return Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'refund' AND message_id = '" + messageId + "'");
  }

  @Test
  @DisplayName("A normal and a VIP message reach sent, with the provider's id, sent_at and one attempt")
  void normalAndVipSent() throws Exception {
    JsonObject user = gateway.createUser(10_000);
    JsonObject normal = TestGateway.sms(user, "+14155550100", "normal");
    JsonObject vip = TestGateway.sms(user, "+14155550101", "vip").put("priority", "vip");
    assertThat(gateway.sendSms(user, normal).status()).isEqualTo(200);
    assertThat(gateway.sendSms(user, vip).status()).isEqualTo(200);

    for (JsonObject sms : new JsonObject[] {normal, vip}) {
      JsonObject status = gateway.awaitStatus(user, sms.getString("message_id"), "sent", WAIT);
      assertThat(status.getString("status")).isEqualTo("sent");
      assertThat(status.getString("provider_message_id")).startsWith("sim-");
      assertThat(status.getString("sent_at")).isNotNull();
      assertThat(status.getInteger("attempts")).isEqualTo(1);
      assertThat(status.getString("last_error")).isNull();
    }
    assertThat(gateway.balance(user)).isEqualTo(10_000 - 100 - 150);
  }

  @Test
  @DisplayName("Magic numbers: invalid → failed, blocked → rejected, always-transient → failed after the budget; one refund each")
  void magicNumbers() throws Exception {
    JsonObject user = gateway.createUser(10_000);
    Map<String, String> expected = Map.of(
      ProviderSimulatorVerticle.INVALID_NUMBER, "failed",
      ProviderSimulatorVerticle.BLOCKED_NUMBER, "rejected",
      ProviderSimulatorVerticle.ALWAYS_TRANSIENT_NUMBER, "failed");
    Map<String, JsonObject> sent = new HashMap<>();
    for (String number : expected.keySet()) {
      JsonObject sms = TestGateway.sms(user, number, "to " + number);
      assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
      sent.put(number, sms);
    }

    for (var e : expected.entrySet()) {
      String id = sent.get(e.getKey()).getString("message_id");
      JsonObject status = gateway.awaitStatus(user, id, e.getValue(), WAIT);
      assertThat(status.getString("status")).as(e.getKey()).isEqualTo(e.getValue());
      assertThat(status.getString("last_error")).isNotBlank();
      assertThat(refunds(id)).as("refunds of " + e.getKey()).isEqualTo(1);
    }
    String alwaysTransient = sent.get(ProviderSimulatorVerticle.ALWAYS_TRANSIENT_NUMBER).getString("message_id");
    JsonObject gaveUp = gateway.awaitStatus(user, alwaysTransient, "failed", WAIT);
    assertThat(gaveUp.getInteger("attempts")).isEqualTo(4);  // the test budget (SMSGW_SENDER_NORMAL_MAX_ATTEMPTS)
    assertThat(gaveUp.getString("last_error")).contains("gave up after 4");
    assertThat(gateway.balance(user)).isEqualTo(10_000);
  }

  @Test
  @DisplayName("A transient failure is retried with backoff and then sent")
  void transientThenSent() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(user, ProviderSimulatorVerticle.FLAKY_NUMBER, "third time lucky");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

    JsonObject status = gateway.awaitStatus(user, sms.getString("message_id"), "sent", WAIT);

    assertThat(status.getString("status")).isEqualTo("sent");
    assertThat(status.getInteger("attempts")).isEqualTo(3);
    assertThat(refunds(sms.getString("message_id"))).isZero();
    assertThat(gateway.balance(user)).isEqualTo(900);
  }

  @Test
  @DisplayName("Every answer lost (timeouts) but the provider has the message: sent, not refunded")
  void lostAnswersAreNotRefunded() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(user, ProviderSimulatorVerticle.LOST_ANSWER_NUMBER, "did it arrive?");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

    JsonObject status = gateway.awaitStatus(user, sms.getString("message_id"), "sent", WAIT);

    assertThat(status.getString("status")).isEqualTo("sent");
    assertThat(status.getInteger("attempts")).isEqualTo(4);  // every attempt timed out; the lookup found it
    assertThat(status.getString("provider_message_id")).startsWith("sim-");
    assertThat(refunds(sms.getString("message_id"))).isZero();
    assertThat(gateway.balance(user)).isEqualTo(900);
  }

  @Test
  @DisplayName("An undecodable record goes to sms.dlq and the messages behind it in its partition are still sent")
  void deadLetter() throws Exception {
    JsonObject user = gateway.createUser(1_000);
    String key = user.getString("user_id");  // the gateway's key for this user's messages: the same partition
    String marker = "not an sms " + UUID.randomUUID();
    Map<String, Object> config = Map.of("bootstrap.servers", TestServices.kafka().bootstrapServers());
    try (var producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.NORMAL, key, marker.getBytes(StandardCharsets.UTF_8))).get();
      producer.send(new ProducerRecord<>(Topics.NORMAL, key, "{\"message_id\": 5}".getBytes(StandardCharsets.UTF_8))).get();
    }
    JsonObject sms = TestGateway.sms(user, "+14155550100", "behind the bad one");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

    assertThat(gateway.awaitStatus(user, sms.getString("message_id"), "sent", WAIT).getString("status")).isEqualTo("sent");
    var dead = TopicReader.await(TestServices.kafka().bootstrapServers(), Topics.DEAD_LETTER, Set.of(marker), WAIT);
    assertThat(dead).containsKey(marker);
    assertThat(dead.get(marker).key()).isEqualTo(key);
  }
}
