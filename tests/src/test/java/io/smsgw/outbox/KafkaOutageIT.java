package io.smsgw.outbox;

import io.smsgw.platform.kafka.Topics;

import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.smsgw.testing.TopicReader;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Kafka outage: accepting goes on, the outbox keeps the messages, the relay publishes them later")
class KafkaOutageIT {

  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_OUTBOX_RELAY_MIN_AGE_MS", "1000",
      "SMSGW_OUTBOX_RELAY_INTERVAL_MS", "250",
      // This test is about the relay: the sweeper would send VIP messages from PostgreSQL while Kafka is down
      // (as it should), and they would never need their record.
      "SMSGW_SENDER_VIP_ORPHAN_AFTER_MS", "600000",
      "SMSGW_SENDER_NORMAL_ORPHAN_AFTER_MS", "600000"));
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }


  @Test
  @DisplayName("Messages accepted while Kafka is stopped reach their topics after it restarts")
  void acceptedDuringOutageReachKafka() throws Exception {
    JsonObject user = gateway.createUser(1_000_000);
    String bulkId = java.util.UUID.randomUUID().toString();
    assertThat(gateway.sendSms(user, TestGateway.sms(user, "+14155550100", "before")).status()).isEqualTo(200);

    TestServices.kafka().stop();
    try {
      await("readiness to report Kafka down", Duration.ofSeconds(20), () -> {
        TestGateway.Response ready = gateway.ops("/health/ready");
        return ready.status() == 503 && "down".equals(ready.json().getString("kafka"));
      });

      List<JsonObject> during = IntStream.range(0, 30)
        .mapToObj(i -> TestGateway.sms(user, "+14155550100", "during outage " + i).put("priority", i % 5 == 0 ? "vip" : "normal"))
        .toList();
      for (JsonObject sms : during) {
        TestGateway.Response r = gateway.sendSms(user, sms);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
      }
      // A bulk too: its row is the outbox entry of its messages until Kafka acknowledged them all.
      TestGateway.Response bulk = gateway.send(java.net.http.HttpRequest.newBuilder(gateway.uri("/send-sms/bulk"))
        .header("Content-Type", "application/json").header("X-API-Key", user.getString("api_key"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(bulkBody(user, bulkId, 25).encode())).build());
      assertThat(bulk.status()).as(bulk.body()).isEqualTo(200);
      assertThat(gateway.balance(user)).isEqualTo(1_000_000 - 100 - 24 * 100 - 6 * 150 - 25 * 100);
      TestGateway.Response ready = gateway.ops("/health/ready");
      assertThat(ready.json().getString("postgres")).isEqualTo("up");
      assertThat(ready.json().getLong("outbox_backlog")).isGreaterThanOrEqualTo(30 + 25);
      assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM bulks WHERE published_at IS NULL AND bulk_id = '" + bulkId + "'"))
        .isEqualTo(1);
    } finally {
      TestServices.kafka().start();
    }

    Set<String> ids = Db.ids(gateway.pgUrl(), "SELECT message_id FROM messages WHERE user_id = '" + user.getString("user_id")
      + "' AND (body LIKE 'during outage%' OR bulk_id IS NOT NULL)");
    assertThat(ids).hasSize(30 + 25);
    await("the outbox to drain", Duration.ofSeconds(90), () ->
      Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE published_at IS NULL AND user_id = '" + user.getString("user_id") + "'") == 0
        && Db.count(gateway.pgUrl(), "SELECT count(*) FROM bulks WHERE published_at IS NULL AND bulk_id = '" + bulkId + "'") == 0);

    Set<String> vipIds = Db.ids(gateway.pgUrl(), "SELECT message_id FROM messages WHERE priority = 'vip' AND user_id = '"
      + user.getString("user_id") + "'");
    Set<String> normalIds = ids.stream().filter(id -> !vipIds.contains(id)).collect(Collectors.toSet());
    String bootstrap = TestServices.kafka().bootstrapServers();
    var normal = TopicReader.await(bootstrap, Topics.NORMAL, normalIds, Duration.ofSeconds(30));
    var vip = TopicReader.await(bootstrap, Topics.VIP, vipIds, Duration.ofSeconds(30));
    assertThat(normal.keySet()).containsExactlyInAnyOrderElementsOf(normalIds);
    assertThat(vip.keySet()).containsExactlyInAnyOrderElementsOf(vipIds);
    normal.values().forEach(r -> assertThat(r.key()).isEqualTo(user.getString("user_id")));

    await("readiness to recover", Duration.ofSeconds(20), () -> gateway.get("/health/ready", null).status() == 200);
  }

  private static JsonObject bulkBody(JsonObject user, String bulkId, int recipients) {
    io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
    for (int i = 0; i < recipients; i++) {
      items.add(new JsonObject().put("message_id", java.util.UUID.randomUUID().toString()).put("phone_number", "+98912" + (2000000 + i)));
    }
    return new JsonObject().put("bulk_id", bulkId).put("user_id", user.getString("user_id"))
      .put("message", "bulk during outage").put("recipients", items);
  }
}
