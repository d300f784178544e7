package io.smsgw.status;

/** A message's status as the API shows it. */
public final class StatusSql {

  private StatusSql() {
  }

  public static String messageStatus() {
    return "SELECT message_id, user_id, status, priority, phone_number, segments, cost, accepted_at, send_at, expires_at, "
      // A bulk's message reached Kafka when a worker claimed it or its bulk was marked (V13__bulk_outbox.sql).
      + "published_at IS NOT NULL AND (bulk_id IS NULL OR claim_seq > 0 OR NOT EXISTS (SELECT 1 FROM bulks b "
      + "WHERE b.bulk_id = messages.bulk_id AND b.published_at IS NULL)) AS queued, sent_at, delivered_at, provider, provider_message_id, attempts, last_error, outcome_unknown, "
      + "(SELECT json_agg(json_build_object('part', d.part, 'status', d.status, 'error_code', d.error_code, 'done_at', d.done_at) "
      + "ORDER BY d.part)::text FROM delivery_reports d WHERE d.message_id = messages.message_id) AS parts, "
      + "EXISTS (SELECT 1 FROM ledger l WHERE l.message_id = messages.message_id AND l.kind = 'refund') AS refunded "
      + "FROM messages WHERE message_id = $1";
  }
}
