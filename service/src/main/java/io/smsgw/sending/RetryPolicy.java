package io.smsgw.sending;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.LaneSettings;
import io.smsgw.domain.Priority;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a lane keeps trying: exponential backoff with jitter, a budget of attempts, and a deadline from the 200
 * by which every message of the lane is final ({@code sender.normal_deadline_ms}, {@code sender.vip_deadline_ms}: for
 * an OTP a late code is worthless). Sends stop early enough before the deadline that a message whose last attempt
 * is in doubt can still be looked up once the provider's maximum processing time has passed ({@code confirmReserveMs}).
 */
public record RetryPolicy(int maxAttempts, long baseMs, long maxMs, long deadlineMs, long confirmReserveMs) {

  public static RetryPolicy of(GatewayConfig config, Priority lane) {
    LaneSettings settings = config.sender().lane(lane);
    long timeout = config.provider().timeoutMs();
    return new RetryPolicy(
      settings.maxAttempts(),
      settings.backoffBaseMs(),
      settings.backoffMaxMs(),
      settings.deadlineMs(),
      // the last send's own timeout, the provider's processing time, one lookup, and a second of scan slack
      timeout + config.provider().maxProcessingMs() + timeout + 1_000);
  }

  /** The wait before the next attempt, after {@code attempts} failed ones: half fixed, half random ("equal jitter"). */
  public long delayMs(int attempts) {
    long exponential = Math.min(maxMs, baseMs << Math.min(20, Math.max(0, attempts - 1)));
    return exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
  }

  /** When the message must be final ({@code deadlineMs} 0: no deadline, only the attempt budget). */
  public long finalByMs(long acceptedAtMs) {
    return deadlineMs <= 0 ? Long.MAX_VALUE : acceptedAtMs + deadlineMs;
  }

  /** Whether a send starting now would leave too little time to confirm its outcome before the deadline. */
  public boolean sendWindowClosed(long acceptedAtMs, long nowMs) {
    return deadlineMs > 0 && nowMs > finalByMs(acceptedAtMs) - confirmReserveMs;
  }

  /** Whether one more attempt is allowed after {@code attempts}, and would still start inside the send window. */
  public boolean mayRetry(int attempts, long delayMs, long acceptedAtMs, long nowMs) {
    return attempts < maxAttempts && !sendWindowClosed(acceptedAtMs, nowMs + delayMs);
  }
}
