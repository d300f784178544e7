package io.smsgw.status;

/** A message's status as the API shows it. */
public final class StatusSql {

  private StatusSql() {
  }

  public static String messageStatus() {
    return "SELECT message_id, user_id, status, priority, phone_number, segments, cost, accepted_at, send_at, expires_at, "
      + "published_at IS NOT NULL AS queued, sent_at, delivered_at, provider, provider_message_id, attempts, last_error, outcome_unknown, "
      + "(SELECT json_agg(json_build_object('part', d.part, 'status', d.status, 'error_code', d.error_code, 'done_at', d.done_at) "
      + "ORDER BY d.part)::text FROM delivery_reports d WHERE d.message_id = messages.message_id) AS parts, "
      + "EXISTS (SELECT 1 FROM ledger l WHERE l.message_id = messages.message_id AND l.kind = 'refund') AS refunded "
      + "FROM messages WHERE message_id = $1";
  }
}
