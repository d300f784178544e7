package io.smsgw.ratelimit;

/** The SQL of the rate limits (table user_rate_limits). */
final class RateLimitQueries {

  private RateLimitQueries() {
  }

  /**
   * Sets ($2, $3) or removes (NULL, NULL) a user's override; no row when the user does not exist. A removal stays
   * as a row with NULLs, so the pods' incremental reload sees it.
   */
  static String upsert() {
    return "INSERT INTO user_rate_limits (user_id, messages_per_second, burst, updated_at) "
      + "SELECT user_id, $2::int, $3::int, clock_timestamp() FROM users WHERE user_id = $1 "
      + "ON CONFLICT (user_id) DO UPDATE SET messages_per_second = EXCLUDED.messages_per_second, "
      + "burst = EXCLUDED.burst, updated_at = EXCLUDED.updated_at "
      + "RETURNING user_id, messages_per_second, burst, updated_at";
  }

  static String all() {
    return "SELECT user_id, messages_per_second, burst, updated_at FROM user_rate_limits";
  }

  /** Changed since $1 (minus an overlap for transactions that committed after a later one: see the verticle). */
  static String changedSince() {
    return "SELECT user_id, messages_per_second, burst, updated_at FROM user_rate_limits "
      + "WHERE updated_at > $1::timestamptz - interval '5 seconds'";
  }
}
