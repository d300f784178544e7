package io.smsgw.ratelimit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Rate-limit arithmetic: GCRA cells, Retry-After rounding, limits and their per-pod share")
class GcraTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  @DisplayName("From idle, burst messages pass at once, then one per interval; the wait is until the next slot")
  void burstThenRate() {
    UserLimit limit = new UserLimit(5, 5);
    LocalBuckets buckets = new LocalBuckets();
    UUID user = UUID.randomUUID();
    long now = 1_000 * SECOND;
    for (int i = 0; i < 5; i++) assertThat(buckets.acquire(user, limit, now)).isZero();
    long wait = buckets.acquire(user, limit, now);
    assertThat(wait).isEqualTo(SECOND / 5);
    assertThat(buckets.acquire(user, limit, now + SECOND / 5 - 1)).isPositive();
    assertThat(buckets.acquire(user, limit, now + SECOND / 5)).isZero();
    assertThat(buckets.acquire(user, limit, now + SECOND / 5)).isEqualTo(SECOND / 5);
    // after a quiet second the bucket is full again, and no fuller than burst
    long later = now + 10 * SECOND;
    for (int i = 0; i < 5; i++) assertThat(buckets.acquire(user, limit, later)).isZero();
    assertThat(buckets.acquire(user, limit, later)).isPositive();
  }

  @Test
  @DisplayName("Over any window of t seconds at most burst + rate × t messages pass")
  void boundOverAWindow() {
    UserLimit limit = new UserLimit(5, 5);
    LocalBuckets buckets = new LocalBuckets();
    UUID user = UUID.randomUUID();
    long start = 7 * SECOND;
    int passed = 0;
    for (long t = start; t < start + 2 * SECOND; t += SECOND / 1000) {  // 2,000 attempts over 2 s
      if (buckets.acquire(user, limit, t) == 0) passed++;
    }
    assertThat(passed).isBetween(14, 15);
  }

  @Test
  @DisplayName("A burst of 1 spaces messages evenly; users do not share cells")
  void burstOneAndUsersApart() {
    UserLimit limit = new UserLimit(10, 1);
    LocalBuckets buckets = new LocalBuckets();
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    assertThat(buckets.acquire(a, limit, SECOND)).isZero();
    assertThat(buckets.acquire(a, limit, SECOND)).isEqualTo(SECOND / 10);
    assertThat(buckets.acquire(b, limit, SECOND)).isZero();
  }

  @Test
  @DisplayName("Idle cells are dropped without changing any decision")
  void dropIdle() {
    UserLimit limit = new UserLimit(5, 5);
    LocalBuckets buckets = new LocalBuckets();
    UUID user = UUID.randomUUID();
    for (int i = 0; i < 5; i++) buckets.acquire(user, limit, SECOND);
    buckets.dropIdle(SECOND + SECOND / 2);
    assertThat(buckets.size()).isEqualTo(1);  // not full yet: kept
    assertThat(buckets.acquire(user, limit, SECOND + SECOND / 2)).isZero();  // 2.5 slots came back
    buckets.dropIdle(10 * SECOND);
    assertThat(buckets.size()).isZero();
  }

  @Test
  @DisplayName("Retry-After is whole seconds, rounded up, at least 1")
  void retryAfter() {
    assertThat(Gcra.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(Gcra.retryAfterSeconds(SECOND / 5)).isEqualTo(1);
    assertThat(Gcra.retryAfterSeconds(SECOND)).isEqualTo(1);
    assertThat(Gcra.retryAfterSeconds(SECOND + 1)).isEqualTo(2);
  }

  @Test
  @DisplayName("Burst defaults to the rate; 0 is no limit; bounds; the per-pod share without Redis")
  void limits() {
    assertThat(new UserLimit(5, 0).burst()).isEqualTo(5);
    assertThat(UserLimit.of(0, 7)).isEqualTo(UserLimit.NONE);
    assertThat(UserLimit.NONE.unlimited()).isTrue();
    assertThat(new UserLimit(3, 3).intervalNanos()).isEqualTo(333_333_334L);
    assertThatThrownBy(() -> new UserLimit(100_001, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UserLimit(-1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new UserLimit(10, 20).perPod(2)).isEqualTo(new UserLimit(5, 10));
    assertThat(new UserLimit(1, 1).perPod(3)).isEqualTo(new UserLimit(1, 1));
    assertThat(new UserLimit(10, 20).perPod(1)).isEqualTo(new UserLimit(10, 20));
  }
}
