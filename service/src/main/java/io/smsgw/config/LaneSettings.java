package io.smsgw.config;

/**
 * One lane's retry budget and default validity ({@code sender.<lane>_*}: {@code normal_max_attempts},
 * {@code vip_validity_s} ...). {@code validityMs}: how long after acceptance (or after its send_at) a message without a
 * validity_period of its own may still be sent; it is the expires_at of the 200. {@code batchesInFlight}: how many
 * polled batches a sender of the lane may have sending at once (BatchConsumerLoop).
 */
public record LaneSettings(int maxAttempts, long backoffBaseMs, long backoffMaxMs, long validityMs, long orphanAfterMs,
                           int batchesInFlight) {

  /** The longest validity_period POST /send-sms accepts (the contract says the same): 72 hours. */
  public static final long MAX_VALIDITY_S = 259_200;

  static LaneSettings from(ConfigReader.Section s, String lane) {
    String p = lane + "_";
    return new LaneSettings(
      s.integer(p + "max_attempts", 1, Integer.MAX_VALUE),
      s.number(p + "backoff_base_ms", 0, Integer.MAX_VALUE),
      s.number(p + "backoff_max_ms", 0, Integer.MAX_VALUE),
      s.number(p + "validity_s", 1, MAX_VALIDITY_S) * 1000,
      s.number(p + "orphan_after_ms", 0, Integer.MAX_VALUE),
      s.integer(p + "batches_in_flight", 1, 64));
  }
}
