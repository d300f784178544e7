package io.smsgw.platform.kafka;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;

import java.util.Map;

/**
 * The Kafka producers of a process: one per purpose, shared by every verticle instance that produces for it
 * ({@link KafkaProducer#createShared}), instead of one producer (threads, connections, buffers) per instance.
 * <p>
 * {@link #open} gives a handle; the first handle of a purpose creates the producer with its config, which is why each
 * purpose has one config, built in one place. Each handle has its own exception handler and flush; closing a handle
 * releases it, and the producer itself closes, after sending every record it still holds, when its last handle is
 * closed. So a verticle flushes and closes its own handle in {@code stop()}: whatever the undeploy order, a producer
 * is closed only once nobody can publish on it any more, and never before its in-flight records are acknowledged.
 */
public enum SharedProducer {

  /** Accepted messages to their lane ({@code sms.normal}, {@code sms.vip}): the outbox's producer, durable. */
  OUTBOX("outbox"),
  /** Async balance mode: reservations to {@code sms.accepted} for settlement, durable before the 200. */
  ACCEPTED("accepted"),
  /** Records no worker could decode, to {@code sms.dlq}. */
  DEAD_LETTERS("dead-letters");

  private final String name;

  SharedProducer(String purpose) {
    this.name = "smsgw." + purpose;
  }

  /** A handle on this process's producer for this purpose; {@code config} is used by the first handle only. */
  public KafkaProducer<String, Buffer> open(Vertx vertx, Map<String, String> config) {
    return KafkaProducer.createShared(vertx, name, config);
  }
}
