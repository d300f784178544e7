package io.smsgw.ratelimit;

/**
 * The generic cell rate algorithm (a token bucket kept as one number): the theoretical arrival time {@code tat}
 * of the next message. A message at {@code now} is allowed when {@code max(tat, now) + interval - burst × interval
 * <= now}; it then moves {@code tat} on by one interval. {@code burst} messages pass at once from an idle state,
 * then one per interval. The same arithmetic runs in Redis ({@link RedisRateLimit}) in microseconds.
 */
final class Gcra {

  private Gcra() {
  }

  /** A decision: allowed with the new tat, or refused with the wait (ns) until one more message would pass. */
  record Decision(boolean allowed, long tat, long waitNanos) {
  }

  static Decision admit(long tat, long now, long intervalNanos, int burst) {
    long start = Math.max(tat, now);
    long next = start + intervalNanos;
    long allowAt = next - burst * intervalNanos;
    if (allowAt > now) return new Decision(false, tat, allowAt - now);
    return new Decision(true, next, 0);
  }

  /** Retry-After in whole seconds: rounded up, at least 1. */
  static long retryAfterSeconds(long waitNanos) {
    return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
  }
}
