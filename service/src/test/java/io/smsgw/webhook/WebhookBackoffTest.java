package io.smsgw.webhook;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Webhook backoff: 5 s doubling to 1 h, half fixed and half random, at least 24 h of retries")
class WebhookBackoffTest {

  final WebhookBackoff backoff = new WebhookBackoff(5_000, 3_600_000);

  @Test
  @DisplayName("ceilings double from the base and stop at the cap; delays stay between half the ceiling and the ceiling")
  void ceilings() {
    assertThat(backoff.ceilingMs(1)).isEqualTo(5_000);
    assertThat(backoff.ceilingMs(2)).isEqualTo(10_000);
    assertThat(backoff.ceilingMs(3)).isEqualTo(20_000);
    assertThat(backoff.ceilingMs(10)).isEqualTo(2_560_000);
    assertThat(backoff.ceilingMs(11)).isEqualTo(3_600_000);
    assertThat(backoff.ceilingMs(500)).isEqualTo(3_600_000);
    for (int attempt = 1; attempt < 40; attempt++) {
      for (int i = 0; i < 50; i++) {
        long d = backoff.delayMs(attempt);
        assertThat(d).isBetween(backoff.ceilingMs(attempt) / 2, backoff.ceilingMs(attempt));
      }
    }
  }

  @Test
  @DisplayName("24 h of the longest delays is at least 24 attempts, and the first hour about 10")
  void attemptsInADay() {
    long t = 0;
    int attempts = 0;
    while (t < 86_400_000L) {
      attempts++;
      t += backoff.ceilingMs(attempts);
    }
    assertThat(attempts).isGreaterThanOrEqualTo(24);
  }
}
