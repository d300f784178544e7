package io.smsgw.sending;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.LaneSettings;
import io.smsgw.domain.Priority;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long a lane keeps trying: exponential backoff with jitter, a budget of attempts, and each message's expires_at
 * (its validity_period, or the lane's default {@code sender.<lane>_validity_s} from acceptance: for an OTP a late code
 * is worthless), after which no send starts. A message whose last send may have reached the provider unheard is still
 * looked up after its expiry, for at most {@code confirmReserveMs}: by then it is final ({@link #finalByMs}).
 */
public record RetryPolicy(int maxAttempts, long baseMs, long maxMs, long defaultValidityMs, long confirmReserveMs) {

  public static RetryPolicy of(GatewayConfig config, Priority lane) {
    LaneSettings settings = config.sender().lane(lane);
    long timeout = config.provider().timeoutMs();
    return new RetryPolicy(
      settings.maxAttempts(),
      settings.backoffBaseMs(),
      settings.backoffMaxMs(),
      settings.validityMs(),
      // the last send's own timeout, the provider's processing time, one lookup, and a second of scan slack
      timeout + config.provider().maxProcessingMs() + timeout + 1_000);
  }

  /** The wait before the next attempt, after {@code attempts} failed ones: half fixed, half random ("equal jitter"). */
  public long delayMs(int attempts) {
    long exponential = Math.min(maxMs, baseMs << Math.min(20, Math.max(0, attempts - 1)));
    return exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
  }

  /** A message's expiry: its own, or (a row from before expires_at existed: 0) the lane's default from acceptance. */
  public long expiresAtMs(long expiresAtMs, long acceptedAtMs) {
    return expiresAtMs > 0 ? expiresAtMs : acceptedAtMs + defaultValidityMs;
  }

  /** When the message must be final: its expiry, plus the time to confirm a last send that went unanswered. */
  public long finalByMs(long expiresAtMs) {
    return expiresAtMs + confirmReserveMs;
  }

  /** Whether a send starting now would start too late. */
  public boolean expired(long expiresAtMs, long nowMs) {
    return nowMs >= expiresAtMs;
  }

  /** Whether one more attempt is allowed after {@code attempts}, and would still start before the expiry. */
  public boolean mayRetry(int attempts, long delayMs, long expiresAtMs, long nowMs) {
    return attempts < maxAttempts && !expired(expiresAtMs, nowMs + delayMs);
  }
}
