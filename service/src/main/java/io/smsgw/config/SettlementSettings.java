package io.smsgw.config;

/** {@code settlement.*}: the consumers that settle async accepts in PostgreSQL, and the async producer's timeout. */
public record SettlementSettings(String groupId, int maxBatch, long produceTimeoutMs) {

  static SettlementSettings from(ConfigReader.Section s) {
    return new SettlementSettings(
      s.nonEmpty("group_id"),
      s.integer("max_batch", 1, Integer.MAX_VALUE),
      s.number("produce_timeout_ms", 1, Integer.MAX_VALUE));
  }
}
