-- Async balance mode: the gateway answers 200 once the message is durable in Kafka (sms.accepted), and the
-- settlement consumer charges it here shortly after. settled_at is when PostgreSQL charged (or rejected) an
-- async message; NULL for a message charged on the request path (sync). accepted_at stays the time of the 200,
-- so settled_at - accepted_at is the settlement lag.
ALTER TABLE messages ADD COLUMN settled_at timestamptz;

-- A message answered 200 in async mode that PostgreSQL could not pay for at settlement (the Redis cache was
-- wrong, or async without reservation): stored as rejected, never charged and so never refunded. The flag
-- lets the invariant check tell these rows from every other rejected message, which must have its refund.
ALTER TABLE messages ADD COLUMN rejected_at_settlement boolean NOT NULL DEFAULT false;
ALTER TABLE messages ADD CONSTRAINT rejected_at_settlement_is_rejected CHECK (NOT rejected_at_settlement OR status = 'rejected');
CREATE INDEX messages_rejected_at_settlement ON messages (user_id) WHERE rejected_at_settlement;

-- One settlement batch, in one transaction. The rules of accept_messages (V3), plus: the time of the 200 is
-- kept, and a new message the wallet cannot pay for is stored as rejected (no charge) instead of dropped, so
-- a redelivered record finds it and the customer sees a final status. Outcomes: accepted, rejected, duplicate.
CREATE FUNCTION settle_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_accepted_at_ms bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text)
LANGUAGE plpgsql AS $$
DECLARE
  v_new bigint[];          -- positions of first occurrences not stored yet
  v_candidates bigint[];   -- those the wallet can pay for, in batch order
  v_inserted uuid[];
  v_rejected uuid[];
BEGIN
  PERFORM 1 FROM wallets WHERE user_id = ANY (p_user_ids) ORDER BY user_id FOR UPDATE;

  SELECT coalesce(array_agg(n.ord), '{}') INTO v_new
  FROM (
    SELECT DISTINCT ON (u.id) u.id, u.ord
    FROM unnest(p_message_ids) WITH ORDINALITY AS u(id, ord)
    ORDER BY u.id, u.ord
  ) n
  WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = n.id);

  SELECT coalesce(array_agg(c.ord), '{}') INTO v_candidates
  FROM (
    SELECT n.ord, sum(n.cost) OVER (PARTITION BY n.user_id ORDER BY n.ord) AS running, w.balance
    FROM unnest(v_new) AS o(ord)
    CROSS JOIN LATERAL (SELECT o.ord, p_user_ids[o.ord] AS user_id, p_costs[o.ord] AS cost) n
    JOIN wallets w ON w.user_id = n.user_id
  ) c
  WHERE c.running <= c.balance;

  WITH ins AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at, settled_at)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o], to_timestamp(p_accepted_at_ms[o] / 1000.0), now()
    FROM unnest(v_candidates) AS o
    ORDER BY o
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id, user_id, cost
  ), debit AS (
    UPDATE wallets w SET balance = w.balance - d.total, updated_at = now()
    FROM (SELECT user_id, sum(cost) AS total FROM ins GROUP BY user_id) d
    WHERE w.user_id = d.user_id
  ), charges AS (
    INSERT INTO ledger (user_id, message_id, kind, amount)
    SELECT user_id, message_id, 'charge', cost FROM ins
  )
  SELECT coalesce(array_agg(message_id), '{}') INTO v_inserted FROM ins;

  -- Nothing to publish for a rejected row: published_at is set so it never counts as outbox backlog.
  WITH rej AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at,
                          settled_at, status, last_error, published_at, rejected_at_settlement)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o], to_timestamp(p_accepted_at_ms[o] / 1000.0), now(),
           'rejected', 'insufficient_balance_at_settlement', now(), true
    FROM unnest(v_new) AS o
    WHERE NOT (o = ANY (v_candidates))
      AND EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = p_user_ids[o])  -- no such user here: skipped
    ORDER BY o
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  )
  SELECT coalesce(array_agg(message_id), '{}') INTO v_rejected FROM rej;

  RETURN QUERY
  SELECT u.id,
         CASE
           WHEN u.ord = ANY (v_candidates) AND u.id = ANY (v_inserted) THEN 'accepted'
           WHEN u.ord = ANY (v_new) AND NOT (u.ord = ANY (v_candidates)) AND u.id = ANY (v_rejected) THEN 'rejected'
           ELSE 'duplicate'
         END
  FROM unnest(p_message_ids) WITH ORDINALITY AS u(id, ord)
  ORDER BY u.ord;
END
$$;

-- Like the other batch functions (V5): only primary-key lookups, so never a sequential scan from a plan made
-- when the table's statistics lagged behind its growth.
ALTER FUNCTION settle_messages(uuid[], uuid[], text[], text[], text[], text[], int[], bigint[], bigint[]) SET enable_seqscan = off;
