package io.smsgw.account;

/** Users and API keys. */
public final class AccountSql {

  private AccountSql() {
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

  /** Revokes one key of one user (the api_keys trigger notifies every pod); no row when that user has no such key. */
  public static String revokeApiKey() {
    return "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = $1 AND key_id = $2 RETURNING key_id";
  }
}
