package io.smsgw.status;

/** A message's status as the API shows it. */
public final class StatusSql {

  private StatusSql() {
  }

  public static String messageStatus() {
    return "SELECT message_id, user_id, status, priority, phone_number, segments, cost, accepted_at, "
      + "published_at IS NOT NULL AS queued, sent_at, provider_message_id, attempts, last_error, outcome_unknown, "
      + "EXISTS (SELECT 1 FROM ledger l WHERE l.message_id = messages.message_id AND l.kind = 'refund') AS refunded "
      + "FROM messages WHERE message_id = $1";
  }
}
