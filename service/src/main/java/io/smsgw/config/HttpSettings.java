package io.smsgw.config;

/** {@code http.*}: the API port and what one connection or request may cost. */
public record HttpSettings(int port, int bodyLimitBytes, int maxPendingSends, int idleTimeoutS, long requestTimeoutMs) {

  static HttpSettings from(ConfigReader.Section s) {
    return new HttpSettings(
      s.integer("port", 0, 65535),                        // 0: a free port
      s.integer("body_limit_bytes", 1, Integer.MAX_VALUE),
      s.integer("max_pending_sends", 1, Integer.MAX_VALUE),
      s.integer("idle_timeout_s", 0, Integer.MAX_VALUE),   // 0: no idle timeout
      s.number("request_timeout_ms", 0, Integer.MAX_VALUE)); // 0: no bound
  }
}
