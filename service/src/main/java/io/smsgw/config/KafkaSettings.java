package io.smsgw.config;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Map;

/**
 * {@code kafka.*}: the broker, the topics the pod creates, the producers' batching, and two pass-throughs: every setting
 * under {@code kafka.producer} / {@code kafka.consumer} ({@code "producer": {"compression.type": "lz4"}}, or
 * {@code SMSGW_KAFKA_PRODUCER_COMPRESSION_TYPE=lz4}: after the prefix, lower case with {@code _} read as {@code .}; no
 * Kafka client setting has an {@code _}) is handed to every durable producer / manual-commit consumer as it is, over
 * the defaults the code sets ({@code kafka.linger_ms}, {@code batch_size}, {@code compression} included). Names and
 * values are checked against the Kafka client's own definitions at start. A few settings are refused: the ones the
 * gateway's guarantees rest on (acks, idempotence, manual commits, where a new group starts, the byte formats) and the
 * ones each client sets for itself from other keys (a pass-through there would be overwritten, so it would be a lie).
 */
public record KafkaSettings(String bootstrap, int normalPartitions, int vipPartitions, int acceptedPartitions, short replicationFactor,
                            int lingerMs, int batchSize, String compression, int deliveryTimeoutMs,
                            Map<String, String> producer, Map<String, String> consumer) {

  private static final Map<String, String> REFUSED_PRODUCER = Map.of(
    "bootstrap.servers", "is set by kafka.bootstrap (SMSGW_KAFKA_BOOTSTRAP)",
    "acks", "is refused: every producer needs acks=all (an acknowledged message is on the broker)",
    "enable.idempotence", "is refused: every producer needs idempotence (a retried send is written once)",
    "key.serializer", "is refused: the record format is the gateway's",
    "value.serializer", "is refused: the record format is the gateway's",
    "delivery.timeout.ms", "is set per producer (kafka.delivery_timeout_ms, settlement.produce_timeout_ms)",
    "request.timeout.ms", "is set per producer from its delivery timeout (kafka.delivery_timeout_ms, settlement.produce_timeout_ms)",
    "max.block.ms", "is set per producer by the code");
  private static final Map<String, String> REFUSED_CONSUMER = Map.of(
    "bootstrap.servers", "is set by kafka.bootstrap (SMSGW_KAFKA_BOOTSTRAP)",
    "group.id", "is set per consumer (sender.group_id, settlement.group_id)",
    "enable.auto.commit", "is refused: offsets are committed only after a batch's outcome is stored",
    "auto.offset.reset", "is refused: a new group must start at the beginning, or accepted messages are skipped",
    "key.deserializer", "is refused: the record format is the gateway's",
    "value.deserializer", "is refused: the record format is the gateway's",
    "max.poll.records", "is set per consumer (sender.poll_records, settlement.max_batch)",
    "session.timeout.ms", "is set per consumer (sender.session_timeout_ms)",
    "heartbeat.interval.ms", "is set per consumer from its session timeout");

  static KafkaSettings from(ConfigReader.Section s) {
    ConfigDef producerDef = ProducerConfig.configDef();
    ConfigDef consumerDef = ConsumerConfig.configDef();
    String bootstrap = s.string("bootstrap");
    int normal = s.integer("normal_partitions", 1, Integer.MAX_VALUE);
    int vip = s.integer("vip_partitions", 1, Integer.MAX_VALUE);
    int accepted = s.integer("accepted_partitions", 1, Integer.MAX_VALUE);
    short replication = (short) s.integer("replication_factor", 1, Short.MAX_VALUE);
    int linger = s.integer("linger_ms", 0, Integer.MAX_VALUE);
    int batch = s.integer("batch_size", 0, Integer.MAX_VALUE);  // 0: no batching
    String compression = s.string("compression");
    String wrongCompression = check(producerDef, "compression.type", compression);
    if (wrongCompression != null) s.problem("compression", "\"" + compression + "\" " + wrongCompression);
    int delivery = s.integer("delivery_timeout_ms", 1, Integer.MAX_VALUE);
    Map<String, String> producer = s.passThrough("producer", (name, value) -> passThrough("producer", producerDef, REFUSED_PRODUCER, name, value));
    Map<String, String> consumer = s.passThrough("consumer", (name, value) -> passThrough("consumer", consumerDef, REFUSED_CONSUMER, name, value));
    return new KafkaSettings(bootstrap, normal, vip, accepted, replication, linger, batch, compression, delivery, producer, consumer);
  }

  private static String passThrough(String kind, ConfigDef def, Map<String, String> refused, String name, String value) {
    if (refused.containsKey(name)) return refused.get(name);
    if (!def.configKeys().containsKey(name)) return "is not a Kafka " + kind + " setting";
    return check(def, name, value);
  }

  /** What Kafka's client would say about this value, or null when it takes it. */
  private static String check(ConfigDef def, String name, String value) {
    ConfigDef.ConfigKey key = def.configKeys().get(name);
    try {
      Object parsed = ConfigDef.parseType(name, value, key.type);
      if (key.validator != null) key.validator.ensureValid(name, parsed);
      return null;
    } catch (ConfigException e) {
      return "is not taken by Kafka: " + e.getMessage();
    }
  }
}
