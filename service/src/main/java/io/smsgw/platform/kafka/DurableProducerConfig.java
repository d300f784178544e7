package io.smsgw.platform.kafka;

import io.smsgw.config.GatewayConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings every producer of accepted messages shares: acks=all and idempotence (a record acknowledged is
 * on the broker, once), key = user_id as a string, value = the message's bytes, batching from {@code conf/}.
 * Each producer adds its own timeouts, which differ by what waits on them. {@code kafka.producer.*} settings go over
 * these defaults.
 */
public final class DurableProducerConfig {

  private DurableProducerConfig() {
  }

  public static Map<String, String> base(GatewayConfig config) {
    Map<String, String> kafka = new HashMap<>();
    kafka.put("bootstrap.servers", config.kafka().bootstrap());
    kafka.put("key.serializer", "org.apache.kafka.common.serialization.StringSerializer");
    kafka.put("value.serializer", "io.vertx.kafka.client.serialization.BufferSerializer");
    kafka.put("acks", "all");
    kafka.put("enable.idempotence", "true");
    kafka.put("linger.ms", String.valueOf(config.kafka().lingerMs()));
    kafka.put("batch.size", String.valueOf(config.kafka().batchSize()));
    kafka.put("compression.type", config.kafka().compression());
    kafka.putAll(config.kafka().producer());  // kafka.producer.* / SMSGW_KAFKA_PRODUCER_*, checked at start (KafkaSettings)
    return kafka;
  }
}
