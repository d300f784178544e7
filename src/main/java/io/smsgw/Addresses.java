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
  /** {@code {"user_id"}} → {@code {"key_id", "api_key", "created_at"}}, or failure 404 (no such user). */
  public static final String ACCOUNT_KEY_CREATE = "account.key.create";
  /** {@code {"user_id", "key_id"}} → {@code {}}, or failure 404 (that user has no such key). */
  public static final String ACCOUNT_KEY_REVOKE = "account.key.revoke";
  /** Published in the pod: {@code {"revoked": key hash base64}} or {@code {"listening": bool}} (revocations reach us or not). */
  public static final String ACCOUNT_KEYS_CHANGED = "account.keys.changed";
  /** {@code {}} → {@code {"listening": bool}}: whether the pod's revocation listener is subscribed now. */
  public static final String ACCOUNT_KEYS_LISTENING = "account.keys.listening";
  public static final String MESSAGE_STATUS = "message.status";
  /** {@code SmsMessage}, fire and forget: publish to Kafka; the outbox relay covers any failure. */
  public static final String KAFKA_PUBLISH = "kafka.publish";
  /** {@code {}} → {@code {"kafka": "up|down"}} */
  public static final String KAFKA_HEALTH = "kafka.health";
}
