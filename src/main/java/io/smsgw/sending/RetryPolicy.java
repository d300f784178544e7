package io.smsgw.sending;

import io.smsgw.config.GatewayConfig;
import io.smsgw.sms.Priority;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a lane keeps trying after transient failures: exponential backoff with jitter, a budget of
 * attempts, and for VIP (OTP) a deadline after which a late code is worthless and the message fails (and is
 * refunded) instead.
 */
public record RetryPolicy(int maxAttempts, long baseMs, long maxMs, long deadlineMs) {

  public static RetryPolicy of(GatewayConfig config, Priority lane) {
    String p = lane == Priority.VIP ? "vip_" : "normal_";
    return new RetryPolicy(
      config.integer("sender", p + "max_attempts"),
      config.number("sender", p + "backoff_base_ms"),
      config.number("sender", p + "backoff_max_ms"),
      lane == Priority.VIP ? config.number("sender", "vip_deadline_ms") : 0);
  }

  /** The wait before the next attempt, after {@code attempts} failed ones: half fixed, half random ("equal jitter"). */
  public long delayMs(int attempts) {
    long exponential = Math.min(maxMs, baseMs << Math.min(20, Math.max(0, attempts - 1)));
    return exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
  }

  public boolean pastDeadline(long acceptedAtMs, long nowMs) {
    return deadlineMs > 0 && nowMs - acceptedAtMs > deadlineMs;
  }

  /** Whether one more attempt is allowed after {@code attempts}, and would still start before the deadline. */
  public boolean mayRetry(int attempts, long delayMs, long acceptedAtMs, long nowMs) {
    return attempts < maxAttempts && !pastDeadline(acceptedAtMs, nowMs + delayMs);
  }
}
