package io.smsgw.wallet;

/** The wallet's event-bus addresses (local to the pod: the hot path never leaves it). */
public final class WalletAddresses {

  private WalletAddresses() {
  }

  /** {@code SmsMessage} → {@code {"outcome", "status"?}}: insert, debit and ledger in one transaction. */
  public static final String WALLET_CHARGE = "wallet.charge";
  /**
   * {@code SmsMessage} → the same answer as {@link #WALLET_CHARGE}, or {@code RESERVED}: async balance mode (and a
   * sync lane beside it), guarded by the Redis reservation; see io.smsgw.wallet.async.
   */
  public static final String WALLET_RESERVE = "wallet.reserve";
  /** {@code {"user_id"}}, fire and forget: PostgreSQL's balance changed (top-up); drop the cached one. */
  public static final String WALLET_CACHE_INVALIDATE = "wallet.cache.invalidate";
  public static final String WALLET_BALANCE = "wallet.balance";
  /**
   * {@code {"message_id", "user_id"}} → {@code {"outcome": canceled | already_canceled | not_cancelable | not_found,
   * "status"?, "refunded"?}}: cancel_message (V4__validity_and_scheduling.sql), the refund in the same transaction.
   */
  public static final String WALLET_CANCEL = "wallet.cancel";
  public static final String WALLET_TOPUP = "wallet.topup";
}
