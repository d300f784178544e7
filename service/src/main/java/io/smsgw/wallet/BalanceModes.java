package io.smsgw.wallet;

import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.Priority;

/**
 * How each lane's charge is decided (conf {@code balance.*}): {@code sync}, PostgreSQL on the request path; or
 * {@code async}, accepted without a PostgreSQL write and settled shortly after, guarded by a Redis reservation
 * unless {@code balance.reservation} is off. {@code balance.vip_mode} overrides the mode for VIP traffic; empty
 * means the same as {@code balance.mode}.
 */
public record BalanceModes(Mode normal, Mode vip, boolean reservation) {

  public enum Mode { SYNC, ASYNC }

  public static BalanceModes from(GatewayConfig config) {
    Mode normal = parse("balance.mode", config.string("balance", "mode"));
    String vipSetting = config.string("balance", "vip_mode");
    Mode vip = vipSetting.isBlank() ? normal : parse("balance.vip_mode", vipSetting);
    String reservation = config.string("balance", "reservation").trim().toLowerCase(java.util.Locale.ROOT);
    boolean on = switch (reservation) {
      case "on", "true", "yes", "" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalStateException("balance.reservation must be on or off, not '" + reservation + "'");
    };
    return new BalanceModes(normal, vip, on);
  }

  private static Mode parse(String key, String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "sync" -> Mode.SYNC;
      case "async" -> Mode.ASYNC;
      default -> throw new IllegalStateException(key + " must be sync or async, not '" + value + "'");
    };
  }

  public Mode of(Priority priority) {
    return priority == Priority.VIP ? vip : normal;
  }

  public boolean anyAsync() {
    return normal == Mode.ASYNC || vip == Mode.ASYNC;
  }

  /** Redis is in play when some lane is async with reservation; a sync lane then also keeps the cache in step. */
  public boolean usesRedis() {
    return anyAsync() && reservation;
  }

  @Override
  public String toString() {
    return "normal " + normal.name().toLowerCase(java.util.Locale.ROOT) + ", vip " + vip.name().toLowerCase(java.util.Locale.ROOT)
      + (anyAsync() ? ", reservation " + (reservation ? "on" : "off") : "");
  }
}
