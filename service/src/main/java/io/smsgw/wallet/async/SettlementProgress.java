package io.smsgw.wallet.async;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.kafka.SharedAdmin;
import io.smsgw.platform.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
 * Blocking (Kafka admin calls): run {@link #endOffsets} and {@link #settledUpTo} off the event loop. One admin client
 * per process ({@link SharedAdmin}), whatever the number of reservation verticles.
 */
final class SettlementProgress {

  private static final String PURPOSE = "settlement-progress";

  private final SharedAdmin shared;
  private final Admin admin;
  private final String group;

  SettlementProgress(Vertx vertx, GatewayConfig config) {
    shared = SharedAdmin.acquire(vertx, PURPOSE, Map.of(
      AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap(),
      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
      AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000));
    admin = shared.admin();
    group = config.settlement().groupId();
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

  /** Releases this handle; the last one closes the client (off the event loop, within 2 s). */
  Future<Void> close() {
    return shared.release(java.time.Duration.ofSeconds(2));
  }
}
