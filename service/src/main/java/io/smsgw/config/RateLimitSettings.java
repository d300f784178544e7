package io.smsgw.config;

import io.smsgw.ratelimit.UserLimit;

/** {@code rate_limit.*}: the default per-user limit (0: none) and how the pods share the limits through Redis. */
public record RateLimitSettings(int defaultMessagesPerSecond, int defaultBurst, long reloadIntervalMs, long redisTimeoutMs,
                                long redisRetryMs, int localPods) {

  static RateLimitSettings from(ConfigReader.Section s) {
    return new RateLimitSettings(
      s.integer("default_messages_per_second", 0, UserLimit.MAX_PER_SECOND),  // 0: no limit
      s.integer("default_burst", 0, UserLimit.MAX_BURST),                     // 0: the rate
      s.number("reload_interval_ms", 1, Integer.MAX_VALUE),
      s.number("redis_timeout_ms", 1, Integer.MAX_VALUE),
      s.number("redis_retry_ms", 0, Integer.MAX_VALUE),
      s.integer("local_pods", 1, Integer.MAX_VALUE));
  }
}
