package io.smsgw;

/** Event-bus addresses: one per operation, dotted and lower case. */
public final class Addresses {

  private Addresses() {
  }

  /** {@code SmsMessage} → {@code {"outcome", "status"?}}: insert, debit and ledger in one transaction. */
  public static final String WALLET_CHARGE = "wallet.charge";
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
