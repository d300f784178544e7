-- API keys per user, so a key can be rotated and revoked. users.api_key_hash (one key for life) moves here.
CREATE TABLE api_keys (
  key_id     uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (user_id),
  key_hash   bytea NOT NULL UNIQUE,             -- SHA-256 of the key; the key itself is shown once
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id);

INSERT INTO api_keys (key_id, user_id, key_hash, created_at)
SELECT gen_random_uuid(), user_id, api_key_hash, created_at FROM users;

ALTER TABLE users DROP COLUMN api_key_hash;

-- A revocation tells every gateway pod (LISTEN smsgw_api_key_revoked) which hash to drop from its caches; the
-- notification is delivered when the revoking transaction commits, whoever revokes (the admin API or plain SQL).
CREATE FUNCTION notify_api_key_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('smsgw_api_key_revoked', encode(NEW.key_hash, 'base64'));
  RETURN NEW;
END $$;

CREATE TRIGGER api_key_revoked AFTER UPDATE OF revoked_at ON api_keys
  FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
  EXECUTE FUNCTION notify_api_key_revoked();
