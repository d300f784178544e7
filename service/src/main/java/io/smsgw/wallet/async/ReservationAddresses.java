package io.smsgw.wallet.async;

/** The async balance mode's event-bus addresses. */
public final class ReservationAddresses {

  private ReservationAddresses() {
  }

  /** {@code {}} → {@code {"redis": "active|draining|sync|rebuilding"}} */
  public static final String RESERVATION_HEALTH = "reservation.health";
}
