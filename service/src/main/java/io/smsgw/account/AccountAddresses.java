package io.smsgw.account;

/** Accounts and API keys on the event bus. */
public final class AccountAddresses {

  private AccountAddresses() {
  }

  public static final String ACCOUNT_CREATE = "account.create";
  public static final String ACCOUNT_AUTHENTICATE = "account.authenticate";
  /** {@code {"user_id"}} → {@code {"key_id", "api_key", "created_at"}}, or failure 404 (no such user). */
  public static final String ACCOUNT_KEY_CREATE = "account.key.create";
  /** {@code {"user_id", "key_id"}} → {@code {}}, or failure 404 (that user has no such key). */
  public static final String ACCOUNT_KEY_REVOKE = "account.key.revoke";
  /** Published in the pod: {@code {"revoked": key hash base64}} or {@code {"listening": bool}} (revocations reach us or not). */
  public static final String ACCOUNT_KEYS_CHANGED = "account.keys.changed";
  /** {@code {}} → {@code {"listening": bool}}: whether the pod's revocation listener is subscribed now. */
  public static final String ACCOUNT_KEYS_LISTENING = "account.keys.listening";
}
