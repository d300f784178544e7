package io.smsgw.outbox;

/** The outbox: published marks, the relay's leases, the backlog. */
public final class OutboxSql {

  private OutboxSql() {
  }

  /** Kafka acknowledged these records: they leave the outbox. */
  public static String markPublished() {
    return "SELECT mark_published($1::uuid[])";
  }

  /**
   * The relay's work: accepted rows that Kafka has not acknowledged after a grace period, leased (not locked) for the
   * length of a send, so several gateway pods relay at once without publishing the same row twice, and no worker's
   * claim waits behind a relay that waits for Kafka.
   */
  public static String leaseUnpublished() {
    return "SELECT message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at_ms "
      + "FROM lease_unpublished($1::bigint, $2::int, $3::bigint)";
  }

  /** A relay round's rows that Kafka did not acknowledge: their lease is given back for the next round. */
  public static String releaseRelayLease() {
    return "SELECT release_relay_lease($1::uuid[])";
  }

  public static String unpublishedBacklog() {
    return "SELECT count(*) FROM messages WHERE published_at IS NULL";
  }
}
