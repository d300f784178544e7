package io.smsgw.config;

/**
 * One lane's retry budget and deadlines ({@code sender.<lane>_*}: {@code normal_max_attempts}, {@code vip_deadline_ms} ...).
 * {@code deadlineMs} 0: no deadline, only the attempt budget.
 */
public record LaneSettings(int maxAttempts, long backoffBaseMs, long backoffMaxMs, long deadlineMs, long orphanAfterMs) {

  static LaneSettings from(ConfigReader.Section s, String lane) {
    String p = lane + "_";
    return new LaneSettings(
      s.integer(p + "max_attempts", 1, Integer.MAX_VALUE),
      s.number(p + "backoff_base_ms", 0, Integer.MAX_VALUE),
      s.number(p + "backoff_max_ms", 0, Integer.MAX_VALUE),
      s.number(p + "deadline_ms", 0, Integer.MAX_VALUE),
      s.number(p + "orphan_after_ms", 0, Integer.MAX_VALUE));
  }
}
