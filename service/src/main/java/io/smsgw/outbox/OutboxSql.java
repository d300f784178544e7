package io.smsgw.outbox;

/** The outbox: published marks, the relay's leases (of messages and of bulks), the backlog. */
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

  /** Kafka acknowledged every message of this bulk: the bulk leaves the outbox (V13__bulk_outbox.sql). */
  public static String markBulkPublished() {
    return "SELECT mark_bulk_published($1::uuid)";
  }

  /** The relay's bulks: unmarked after the grace period, leased as single messages are. */
  public static String leaseUnpublishedBulks() {
    return "SELECT bulk_id FROM lease_unpublished_bulks($1::bigint, $2::int, $3::bigint)";
  }

  /** The messages of an unmarked bulk that no worker has claimed: the ones the relay publishes again. */
  public static String bulkUnclaimedMessages() {
    return "SELECT message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at_ms "
      + "FROM bulk_unclaimed_messages($1::uuid)";
  }

  public static String releaseBulkLease() {
    return "SELECT release_bulk_lease($1::uuid)";
  }

  /** An expression: single messages not yet in Kafka, and the accepted messages of bulks not yet marked. */
  public static final String UNPUBLISHED_COUNT = "((SELECT count(*) FROM messages WHERE published_at IS NULL) "
    + "+ (SELECT coalesce(sum(accepted), 0) FROM bulks WHERE published_at IS NULL))";

  public static String unpublishedBacklog() {
    return "SELECT " + UNPUBLISHED_COUNT;
  }
}
