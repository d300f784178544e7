package io.smsgw.wallet.async;

/** How much longer than a plain charge the reservation path may take to answer (Redis, then Kafka, then PostgreSQL). */
public final class ReservationTimeouts {

  /** Redis round trips (seed and retries, at most redis.timeout_ms each) and the sms.accepted produce before the charge. */
  public static final long EXTRA_MS = 8_000;

  private ReservationTimeouts() {
  }
}
