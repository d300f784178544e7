package io.smsgw;

/** Event-bus addresses: one per operation, dotted and lower case. */
public final class Addresses {

  private Addresses() {
  }

  /** {@code SmsMessage} → {@code {"outcome", "status"?}}: insert, debit and ledger in one transaction. */
  public static final String WALLET_CHARGE = "wallet.charge";
  /**
   * {@code SmsMessage} → the same answer as {@link #WALLET_CHARGE}, or {@code RESERVED}: async balance mode (and a
   * sync lane beside it), guarded by the Redis reservation; see io.smsgw.reservation.
   */
  public static final String WALLET_RESERVE = "wallet.reserve";
  /** {@code {"user_id"}}, fire and forget: PostgreSQL's balance changed (top-up); drop the cached one. */
  public static final String WALLET_CACHE_INVALIDATE = "wallet.cache.invalidate";
  /** {@code {}} → {@code {"redis": "active|draining|sync|rebuilding"}} */
  public static final String RESERVATION_HEALTH = "reservation.health";
  public static final String WALLET_BALANCE = "wallet.balance";
  public static final String WALLET_TOPUP = "wallet.topup";
  public static final String ACCOUNT_CREATE = "account.create";
  public static final String ACCOUNT_AUTHENTICATE = "account.authenticate";
  public static final String MESSAGE_STATUS = "message.status";
  /** {@code SmsMessage}, fire and forget: publish to Kafka; the outbox relay covers any failure. */
  public static final String KAFKA_PUBLISH = "kafka.publish";
  /** {@code {}} → {@code {"kafka": "up|down"}} */
  public static final String KAFKA_HEALTH = "kafka.health";
}
