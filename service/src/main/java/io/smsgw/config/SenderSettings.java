package io.smsgw.config;

import io.smsgw.domain.Priority;

/** {@code sender.*}: the workers' consumers, claims and scans, and each lane's {@link LaneSettings}. */
public record SenderSettings(String groupId, int pollRecords, int sessionTimeoutMs, long claimMs, long statusFlushMs,
                             long retryScanIntervalMs, LaneSettings normal, LaneSettings vip, long sweepIntervalMs) {

  static SenderSettings from(ConfigReader.Section s) {
    return new SenderSettings(
      s.nonEmpty("group_id"),
      s.integer("poll_records", 1, Integer.MAX_VALUE),
      s.integer("session_timeout_ms", 1, Integer.MAX_VALUE),
      s.number("claim_ms", 1, Integer.MAX_VALUE),
      s.number("status_flush_ms", 1, Integer.MAX_VALUE),
      s.number("retry_scan_interval_ms", 1, Integer.MAX_VALUE),
      LaneSettings.from(s, "normal"),
      LaneSettings.from(s, "vip"),
      s.number("sweep_interval_ms", 1, Integer.MAX_VALUE));
  }

  public LaneSettings lane(Priority lane) {
    return lane == Priority.VIP ? vip : normal;
  }
}
