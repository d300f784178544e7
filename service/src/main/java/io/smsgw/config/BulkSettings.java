package io.smsgw.config;

/**
 * {@code bulk.*}: {@code POST /send-sms/bulk}. {@code maxInFlight} bounds the bulks a pod works on at once (beyond it
 * {@code 503 overloaded} at once, nothing charged); {@code bodyLimitBytes} is that route's own body limit (every other
 * route keeps {@code http.body_limit_bytes}); a bulk's transaction runs under {@code statementTimeoutMs}, so its answer
 * is known within that (plus a second's watchdog); the accepted messages go to the Kafka producer {@code publishChunk}
 * at a time.
 */
public record BulkSettings(int maxInFlight, int bodyLimitBytes, long statementTimeoutMs, int publishChunk) {

  static BulkSettings from(ConfigReader.Section s) {
    return new BulkSettings(
      s.integer("max_in_flight", 1, 1024),
      s.integer("body_limit_bytes", 1, Integer.MAX_VALUE),
      s.number("statement_timeout_ms", 1, Integer.MAX_VALUE),
      s.integer("publish_chunk", 1, 100_000));
  }

  /** How long the HTTP side waits for the bulk verticle: longer than the transaction and its watchdog can take. */
  public long replyTimeoutMs() {
    return statementTimeoutMs + 3_000;
  }
}
