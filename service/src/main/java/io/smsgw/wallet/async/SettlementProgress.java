package io.smsgw.wallet.async;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.kafka.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where settlement stands on {@code sms.accepted}: the end offsets now, and whether the settlement group has
 * committed past given offsets. A reservation made before a Redis loss exists only as a record there; once the
 * group has passed the end offsets taken after the loss, every such reservation is in PostgreSQL.
 * Blocking (Kafka admin calls): run it off the event loop.
 */
final class SettlementProgress implements AutoCloseable {

  private final Admin admin;
  private final String group;

  SettlementProgress(GatewayConfig config) {
    admin = Admin.create(Map.of(
      AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
      AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000));
    group = config.string("settlement", "group_id");
  }

  Map<TopicPartition, Long> endOffsets() throws Exception {
    var description = admin.describeTopics(java.util.List.of(Topics.ACCEPTED)).allTopicNames().get(3, TimeUnit.SECONDS)
      .get(Topics.ACCEPTED);
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    description.partitions().forEach(p -> request.put(new TopicPartition(Topics.ACCEPTED, p.partition()), OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(request).all().get(3, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  boolean settledUpTo(Map<TopicPartition, Long> ends) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed =
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(3, TimeUnit.SECONDS);
    for (var end : ends.entrySet()) {
      if (end.getValue() == 0) continue;
      OffsetAndMetadata c = committed.get(end.getKey());
      if (c == null || c.offset() < end.getValue()) return false;
    }
    return true;
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(2));
  }
}
