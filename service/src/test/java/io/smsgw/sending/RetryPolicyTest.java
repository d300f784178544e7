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

@DisplayName("RetryPolicy: backoff with equal jitter, a cap, an attempt budget and a deadline with a confirm reserve")
class RetryPolicyTest {

  /** 5 attempts, 100 ms doubling up to 1,600 ms, final 60 s after the 200, 15 s kept for a confirming lookup. */
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
  @DisplayName("a message is final by accepted + deadline; deadline 0 means no deadline")
  void deadline() {
    assertThat(POLICY.finalByMs(ACCEPTED)).isEqualTo(ACCEPTED + 60_000);
    RetryPolicy noDeadline = new RetryPolicy(5, 100, 1_600, 0, 15_000);
    assertThat(noDeadline.finalByMs(ACCEPTED)).isEqualTo(Long.MAX_VALUE);
    assertThat(noDeadline.sendWindowClosed(ACCEPTED, Long.MAX_VALUE - 1)).isFalse();
  }

  @Test
  @DisplayName("sends stop confirmReserveMs before the deadline, leaving time for a lookup of a send in doubt")
  void confirmReserve() {
    long lastSendAt = ACCEPTED + 60_000 - 15_000;
    assertThat(POLICY.sendWindowClosed(ACCEPTED, ACCEPTED)).isFalse();
    assertThat(POLICY.sendWindowClosed(ACCEPTED, lastSendAt)).as("exactly at the reserve").isFalse();
    assertThat(POLICY.sendWindowClosed(ACCEPTED, lastSendAt + 1)).isTrue();
    assertThat(POLICY.sendWindowClosed(ACCEPTED, ACCEPTED + 60_000)).isTrue();
  }

  @Test
  @DisplayName("a retry is allowed while attempts remain and it would start inside the send window")
  void mayRetry() {
    assertThat(POLICY.mayRetry(1, 100, ACCEPTED, ACCEPTED)).isTrue();
    assertThat(POLICY.mayRetry(4, 100, ACCEPTED, ACCEPTED)).as("the fifth attempt").isTrue();
    assertThat(POLICY.mayRetry(5, 100, ACCEPTED, ACCEPTED)).as("budget of 5 used up").isFalse();
    long now = ACCEPTED + 44_000;
    assertThat(POLICY.mayRetry(1, 1_000, ACCEPTED, now)).as("starts at the reserve's edge").isTrue();
    assertThat(POLICY.mayRetry(1, 1_001, ACCEPTED, now)).as("would start inside the reserve").isFalse();
    RetryPolicy noDeadline = new RetryPolicy(3, 100, 1_600, 0, 15_000);
    assertThat(noDeadline.mayRetry(2, 1_000_000, ACCEPTED, ACCEPTED + 10_000_000)).as("only the budget counts").isTrue();
    assertThat(noDeadline.mayRetry(3, 0, ACCEPTED, ACCEPTED)).isFalse();
  }

  @Test
  @DisplayName("of(config, lane) reads the lane's keys; the reserve is timeout + max processing + timeout + 1 s")
  void fromConfig() {
    GatewayConfig config = GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of(
      "SMSGW_PROVIDER_TIMEOUT_MS", "2000", "SMSGW_PROVIDER_MAX_PROCESSING_MS", "10000",
      "SMSGW_SENDER_VIP_MAX_ATTEMPTS", "4", "SMSGW_SENDER_VIP_BACKOFF_BASE_MS", "200",
      "SMSGW_SENDER_VIP_BACKOFF_MAX_MS", "2000", "SMSGW_SENDER_VIP_DEADLINE_MS", "60000",
      "SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "8", "SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "1000",
      "SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "60000", "SMSGW_SENDER_NORMAL_DEADLINE_MS", "900000"));
    assertThat(RetryPolicy.of(config, Priority.VIP)).isEqualTo(new RetryPolicy(4, 200, 2_000, 60_000, 15_000));
    assertThat(RetryPolicy.of(config, Priority.NORMAL)).isEqualTo(new RetryPolicy(8, 1_000, 60_000, 900_000, 15_000));
  }
}
