package io.smsgw.bench;

/** Queries only the benchmarks run. */
public final class BenchSql {

  private BenchSql() {
  }

  /**
   * Settlement lag of async messages (time from the 200 to the PostgreSQL charge), in ms: count, p50, p99, max,
   * over the messages accepted in the last $1 seconds.
   */
  public static String settlementLag() {
    return "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), percentile_cont(0.99) WITHIN GROUP (ORDER BY lag), max(lag) "
      + "FROM (SELECT extract(epoch FROM settled_at - accepted_at) * 1000 AS lag FROM messages "
      + "WHERE settled_at IS NOT NULL AND accepted_at > now() - make_interval(secs => $1::float8)) s";
  }

  /** Status webhook events still to send (the dispatcher's work list: a partial index holds only these). */
  public static final String WEBHOOK_EVENTS_PENDING = "SELECT count(*) FROM webhook_events WHERE status = 'pending'";
  /** Events the dispatcher gave up on (retried for webhooks.retry_for_s, or no secret to sign with). */
  public static final String WEBHOOK_EVENTS_DEAD = "SELECT count(*) FROM webhook_events WHERE status = 'dead'";
  public static final String WEBHOOKS_REGISTERED = "SELECT count(*) FROM webhooks";

  /** A user's webhook as PUT /webhook stores it: user_id, url, secret (JDBC placeholders). */
  public static final String REGISTER_WEBHOOK = "INSERT INTO webhooks (user_id, url, secret) VALUES (?::uuid, ?, ?)";
}
