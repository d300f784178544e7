package io.smsgw.config;

/**
 * {@code charge.*}: the group commit of the sync accept path. Every bound is positive: a zero queue deadline or
 * statement timeout (PostgreSQL's 0 is "no timeout") would make a "not charged" answer untrue.
 */
public record ChargeSettings(int maxBatch, int maxInFlightBatches, int maxQueue, long queueDeadlineMs, long statementTimeoutMs) {

  static ChargeSettings from(ConfigReader.Section s) {
    return new ChargeSettings(
      s.integer("max_batch", 1, Integer.MAX_VALUE),
      s.integer("max_in_flight_batches", 1, Integer.MAX_VALUE),
      s.integer("max_queue", 1, Integer.MAX_VALUE),
      s.number("queue_deadline_ms", 1, Integer.MAX_VALUE),
      s.number("statement_timeout_ms", 1, Integer.MAX_VALUE));
  }
}
