package io.smsgw.webhook;

import io.smsgw.config.WebhookSettings;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The delay before the next delivery after the {@code n}-th failed attempt: {@code min(max, base × 2^(n−1))}, half of it
 * fixed and half random (jitter, so receivers that come back are not hit by every event at once). With the defaults:
 * 5 s, 10 s, 20 s … up to 1 h, for {@code webhooks.retry_for_s} (24 h) from the event's creation.
 */
public final class WebhookBackoff {

  private final long baseMs;
  private final long maxMs;

  public WebhookBackoff(long baseMs, long maxMs) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
  }

  public static WebhookBackoff of(WebhookSettings settings) {
    return new WebhookBackoff(settings.backoffBaseMs(), settings.backoffMaxMs());
  }

  /** The full delay (before jitter) after failed attempt {@code attempt} (1 for the first). */
  public long ceilingMs(int attempt) {
    int doublings = Math.min(Math.max(attempt, 1) - 1, 40);
    double delay = baseMs * Math.pow(2, doublings);
    return (long) Math.min(maxMs, delay);
  }

  /** The delay to wait: between half the ceiling and the ceiling. */
  public long delayMs(int attempt) {
    long ceiling = ceilingMs(attempt);
    long half = ceiling / 2;
    return half + (ceiling - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling - half + 1));
  }
}
