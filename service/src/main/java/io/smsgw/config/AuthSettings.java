package io.smsgw.config;

/** {@code auth.*}: how long API-key lookups are remembered. */
public record AuthSettings(int unknownKeyCacheSize, long unknownKeyTtlMs, long unlistenedKeyTtlMs) {

  static AuthSettings from(ConfigReader.Section s) {
    return new AuthSettings(
      s.integer("unknown_key_cache_size", 0, Integer.MAX_VALUE),  // 0: unknown keys are not remembered
      s.number("unknown_key_ttl_ms", 0, Integer.MAX_VALUE),
      s.number("unlistened_key_ttl_ms", 0, Integer.MAX_VALUE));
  }
}
