package io.smsgw.config;

/**
 * {@code webhooks.*}: which callback URLs are allowed, and how the worker's dispatcher delivers status events (timeout,
 * lease, retries with backoff until {@code retry_for_s}, concurrency overall and per receiver host), and how long settled
 * events are kept.
 */
public record WebhookSettings(boolean allowHttp, boolean allowPrivate, boolean allowLoopback, long retryForS,
                              long backoffBaseMs, long backoffMaxMs, long timeoutMs, long leaseMs, int maxInFlight,
                              int maxPerHost, int batch, long pollIntervalMs, long keepDeliveredS, long keepDeadS,
                              long purgeIntervalMs) {

  static WebhookSettings from(ConfigReader.Section s) {
    return new WebhookSettings(
      s.onOff("allow_http", null),
      s.onOff("allow_private", null),
      s.onOff("allow_loopback", null),
      s.number("retry_for_s", 0, 30L * 86_400),
      s.number("backoff_base_ms", 1, Integer.MAX_VALUE),
      s.number("backoff_max_ms", 1, Integer.MAX_VALUE),
      s.number("timeout_ms", 100, 60_000),
      s.number("lease_ms", 1_000, Integer.MAX_VALUE),
      s.integer("max_in_flight", 1, 10_000),
      s.integer("max_per_host", 1, 10_000),
      s.integer("batch", 1, 10_000),
      s.number("poll_interval_ms", 1, 60_000),
      s.number("keep_delivered_s", 60, 366L * 86_400),
      s.number("keep_dead_s", 60, 366L * 86_400),
      s.number("purge_interval_ms", 100, 3_600_000));
  }
}
