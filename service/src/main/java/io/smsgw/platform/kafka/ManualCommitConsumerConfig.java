package io.smsgw.platform.kafka;

import io.smsgw.config.GatewayConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings every consumer of accepted messages shares (senders, settlement): offsets committed by hand,
 * only after the batch's outcome is stored, so a crash re-reads rather than skips; a new group starts at the
 * beginning; values stay as bytes. Each consumer adds its own group, batch size and session timeout.
 * {@code kafka.consumer.*} settings go over these defaults.
 */
public final class ManualCommitConsumerConfig {

  private ManualCommitConsumerConfig() {
  }

  public static Map<String, String> base(GatewayConfig config, String groupId, int maxPollRecords) {
    Map<String, String> kafka = new HashMap<>();
    kafka.put("bootstrap.servers", config.kafka().bootstrap());
    kafka.put("group.id", groupId);
    kafka.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
    kafka.put("value.deserializer", "io.vertx.kafka.client.serialization.BufferDeserializer");
    kafka.put("enable.auto.commit", "false");
    kafka.put("auto.offset.reset", "earliest");
    kafka.put("max.poll.records", String.valueOf(maxPollRecords));
    // A blocking consumer call (the offset commit) waits at most this long, not the client's 60 s default: right
    // after a broker restart the group coordinator is not known yet, and a lane whose poll loop waits on its commit
    // stopped for a minute (bench chaos, kafka_restart). A commit that gives up is harmless: the batch is read again
    // and its messages, already claimed or final, are skipped.
    kafka.put("default.api.timeout.ms", "5000");
    kafka.putAll(config.kafka().consumer());  // kafka.consumer.* / SMSGW_KAFKA_CONSUMER_*, checked at start (KafkaSettings)
    return kafka;
  }
}
