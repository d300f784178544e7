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

  /** From {@code balance.*}, whose values the configuration has already checked. */
  public static BalanceModes from(GatewayConfig config) {
    Mode normal = parse(config.balance().mode());
    String vipSetting = config.balance().vipMode();
    Mode vip = vipSetting.isBlank() ? normal : parse(vipSetting);
    return new BalanceModes(normal, vip, config.balance().reservation());
  }

  private static Mode parse(String value) {
    return Mode.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
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
