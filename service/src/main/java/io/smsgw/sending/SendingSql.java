package io.smsgw.sending;

/** Claims (fenced by claim_seq) and outcomes of the senders. */
public final class SendingSql {

  private SendingSql() {
  }

  /**
   * Claims the messages of a Kafka batch that are still pending and not claimed by anyone else: each row has the
   * claim's fencing token and what the sender needs to decide.
   */
  public static String claimMessages() {
    return "SELECT message_id, attempts, claim_seq, confirming, send_in_doubt, last_attempt_at_ms, expires_at_ms FROM claim_messages($1::uuid[], $2::bigint)";
  }

  private static final String CLAIMED_MESSAGE = "message_id, attempts, claim_seq, confirming, send_in_doubt, last_attempt_at_ms, "
    + "expires_at_ms, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at_ms";

  /** Claims pending messages of one lane whose claim ran out: a retry or a lookup that is due, or a send a dead worker left. */
  public static String claimDue() {
    return "SELECT " + CLAIMED_MESSAGE + " FROM claim_due($1::text, $2::bigint, $3::int)";
  }

  /** The sweeper: claims pending messages of one lane that nobody claimed $2 ms after they were accepted. */
  public static String claimOrphans() {
    return "SELECT " + CLAIMED_MESSAGE + " FROM claim_orphans($1::text, $2::bigint, $3::bigint, $4::int)";
  }

  /**
   * The scheduler: scheduled messages of one lane whose send_at has passed, made pending and claimed in one
   * transaction (V4__validity_and_scheduling.sql).
   */
  public static String claimScheduled() {
    return "SELECT " + CLAIMED_MESSAGE + " FROM claim_scheduled($1::text, $2::bigint, $3::int)";
  }

  /** One batch of outcomes, fenced by the claims' tokens; the rows returned are the outcomes that changed nothing. */
  public static String recordOutcomes() {
    return "SELECT o_message_id, o_claim_seq FROM record_outcomes_with_reports($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], "
      + "$6::bigint[], $7::bigint[], $8::boolean[], $9::text[])";
  }

  /** The providers that messages in doubt are pinned to (V10__message_provider.sql). */
  public static String messageProviders() {
    return "SELECT message_id, provider FROM message_providers($1::uuid[])";
  }
}
