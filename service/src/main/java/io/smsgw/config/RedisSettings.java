package io.smsgw.config;

/** {@code redis.*}: the reservation store (async mode) and the shared rate limits. An empty url: no Redis. */
public record RedisSettings(String url, int timeoutMs, int poolSize, int poolWaiting, String keyPrefix, long markerTtlS,
                            long cacheTtlS, long drainGraceMs, long probeIntervalMs) {

  static RedisSettings from(ConfigReader.Section s) {
    return new RedisSettings(
      s.string("url"),
      s.integer("timeout_ms", 1, Integer.MAX_VALUE),
      s.integer("pool_size", 1, Integer.MAX_VALUE),
      s.integer("pool_waiting", 0, Integer.MAX_VALUE),
      s.nonEmpty("key_prefix"),
      s.number("marker_ttl_s", 1, Integer.MAX_VALUE),
      s.number("cache_ttl_s", 1, Integer.MAX_VALUE),
      s.number("drain_grace_ms", 0, Integer.MAX_VALUE),
      s.number("probe_interval_ms", 1, Integer.MAX_VALUE));
  }
}
