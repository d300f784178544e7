package io.smsgw.wallet;

/** The wallet's SQL: the accept batch, balances and top-ups. */
public final class WalletSql {

  private WalletSql() {
  }

  /** One batch of the accept path; see accept_messages in the baseline migration (V4 has its live version, with p_options). */
  public static String acceptMessages() {
    return "SELECT o_message_id, o_outcome, o_status, o_owner FROM accept_messages("
      + "$1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::jsonb)";
  }

  /** Cancels a message not on its way yet and refunds it, once; see cancel_message in V4__validity_and_scheduling.sql. */
  public static String cancelMessage() {
    return "SELECT o_outcome, o_status, o_refunded FROM cancel_message($1, $2)";
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
}
