package io.smsgw.sending;

import io.smsgw.platform.kafka.SharedProducer;
import io.smsgw.platform.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;

import java.util.List;
import java.util.Map;

/** Records no worker can decode go to {@code sms.dlq}, bytes untouched, with where they came from and why. */
final class DeadLetters {

  private final KafkaProducer<String, Buffer> producer;

  DeadLetters(Vertx vertx, String bootstrap) {
    producer = SharedProducer.DEAD_LETTERS.open(vertx, Map.of(
      "bootstrap.servers", bootstrap,
      "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
      "value.serializer", "io.vertx.kafka.client.serialization.BufferSerializer",
      "acks", "all",
      "enable.idempotence", "true"));
    producer.exceptionHandler(e -> { });  // each park() future carries its own failure
  }

  Future<Void> park(KafkaConsumerRecord<String, Buffer> record, Throwable why) {
    KafkaProducerRecord<String, Buffer> dead = KafkaProducerRecord.create(Topics.DEAD_LETTER, record.key(), record.value());
    dead.addHeaders(List.of(
      KafkaHeader.header("source.topic", record.topic()),
      KafkaHeader.header("source.partition", String.valueOf(record.partition())),
      KafkaHeader.header("source.offset", String.valueOf(record.offset())),
      KafkaHeader.header("error", String.valueOf(why))));
    return producer.send(dead).mapEmpty();
  }

  Future<Void> close() {
    return producer.close();
  }
}
