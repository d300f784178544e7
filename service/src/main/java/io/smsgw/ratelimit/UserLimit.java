package io.smsgw.ratelimit;

/**
 * A rate limit: {@code perSecond} messages per second on average, at most {@code burst} at once (a full bucket).
 * {@link #NONE} (0) is no limit. Limits are counted per {@code POST /send-sms} request that passed validation,
 * whatever its answer after the check (200, 400 or 503 all used the slot).
 */
public record UserLimit(int perSecond, int burst) {

  public static final int MAX_PER_SECOND = 100_000;
  public static final int MAX_BURST = 1_000_000;
  public static final UserLimit NONE = new UserLimit(0, 0);

  public UserLimit {
    if (perSecond < 0 || perSecond > MAX_PER_SECOND) throw new IllegalArgumentException("messages_per_second out of range: " + perSecond);
    if (perSecond == 0) {
      burst = 0;
    } else if (burst <= 0) {
      burst = perSecond;  // no burst given: one second's worth
    }
    if (burst > MAX_BURST) throw new IllegalArgumentException("burst out of range: " + burst);
  }

  /** The default from conf: {@code rate_limit.default_messages_per_second} and {@code default_burst} (0 = the rate). */
  public static UserLimit of(long perSecond, long burst) {
    return new UserLimit((int) perSecond, (int) burst);
  }

  public boolean unlimited() {
    return perSecond == 0;
  }

  /** The time between two messages at the average rate (the GCRA emission interval), in nanoseconds. */
  public long intervalNanos() {
    return (1_000_000_000L + perSecond - 1) / perSecond;
  }

  /** This limit split over {@code pods} pods that each enforce it alone (rate / pods, burst / pods, at least 1). */
  public UserLimit perPod(int pods) {
    if (pods <= 1 || unlimited()) return this;
    return new UserLimit(Math.max(1, perSecond / pods), Math.max(1, burst / pods));
  }
}
