package io.smsgw.webhook;

/** The webhook statements (the tables, the trigger and the functions are in the V3 migration). */
final class WebhookSql {

  private WebhookSql() {
  }

  /** A new URL and secret, or the user's first webhook. */
  static String put() {
    return "INSERT INTO webhooks (user_id, url, secret) VALUES ($1, $2, $3) "
      + "ON CONFLICT (user_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, updated_at = now() "
      + "RETURNING url, created_at, updated_at";
  }

  static String get() {
    return "SELECT url, created_at, updated_at FROM webhooks WHERE user_id = $1";
  }

  static String delete() {
    return "DELETE FROM webhooks WHERE user_id = $1 RETURNING user_id";
  }

  /** $1 user, $2 status or NULL for every status, $3 limit. */
  static String events() {
    return "SELECT event_id, message_id, url, status, attempts, last_error, created_at, last_attempt_at, delivered_at, payload "
      + "FROM webhook_events WHERE user_id = $1 AND ($2::text IS NULL OR status = $2::text) "
      + "ORDER BY created_at DESC LIMIT $3";
  }

  /** $1 limit, $2 lease ms, $3 hosts with no room, $4 hosts with room, $5 their rooms, $6 any other host's room (V5). */
  static String claim() {
    return "SELECT event_id, claim_seq, attempts, url, host, payload, secret, created_at_ms "
      + "FROM claim_webhook_events($1::int, $2::bigint, $3::text[], $4::text[], $5::int[], $6::int)";
  }

  /** $1 ids, $2 claim tokens, $3 kinds, $4 errors, $5 delays ms, $6 retry_for_s. */
  static String record() {
    return "SELECT record_webhook_results($1::uuid[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::bigint) AS changed";
  }

  /** $1 keep delivered s, $2 keep dead s, $3 limit (V7). */
  static String purge() {
    return "SELECT purge_webhook_events($1::bigint, $2::bigint, $3::int) AS deleted";
  }
}
