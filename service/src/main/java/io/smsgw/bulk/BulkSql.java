package io.smsgw.bulk;

/** The bulk's SQL: one call per bulk, one per status read (V11__bulk.sql). */
public final class BulkSql {

  private BulkSql() {
  }

  /** The whole bulk in one statement (its own transaction): see accept_bulk. */
  public static String acceptBulk() {
    return "SELECT o_outcome, o_answer, o_total, o_balance, o_duplicates FROM accept_bulk("
      + "$1::uuid, $2::uuid, $3::text, $4::int, $5::int[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::int[], "
      + "$11::bigint[], $12::bigint, $13::bigint, $14::jsonb)";
  }

  /** One row when the user has the bulk: its counts and its messages' counts by status (messages_by_bulk). */
  public static String bulkStatus() {
    return "SELECT o_priority, o_recipients, o_accepted, o_rejected, o_cost, o_created_at, o_statuses FROM bulk_status($1, $2)";
  }
}
