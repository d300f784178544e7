package io.smsgw.config;

/** {@code outbox.*}: the relay that re-publishes accepted messages that never reached Kafka, and the published marks. */
public record OutboxSettings(long relayIntervalMs, long relayMinAgeMs, int relayBatch, long markIntervalMs) {

  static OutboxSettings from(ConfigReader.Section s) {
    return new OutboxSettings(
      s.number("relay_interval_ms", 1, Integer.MAX_VALUE),
      s.number("relay_min_age_ms", 0, Integer.MAX_VALUE),
      s.integer("relay_batch", 1, Integer.MAX_VALUE),
      s.number("mark_interval_ms", 1, Integer.MAX_VALUE));
  }
}
