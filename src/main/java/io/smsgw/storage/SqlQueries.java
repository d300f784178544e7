package io.smsgw.storage;

/** Every SQL statement of the gateway, one method each, so the data access reads at a glance. */
public final class SqlQueries {

  private SqlQueries() {
  }

  /** One batch of the accept path; see V1__accept_path.sql. */
  public static String acceptMessages() {
    return "SELECT o_message_id, o_outcome, o_status, o_owner FROM accept_messages("
      + "$1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[])";
  }

  /** One settlement batch (async balance mode); see V7__settlement.sql. */
  public static String settleMessages() {
    return "SELECT o_message_id, o_outcome FROM settle_messages("
      + "$1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::bigint[])";
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

  /**
   * Settlement lag of async messages (time from the 200 to the PostgreSQL charge), in ms: count, p50, p99, max,
   * over the messages accepted in the last $1 seconds.
   */
  public static String settlementLag() {
    return "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), percentile_cont(0.99) WITHIN GROUP (ORDER BY lag), max(lag) "
      + "FROM (SELECT extract(epoch FROM settled_at - accepted_at) * 1000 AS lag FROM messages "
      + "WHERE settled_at IS NOT NULL AND accepted_at > now() - make_interval(secs => $1::float8)) s";
  }

  public static String balance() {
    return "SELECT balance FROM wallets WHERE user_id = $1";
  }

  /**
   * Ledger row and credit in one statement, so they commit together. The ledger row comes first: with a
   * {@code topup_id} ($3) used before, it is not inserted and nothing is credited. One row: the new balance (NULL
   * when nothing was credited) and whether the wallet exists.
   */
  public static String topUp() {
    return "WITH l AS (INSERT INTO ledger (user_id, kind, amount, topup_id) "
      + "SELECT user_id, 'topup', $2, $3 FROM wallets WHERE user_id = $1 "
      + "ON CONFLICT (topup_id) WHERE topup_id IS NOT NULL DO NOTHING RETURNING user_id), "
      + "w AS (UPDATE wallets SET balance = balance + $2, updated_at = now() WHERE user_id IN (SELECT user_id FROM l) "
      + "RETURNING balance) "
      + "SELECT (SELECT balance FROM w) AS balance, EXISTS (SELECT 1 FROM wallets WHERE user_id = $1) AS wallet_exists";
  }

  /** The top-up that first used a {@code topup_id}. */
  public static String topUpById() {
    return "SELECT user_id, amount FROM ledger WHERE topup_id = $1";
  }

  /** User, wallet and the opening top-up in one statement. */
  public static String createUser() {
    return "WITH u AS (INSERT INTO users (user_id, name) VALUES ($1, $2) "
      + "ON CONFLICT DO NOTHING RETURNING user_id), "
      + "k AS (INSERT INTO api_keys (key_id, user_id, key_hash) SELECT $5, user_id, $3 FROM u), "
      + "w AS (INSERT INTO wallets (user_id, balance) SELECT user_id, $4 FROM u RETURNING user_id, balance), "
      + "l AS (INSERT INTO ledger (user_id, kind, amount) SELECT user_id, 'topup', $4 FROM w WHERE $4 > 0) "
      + "SELECT user_id, balance FROM w";
  }

  /** The user of a key that is not revoked. */
  public static String userByApiKeyHash() {
    return "SELECT user_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL";
  }

  /** A new key for an existing user ($2); no row when there is no such user. */
  public static String createApiKey() {
    return "INSERT INTO api_keys (key_id, user_id, key_hash) SELECT $1, user_id, $3 FROM users WHERE user_id = $2 "
      + "RETURNING created_at";
  }

  /** Revokes one key of one user (the trigger of V10 notifies every pod); no row when that user has no such key. */
  public static String revokeApiKey() {
    return "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = $1 AND key_id = $2 RETURNING key_id";
  }

  public static String messageStatus() {
    return "SELECT message_id, user_id, status, priority, phone_number, segments, cost, accepted_at, "
      + "published_at IS NOT NULL AS queued, sent_at, provider_message_id, attempts, last_error, outcome_unknown, "
      + "EXISTS (SELECT 1 FROM ledger l WHERE l.message_id = messages.message_id AND l.kind = 'refund') AS refunded "
      + "FROM messages WHERE message_id = $1";
  }

  /** Kafka acknowledged these records: they leave the outbox. */
  public static String markPublished() {
    return "SELECT mark_published($1::uuid[])";
  }

  /**
   * The relay's work: accepted rows that Kafka has not acknowledged after a grace period, leased (not locked) for the
   * length of a send, so several gateway pods relay at once without publishing the same row twice, and no worker's
   * claim waits behind a relay that waits for Kafka. See V13.
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

  public static String ping() {
    return "SELECT 1";
  }

  /**
   * Claims the messages of a Kafka batch that are still pending and not claimed by anyone else: each row has the
   * claim's fencing token and what the sender needs to decide (V13).
   */
  public static String claimMessages() {
    return "SELECT message_id, attempts, claim_seq, confirming, send_in_doubt, last_attempt_at_ms FROM claim_messages($1::uuid[], $2::bigint)";
  }

  private static final String CLAIMED_MESSAGE = "message_id, attempts, claim_seq, confirming, send_in_doubt, last_attempt_at_ms, "
    + "user_id, phone_number, body, priority, encoding, segments, cost, accepted_at_ms";

  /** Claims pending messages of one lane whose claim ran out: a retry or a lookup that is due, or a send a dead worker left. */
  public static String claimDue() {
    return "SELECT " + CLAIMED_MESSAGE + " FROM claim_due($1::text, $2::bigint, $3::int)";
  }

  /** The sweeper: claims pending messages of one lane that nobody claimed $2 ms after they were accepted. */
  public static String claimOrphans() {
    return "SELECT " + CLAIMED_MESSAGE + " FROM claim_orphans($1::text, $2::bigint, $3::bigint, $4::int)";
  }

  /** One batch of outcomes, fenced by the claims' tokens; the rows returned are the outcomes that changed nothing. */
  public static String recordOutcomes() {
    return "SELECT o_message_id, o_claim_seq FROM record_outcomes($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], "
      + "$6::bigint[], $7::bigint[], $8::boolean[])";
  }
}
