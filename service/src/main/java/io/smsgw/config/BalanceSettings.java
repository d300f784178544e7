package io.smsgw.config;

/**
 * {@code balance.*}: {@code mode} is "sync" or "async"; {@code vipMode} is "", "sync" or "async" (empty: the same as
 * {@code mode}); {@code reservation} is also set by {@code SMSGW_RESERVATION}, which wins over
 * {@code SMSGW_BALANCE_RESERVATION}. The wallet's BalanceModes turns these into its modes.
 */
public record BalanceSettings(String mode, boolean reservation, String vipMode, long unreservedCacheMs) {

  /** The customer's name for {@code balance.reservation}, the one override not of the SECTION_KEY form. */
  static final String RESERVATION_ALIAS = "SMSGW_RESERVATION";

  static BalanceSettings from(ConfigReader.Section s) {
    return new BalanceSettings(
      s.oneOf("mode", "sync", "async"),
      s.onOff("reservation", RESERVATION_ALIAS),
      s.oneOf("vip_mode", "", "sync", "async"),
      s.number("unreserved_cache_ms", 0, Integer.MAX_VALUE));
  }
}
