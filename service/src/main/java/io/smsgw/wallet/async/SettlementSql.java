package io.smsgw.wallet.async;

/** The async mode's SQL: settlement batches and what they need. */
public final class SettlementSql {

  private SettlementSql() {
  }

  /** One settlement batch (async balance mode); see settle_messages in the baseline migration (V4 has its live version). */
  public static String settleMessages() {
    return "SELECT o_message_id, o_outcome FROM settle_messages("
      + "$1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::jsonb, $10::bigint[])";
  }

  /**
   * An async message PostgreSQL refused as it was (settlement isolates it): stored as rejected and never charged, like
   * one the wallet could not pay for, so the invariant check expects no refund for it.
   */
  public static String rejectUnstorable() {
    return "INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at, "
      + "settled_at, status, last_error, published_at, rejected_at_settlement) "
      + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::bigint / 1000.0), now(), 'rejected', $10, now(), true) "
      + "ON CONFLICT (message_id) DO NOTHING";
  }

  /** The owner and status of a message, for the answer to a duplicate message_id. */
  public static String messageOwnerAndStatus() {
    return "SELECT user_id, status FROM messages WHERE message_id = $1";
  }
}
