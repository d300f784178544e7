package io.smsgw.outbox;

/** The outbox's event-bus addresses: the Kafka publish and its health. */
public final class OutboxAddresses {

  private OutboxAddresses() {
  }

  /** {@code SmsMessage}, fire and forget: publish to Kafka; the outbox relay covers any failure. */
  public static final String KAFKA_PUBLISH = "kafka.publish";
  /**
   * {@code MessageBatch} → an empty reply once Kafka acknowledged every message of it (a failure otherwise), within the
   * pod: many committed messages at once (a bulk's chunk).
   */
  public static final String KAFKA_PUBLISH_BATCH = "kafka.publish.batch";
  /** {@code {}} → {@code {"kafka": "up|down"}} */
  public static final String KAFKA_HEALTH = "kafka.health";
}
