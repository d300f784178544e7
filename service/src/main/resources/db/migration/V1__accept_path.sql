-- Users, wallets, the append-only ledger and the message table (which doubles as the Kafka outbox).
-- Money is an integer count of the smallest currency unit (Rials), never a float.

CREATE TABLE users (
  user_id      uuid PRIMARY KEY,
  name         text NOT NULL,
  api_key_hash bytea NOT NULL UNIQUE,          -- SHA-256 of the key; the key itself is shown once
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE wallets (
  user_id    uuid PRIMARY KEY REFERENCES users (user_id),
  balance    bigint NOT NULL CHECK (balance >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per money movement. (message_id, kind) is unique: a message is charged at most once and
-- refunded at most once, by construction. Top-ups have no message.
CREATE TABLE ledger (
  entry_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (user_id),
  message_id uuid,
  kind       text NOT NULL CHECK (kind IN ('topup', 'charge', 'refund')),
  amount     bigint NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'topup') = (message_id IS NULL))
);
CREATE UNIQUE INDEX ledger_one_per_message_and_kind ON ledger (message_id, kind) WHERE message_id IS NOT NULL;
CREATE INDEX ledger_by_user ON ledger (user_id);

CREATE TABLE messages (
  message_id          uuid PRIMARY KEY,
  -- Deferred: accept_messages() may insert a row and delete it again in the same transaction.
  user_id             uuid NOT NULL REFERENCES users (user_id) DEFERRABLE INITIALLY DEFERRED,
  phone_number        text NOT NULL,
  body                text NOT NULL,
  priority            text NOT NULL CHECK (priority IN ('normal', 'vip')),
  encoding            text NOT NULL CHECK (encoding IN ('GSM7', 'UCS2')),
  segments            int NOT NULL CHECK (segments > 0),
  cost                bigint NOT NULL CHECK (cost > 0),
  status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'rejected')),
  accepted_at         timestamptz NOT NULL DEFAULT now(),
  published_at        timestamptz,            -- outbox: NULL until Kafka acknowledged the record
  sent_at             timestamptz,
  provider_message_id text,
  attempts            int NOT NULL DEFAULT 0,
  last_error          text,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
-- The outbox relay's work list stays small: only rows Kafka has not acknowledged yet.
CREATE INDEX messages_unpublished ON messages (accepted_at) WHERE published_at IS NULL;

-- The accept path of a whole batch in one statement and one transaction (group commit).
-- For each message, in order: insert the row (a duplicate message_id is caught by the primary key),
-- debit the wallet only if it can pay (conditional update under the row lock), append the charge.
-- A message that cannot be paid for is removed again, so nothing is stored or charged for it.
CREATE FUNCTION accept_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text, o_status text, o_owner uuid)
LANGUAGE plpgsql AS $$
DECLARE
  n int := coalesce(array_length(p_message_ids, 1), 0);
  affected int;
BEGIN
  FOR i IN 1 .. n LOOP
    o_message_id := p_message_ids[i];
    o_status := NULL;
    o_owner := NULL;
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost)
    VALUES (p_message_ids[i], p_user_ids[i], p_phones[i], p_bodies[i], p_priorities[i], p_encodings[i],
            p_segments[i], p_costs[i])
    ON CONFLICT (message_id) DO NOTHING;
    GET DIAGNOSTICS affected = ROW_COUNT;
    IF affected = 0 THEN
      SELECT m.status, m.user_id INTO o_status, o_owner FROM messages m WHERE m.message_id = p_message_ids[i];
      o_outcome := 'duplicate';
      RETURN NEXT;
      CONTINUE;
    END IF;

    UPDATE wallets w SET balance = w.balance - p_costs[i], updated_at = now()
     WHERE w.user_id = p_user_ids[i] AND w.balance >= p_costs[i];
    GET DIAGNOSTICS affected = ROW_COUNT;
    IF affected = 0 THEN
      DELETE FROM messages m WHERE m.message_id = p_message_ids[i];
      o_outcome := 'insufficient_balance';
      RETURN NEXT;
      CONTINUE;
    END IF;

    INSERT INTO ledger (user_id, message_id, kind, amount) VALUES (p_user_ids[i], p_message_ids[i], 'charge', p_costs[i]);
    o_outcome := 'accepted';
    RETURN NEXT;
  END LOOP;
END
$$;
