package io.smsgw.wallet.async;

import io.smsgw.platform.kafka.Topics;
import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Async mode: a record on sms.accepted that PostgreSQL refuses (U+0000 in the text: it reached Kafka without the
 * API's checks) fails alone. It ends rejected and uncharged; the records behind it on the same partition settle
 * and are sent; the partition does not stall.
 */
@DisplayName("Settlement: one record PostgreSQL refuses does not stall its partition")
class SettlementIsolationIT {

  @Test
  @DisplayName("a poisoned sms.accepted record ends rejected, uncharged; the 20 sends behind it are charged and sent")
  void poisonedRecordFailsAlone() throws Exception {
    String pgUrl = TestServices.postgres().url();
    try (TestGateway gateway = TestGateway.start(pgUrl, Map.of("SMSGW_BALANCE_MODE", "async", "SMSGW_RESERVATION", "off"))) {
      JsonObject user = gateway.createUser(100_000);
      UUID userId = UUID.fromString(user.getString("user_id"));
      SmsMessage poison = new SmsMessage(UUID.randomUUID(), userId, "+14155550100", "bad \u0000 text", Priority.NORMAL,
        Encoding.GSM7, 1, 100, System.currentTimeMillis());

      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServices.kafka().bootstrapServers());
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
        // Keyed by user like the gateway's own records: the same partition as the sends below.
        producer.send(new ProducerRecord<>(Topics.ACCEPTED, userId.toString(), new AcceptedRecord(poison, null).toBuffer().getBytes())).get();
      }

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        JsonObject sms = TestGateway.sms(user, "+14155550100", "after the poison " + i);
        TestGateway.Response r = gateway.sendSms(user, sms);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        ids.add(sms.getString("message_id"));
      }

      for (String id : ids) {
        assertThat(gateway.awaitStatus(user, id, "sent", Duration.ofSeconds(30)).getString("status")).isEqualTo("sent");
      }
      await("the poisoned message ends rejected", Duration.ofSeconds(10), () ->
        Db.count(pgUrl, "SELECT count(*) FROM messages WHERE message_id = '" + poison.messageId()
          + "' AND status = 'rejected' AND rejected_at_settlement AND last_error LIKE 'unstorable_message%'") == 1);
      assertThat(gateway.balance(user)).isEqualTo(100_000 - 20 * 100);
      assertThat(Db.count(pgUrl, "SELECT count(*) FROM ledger WHERE message_id = '" + poison.messageId() + "'")).isZero();
    }
    Db.assertInvariantsHold(pgUrl);
  }
}
