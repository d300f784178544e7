package io.smsgw.sending;

import io.smsgw.devkit.DevRole;
import io.smsgw.platform.kafka.Topics;
import io.smsgw.operations.InvariantCheck;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

import static io.smsgw.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing pending forever: a message whose Kafka record is gone (retention ran, the record was dead-lettered, a
 * replica was lost) is paid for and pending in PostgreSQL, and no consumer will ever read it. The sweeper finds
 * pending messages that nobody holds and drives them on.
 */
@DisplayName("The sweeper: a message whose Kafka record is gone still ends final")
class OrphanSweepIT {

  @Test
  @DisplayName("Accepted and published, record deleted before any worker read it: sent within the bound; the invariant check flags it while it waits")
  void recordGoneStillSent() throws Exception {
    try (TestGateway gateway = TestGateway.start(TestServices.postgres().url(), Map.of(), EnumSet.of(DevRole.GATEWAY, DevRole.PROVIDER_SIM))) {
      JsonObject user = gateway.createUser(1_000);
      JsonObject sms = TestGateway.sms(user, "+14155550123", "my record is gone").put("validity_period", 1);
      String id = sms.getString("message_id");
      assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
      await("Kafka to acknowledge it", Duration.ofSeconds(30),
        () -> Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages WHERE published_at IS NOT NULL AND message_id = '" + id + "'") == 1);

      // Retention, as far as this message is concerned: everything in sms.normal up to now is deleted.
      try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", TestServices.kafka().bootstrapServers()))) {
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (var p : admin.describeTopics(java.util.List.of(Topics.NORMAL)).allTopicNames().get().get(Topics.NORMAL).partitions()) {
          ends.put(new TopicPartition(Topics.NORMAL, p.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        admin.listOffsets(ends).all().get().forEach((tp, end) -> delete.put(tp, RecordsToDelete.beforeOffset(end.offset())));
        admin.deleteRecords(delete).all().get();
      }
      Thread.sleep(1_500);
      // Not final after its expiry (1 s, a slack of none): the invariant check reports it. Then its validity is
      // extended, so that the worker below still sends it instead of ending it expired.
      assertThat(InvariantCheck.run(gateway.pgUrl(), new InvariantCheck.Bounds(1_000, 1_000, 0)))
        .anySatisfy(v -> assertThat(v.invariant()).contains("not final"));
      Db.execute(gateway.pgUrl(), "UPDATE messages SET expires_at = now() + interval '1 hour' WHERE message_id = '" + id + "'");

      try (TestGateway worker = TestGateway.start(gateway.pgUrl(), Map.of(
        "SMSGW_SENDER_NORMAL_ORPHAN_AFTER_MS", "3000",
        "SMSGW_SENDER_SWEEP_INTERVAL_MS", "500",
        "SMSGW_PROVIDER_SIM_PORT", String.valueOf(gateway.config.providerSim().port())), EnumSet.of(DevRole.WORKER))) {
        JsonObject status = gateway.awaitStatus(user, id, "sent", Duration.ofSeconds(30));
        assertThat(status.getString("status")).isEqualTo("sent");
        assertThat(gateway.balance(user)).isEqualTo(900);
      }
      Db.assertInvariantsHold(gateway.pgUrl());
    }
  }
}
