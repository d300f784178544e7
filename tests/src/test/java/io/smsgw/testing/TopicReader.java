package io.smsgw.testing;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** Reads a topic from the beginning with a plain Kafka consumer (no group), to see what the gateway published. */
public final class TopicReader {

  /** One record: its key and its value as text. */
  public record Record(String topic, String key, String value) {
  }

  private TopicReader() {
  }

  /**
   * Reads {@code topic} until every one of {@code messageIds} was seen (or the timeout passes); returns the
   * records that carry them, by message id (a message published twice appears once here).
   */
  public static Map<String, Record> await(String bootstrap, String topic, Set<String> messageIds, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    Map<String, Record> found = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Instant deadline = Instant.now().plus(timeout);
      while (found.size() < messageIds.size() && Instant.now().isBefore(deadline)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          String value = new String(r.value(), StandardCharsets.UTF_8);
          for (String id : messageIds) {
            if (value.contains(id)) found.put(id, new Record(r.topic(), r.key(), value));
          }
        }
      }
    }
    return found;
  }
}
