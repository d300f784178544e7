package io.smsgw.sending;

import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.Priority;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("RetryPolicy: backoff with equal jitter, a cap, an attempt budget and an expiry with a confirm reserve")
class RetryPolicyTest {

  /** 5 attempts, 100 ms doubling up to 1,600 ms, a default validity of 60 s, 15 s kept for a confirming lookup. */
  private static final RetryPolicy POLICY = new RetryPolicy(5, 100, 1_600, 60_000, 15_000);
  private static final long ACCEPTED = 1_000_000;

  @ParameterizedTest(name = "after {0} failed attempt(s) the wait is in [{1}, {2}] ms")
  @DisplayName("the wait doubles per attempt, half of it fixed and half random, and stops growing at the cap")
  @CsvSource({
    "0, 50, 100",      // before any attempt counts as the first
    "1, 50, 100",
    "2, 100, 200",
    "3, 200, 400",
    "4, 400, 800",
    "5, 800, 1600",
    "6, 800, 1600",    // capped at maxMs
    "40, 800, 1600",   // no overflow of the shift
    "2147483647, 800, 1600"})
  void backoffGrowsUpToTheCap(int attempts, long min, long max) {
    for (int i = 0; i < 200; i++) {
      assertThat(POLICY.delayMs(attempts)).isBetween(min, max);
    }
  }

  @RepeatedTest(3)
  @DisplayName("the random half really varies (equal jitter), so a burst of failures does not retry in lockstep")
  void jitterVaries() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 100; i++) seen.add(POLICY.delayMs(5));
    assertThat(seen).hasSizeGreaterThan(10);
  }

  @Test
  @DisplayName("a message's expiry is its own, else the lane's default validity from acceptance; final by expiry + reserve")
  void expiry() {
    assertThat(POLICY.expiresAtMs(ACCEPTED + 5_000, ACCEPTED)).isEqualTo(ACCEPTED + 5_000);
    assertThat(POLICY.expiresAtMs(0, ACCEPTED)).as("a row from before expires_at existed").isEqualTo(ACCEPTED + 60_000);
    assertThat(POLICY.finalByMs(ACCEPTED + 5_000)).isEqualTo(ACCEPTED + 20_000);
  }

  @Test
  @DisplayName("no send starts at or after the expiry")
  void expired() {
    long expiresAt = ACCEPTED + 5_000;
    assertThat(POLICY.expired(expiresAt, ACCEPTED)).isFalse();
    assertThat(POLICY.expired(expiresAt, expiresAt - 1)).isFalse();
    assertThat(POLICY.expired(expiresAt, expiresAt)).isTrue();
  }

  @Test
  @DisplayName("a retry is allowed while attempts remain and it would start before the expiry")
  void mayRetry() {
    long expiresAt = ACCEPTED + 60_000;
    assertThat(POLICY.mayRetry(1, 100, expiresAt, ACCEPTED)).isTrue();
    assertThat(POLICY.mayRetry(4, 100, expiresAt, ACCEPTED)).as("the fifth attempt").isTrue();
    assertThat(POLICY.mayRetry(5, 100, expiresAt, ACCEPTED)).as("budget of 5 used up").isFalse();
    long now = ACCEPTED + 59_000;
    assertThat(POLICY.mayRetry(1, 999, expiresAt, now)).as("starts just before the expiry").isTrue();
    assertThat(POLICY.mayRetry(1, 1_000, expiresAt, now)).as("would start at the expiry").isFalse();
  }

  @Test
  @DisplayName("of(config, lane) reads the lane's keys; the reserve is timeout + max processing + timeout + 1 s")
  void fromConfig() {
    GatewayConfig config = GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of(
      "SMSGW_PROVIDER_TIMEOUT_MS", "2000", "SMSGW_PROVIDER_MAX_PROCESSING_MS", "10000",
      "SMSGW_SENDER_VIP_MAX_ATTEMPTS", "4", "SMSGW_SENDER_VIP_BACKOFF_BASE_MS", "200",
      "SMSGW_SENDER_VIP_BACKOFF_MAX_MS", "2000", "SMSGW_SENDER_VIP_VALIDITY_S", "60",
      "SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "8", "SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "1000",
      "SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "60000", "SMSGW_SENDER_NORMAL_VALIDITY_S", "900"));
    assertThat(RetryPolicy.of(config, Priority.VIP)).isEqualTo(new RetryPolicy(4, 200, 2_000, 60_000, 15_000));
    assertThat(RetryPolicy.of(config, Priority.NORMAL)).isEqualTo(new RetryPolicy(8, 1_000, 60_000, 900_000, 15_000));
  }
}
